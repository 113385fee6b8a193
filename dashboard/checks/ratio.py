"""``2：3``: a ratio printed as first:second, judged on second/first (1.5 women per man)."""

from __future__ import annotations

import re
from typing import Literal

import numpy as np
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from ..messages import Code, t
from .base import CheckKind, CheckSettings, DemoLevel, Direction, EngineRow, Op, TargetParseError, fmt, op_words
from .text import NUMBER

_RE = re.compile(rf"^({NUMBER})\s*:\s*({NUMBER})$")


class Ratio(CheckKind):
    """``2：3`` printed as first:second, judged on second/first (1.5 female places per male)."""

    priority = 30
    kind: Literal["ratio"] = "ratio"
    first: float
    second: float
    op: Op = ">="

    @field_validator("first")
    @classmethod
    def _first_not_zero(cls, v: float) -> float:
        if v == 0:
            raise PydanticCustomError("ratio_first_zero", "the first term of a ratio cannot be 0")
        return v

    @property
    def value(self) -> float:
        return self.second / self.first

    @classmethod
    def recognise(cls, text: str, direction: Direction, reference: str | None) -> Ratio | None:
        m = _RE.match(text)
        if not m:
            return None
        first, second = float(m.group(1)), float(m.group(2))
        if first == 0:
            raise TargetParseError(Code.BAD_TARGET_RATIO_ZERO)
        op = {"higher": ">=", "lower": "<="}.get(direction)
        if op is None:
            raise TargetParseError(Code.BAD_TARGET_RATIO_DIRECTION)
        return cls(first=first, second=second, op=op)

    def words(self, lang: str, settings: CheckSettings) -> str:
        return t(
            "check_ratio",
            lang,
            first=fmt(self.first),
            second=fmt(self.second),
            op=op_words(self.op, lang),
            value=f"{self.value:.3g}",
        )

    def engine_row(self, direction: str, settings: CheckSettings) -> EngineRow:
        return EngineRow(d=1.0 if self.op in (">=", ">") else -1.0, strict=self.op in (">", "<"), tval=self.value)

    def judge_value(self, value: float, settings: CheckSettings) -> bool | None:
        return value >= self.value if self.op in (">=", ">") else value <= self.value

    def ratio_terms(self) -> tuple[float, float] | None:
        return self.first, self.second

    def demo_level(self, rng: np.random.Generator, percent: bool) -> DemoLevel:
        return DemoLevel(self.value * rng.uniform(0.7, 0.9), self.value, 1.0)
