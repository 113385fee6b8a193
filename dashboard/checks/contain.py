"""``得到控制``: not above the baseline."""

from __future__ import annotations

from typing import Literal

from ..messages import t
from .base import CheckKind, CheckSettings, Direction, EngineRow

WORDS = frozenset({"得到控制", "有效控制", "控制"})


class Contain(CheckKind):
    """``得到控制``: not above the baseline."""

    priority = 70
    kind: Literal["contain"] = "contain"

    @classmethod
    def recognise(cls, text: str, direction: Direction, reference: str | None) -> Contain | None:
        return cls() if text in WORDS else None

    def words(self, lang: str, settings: CheckSettings) -> str:
        return t("check_contain", lang)

    def engine_row(self, direction: str, settings: CheckSettings) -> EngineRow:
        return EngineRow(d=-1.0, from_baseline=True, offset=0.0)
