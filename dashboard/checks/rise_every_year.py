"""``逐年提高``: no year may fall, and the value must end above the baseline."""

from __future__ import annotations

from typing import Literal

from ..messages import t
from .base import RISE, CheckKind, CheckSettings, Direction, EngineRow

WORDS = frozenset({"逐年提高", "逐年提升", "逐年上升", "逐年增加"})


class RiseEveryYear(CheckKind):
    """``逐年提高``: higher every year than the year before, and above the baseline."""

    priority = 40
    direction_only = True
    kind: Literal["rise_every_year"] = "rise_every_year"

    @classmethod
    def recognise(cls, text: str, direction: Direction, reference: str | None) -> RiseEveryYear | None:
        return cls() if text in WORDS else None

    def words(self, lang: str, settings: CheckSettings) -> str:
        return t("check_rise_every_year", lang)

    def engine_row(self, direction: str, settings: CheckSettings) -> EngineRow:
        return EngineRow(family=RISE, d=1.0)
