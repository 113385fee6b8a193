"""Qualitative targets (``保持合理比例``) made explicit: not worse than the baseline − a tolerance.

A qualitative text is never guessed: the maintainer writes ``check: {kind: maintain, tolerance: 2}``
and the printed text stays as it is.
"""

from __future__ import annotations

from typing import Literal

from ..messages import Code, t
from .base import CheckKind, CheckSettings, Direction, EngineRow, TargetParseError, direction_sign, fmt

QUALITATIVE = frozenset({"保持合理比例", "保持合理水平", "保持稳定"})


class Maintain(CheckKind):
    """Not worse than the baseline minus ``tolerance`` (in the indicator's unit)."""

    priority = 80
    kind: Literal["maintain"] = "maintain"
    tolerance: float = 0.0

    @classmethod
    def recognise(cls, text: str, direction: Direction, reference: str | None) -> Maintain | None:
        if text in QUALITATIVE:
            raise TargetParseError(Code.BAD_TARGET_QUALITATIVE, text=text)
        return None

    def words(self, lang: str, settings: CheckSettings) -> str:
        return t("check_maintain", lang, tolerance=fmt(self.tolerance))

    def engine_row(self, direction: str, settings: CheckSettings) -> EngineRow:
        d = direction_sign(direction)
        return EngineRow(d=d, from_baseline=True, offset=-d * self.tolerance)
