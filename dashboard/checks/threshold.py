"""``≥94``, ``<8``, ``100``: a number to reach, with a comparison sign.

A bare number takes its sign from the indicator's direction: ``100`` on a higher-is-better
indicator is ``≥100``, ``8`` on a lower-is-better one is ``<8`` (how the plans print them).
"""

from __future__ import annotations

import re
from typing import Literal

import numpy as np

from ..messages import t
from .base import CheckKind, CheckSettings, DemoLevel, Direction, EngineRow, Op, fmt, op_words
from .text import NUMBER, OPS

_RE = re.compile(rf"^(≥|≧|>=|=>|>|≤|≦|<=|=<|<|==|=)?\s*({NUMBER})\s*(%|％)?$")


class Threshold(CheckKind):
    """A number to reach: ``≥94``, ``<8``, ``100``."""

    priority = 10
    kind: Literal["threshold"] = "threshold"
    op: Op
    value: float

    @classmethod
    def recognise(cls, text: str, direction: Direction, reference: str | None) -> Threshold | None:
        m = _RE.match(text)
        if not m:
            return None
        op_text, number, _ = m.groups()
        if op_text:
            return cls(op=OPS[op_text], value=float(number))
        if direction == "higher":
            return cls(op=">=", value=float(number))
        if direction == "lower":
            return cls(op="<", value=float(number))
        return None  # a bare number on a band indicator is "about" that number

    def words(self, lang: str, settings: CheckSettings) -> str:
        return t("check_threshold", lang, op=op_words(self.op, lang), value=fmt(self.value))

    def engine_row(self, direction: str, settings: CheckSettings) -> EngineRow:
        if self.op == "==":
            return EngineRow(
                d=-1.0, tval=self.value, centre=self.value, half=settings.about_tolerance * abs(self.value)
            )
        return EngineRow(d=1.0 if self.op in (">=", ">") else -1.0, strict=self.op in (">", "<"), tval=self.value)

    def judge_value(self, value: float, settings: CheckSettings) -> bool | None:
        v = self.value
        return {
            ">=": value >= v,
            ">": value > v,
            "<=": value <= v,
            "<": value < v,
            "==": abs(value - v) <= 1e-9 * max(1.0, abs(v)),
        }[self.op]

    def demo_level(self, rng: np.random.Generator, percent: bool) -> DemoLevel:
        target = self.value
        if self.op in (">=", ">", "=="):
            centre = target - rng.uniform(2, 7) if percent and target >= 85 else target * rng.uniform(0.82, 0.95)
            return DemoLevel(centre, target, 1.0)
        return DemoLevel(target * rng.uniform(1.15, 1.6), target, -1.0)
