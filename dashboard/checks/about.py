"""``45左右``: within a tolerance of a value (``about_tolerance`` in settings, relative)."""

from __future__ import annotations

import re
from typing import Literal

import numpy as np

from ..messages import t
from .base import CheckKind, CheckSettings, DemoLevel, Direction, EngineRow, fmt
from .text import NUMBER

_RE = re.compile(rf"^({NUMBER})\s*(%|％)?\s*左右$")
_BARE = re.compile(rf"^({NUMBER})\s*(%|％)?$")


class About(CheckKind):
    """``45左右``: within ``tolerance`` (relative; None = settings) of ``value``."""

    priority = 20
    kind: Literal["about"] = "about"
    value: float
    tolerance: float | None = None

    @classmethod
    def recognise(cls, text: str, direction: Direction, reference: str | None) -> About | None:
        m = _RE.match(text)
        if m:
            return cls(value=float(m.group(1)))
        m = _BARE.match(text)
        if m and direction == "band":  # a bare number on a band indicator: about that number
            return cls(value=float(m.group(1)))
        return None

    def _tol(self, settings: CheckSettings) -> float:
        return self.tolerance if self.tolerance is not None else settings.about_tolerance

    def words(self, lang: str, settings: CheckSettings) -> str:
        tol = self._tol(settings)
        return t(
            "check_about", lang, value=fmt(self.value), lo=fmt(self.value * (1 - tol)), hi=fmt(self.value * (1 + tol))
        )

    def engine_row(self, direction: str, settings: CheckSettings) -> EngineRow:
        return EngineRow(d=-1.0, tval=self.value, centre=self.value, half=self._tol(settings) * abs(self.value))

    def judge_value(self, value: float, settings: CheckSettings) -> bool | None:
        return abs(value - self.value) <= self._tol(settings) * abs(self.value)

    def demo_level(self, rng: np.random.Generator, percent: bool) -> DemoLevel:
        return DemoLevel(self.value * rng.uniform(0.85, 0.95), self.value, 1.0)
