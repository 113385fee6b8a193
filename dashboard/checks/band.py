"""``趋于平衡``: move into a normal band (the sex ratio at birth: ``sex_ratio_band`` in settings)."""

from __future__ import annotations

from typing import Literal

import numpy as np

from ..messages import t
from .base import CheckKind, CheckSettings, DemoLevel, Direction, EngineRow, fmt

WORDS = frozenset({"趋于平衡", "趋向平衡", "逐步趋于平衡"})


class Band(CheckKind):
    """``趋于平衡``: move into a normal band (None = the band from settings)."""

    priority = 60
    kind: Literal["band"] = "band"
    low: float | None = None
    high: float | None = None

    @classmethod
    def recognise(cls, text: str, direction: Direction, reference: str | None) -> Band | None:
        return cls() if text in WORDS else None

    def bounds(self, settings: CheckSettings) -> tuple[float, float]:
        lo = self.low if self.low is not None else settings.sex_ratio_band[0]
        hi = self.high if self.high is not None else settings.sex_ratio_band[1]
        return lo, hi

    def words(self, lang: str, settings: CheckSettings) -> str:
        lo, hi = self.bounds(settings)
        return t("check_band", lang, lo=fmt(lo), hi=fmt(hi))

    def engine_row(self, direction: str, settings: CheckSettings) -> EngineRow:
        lo, hi = self.bounds(settings)
        return EngineRow(d=-1.0, centre=(lo + hi) / 2, half=(hi - lo) / 2)

    def judge_value(self, value: float, settings: CheckSettings) -> bool | None:
        lo, hi = self.bounds(settings)
        return lo <= value <= hi

    def demo_level(self, rng: np.random.Generator, percent: bool) -> DemoLevel:
        # A sex ratio at birth a little above the normal band, moving down into it.
        return DemoLevel(rng.uniform(106, 110), 105.0, -1.0)
