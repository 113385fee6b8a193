"""``不低于本地区党员总数中女性比例``, ``与经济社会发展相适应``: compared with another series.

The series is named in the rules (``reference: CODE``): an indicator or a context series, taken in
the same area and year.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from ..messages import Code, t
from .base import CheckKind, CheckSettings, DemoLevel, Direction, EngineRow, TargetParseError, op_words

_AT_LEAST = ("不低于", "不少于")
_AT_MOST = ("不高于", "不多于")


class Reference(CheckKind):
    """Compared with another series in the same area and year (``不低于…``, ``与…相适应``)."""

    priority = 90
    kind: Literal["reference"] = "reference"
    series: str
    op: Literal[">=", "<=", "about"] = ">="
    tolerance: float | None = None

    @classmethod
    def recognise(cls, text: str, direction: Direction, reference: str | None) -> Reference | None:
        suited = text.startswith("与") and text.endswith("相适应")
        if not (text.startswith(_AT_LEAST + _AT_MOST) or suited):
            return None
        if not reference:
            raise TargetParseError(Code.BAD_TARGET_NEEDS_REFERENCE, text=text)
        if suited:
            return cls(series=reference, op="about")
        return cls(series=reference, op=">=" if text.startswith(_AT_LEAST) else "<=")

    def referenced_series(self) -> str | None:
        return self.series

    def words(self, lang: str, settings: CheckSettings) -> str:
        return t("check_reference", lang, op=op_words(self.op, lang), series=self.series)

    def engine_row(self, direction: str, settings: CheckSettings) -> EngineRow:
        if self.op == "about":
            tol = self.tolerance if self.tolerance is not None else settings.about_tolerance
            return EngineRow(d=-1.0, half=tol, ref_series=self.series, ref_about=True)
        return EngineRow(d=1.0 if self.op == ">=" else -1.0, ref_series=self.series)

    def demo_level(self, rng: np.random.Generator, percent: bool) -> DemoLevel:
        return DemoLevel(rng.uniform(25, 45))
