"""``提高`` / ``降低`` / ``明显降低`` …: beyond the baseline by the deadline (明显 = by a margin)."""

from __future__ import annotations

from typing import Literal

from ..messages import t
from .base import IMPROVE, CheckKind, CheckSettings, Direction, EngineRow

UP = frozenset({"提高", "提升", "逐步提高", "逐步提升", "增加", "巩固提高", "稳步提高", "持续提高", "上升", "增长"})
DOWN = frozenset({"下降", "降低", "减少", "逐步降低", "逐步下降", "持续降低", "持续下降"})
SIGNIFICANT_UP = frozenset({"明显提高", "明显提升", "显著提高"})
SIGNIFICANT_DOWN = frozenset({"明显降低", "明显下降", "明显减少", "显著降低", "显著下降"})


class Improve(CheckKind):
    """``提高``/``降低`` …: beyond the baseline by the deadline; ``significant`` = ``明显``."""

    priority = 50
    direction_only = True
    kind: Literal["improve"] = "improve"
    direction: Literal["up", "down"]
    significant: bool = False

    @classmethod
    def recognise(cls, text: str, direction: Direction, reference: str | None) -> Improve | None:
        for words, up, significant in (
            (UP, True, False),
            (SIGNIFICANT_UP, True, True),
            (DOWN, False, False),
            (SIGNIFICANT_DOWN, False, True),
        ):
            if text in words:
                return cls(direction="up" if up else "down", significant=significant)
        return None

    def words(self, lang: str, settings: CheckSettings) -> str:
        if self.significant:
            return t(f"check_improve_{self.direction}_significant", lang, pct=f"{settings.significant_change * 100:g}%")
        return t(f"check_improve_{self.direction}", lang)

    def engine_row(self, direction: str, settings: CheckSettings) -> EngineRow:
        return EngineRow(
            family=IMPROVE,
            d=1.0 if self.direction == "up" else -1.0,
            margin=settings.significant_change if self.significant else 0.0,
        )
