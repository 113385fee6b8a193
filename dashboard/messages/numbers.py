"""Numbers as a reader expects them: rounded per unit, with the unit written the way the plans write it.

``93.1%``, ``5.2‰``, ``11.7/10万``, ``78.5岁``, ``12.3万人``, ``1,234人`` in Chinese; ``93.1%``,
``5.2‰``, ``11.7 per 100,000``, ``78.5 years``, ``123,000 people``, ``1,234 people`` in English.
The number of decimals comes from the indicator (``decimals`` in the rules) or, when the rules do
not say, from the unit. Missing values are a dash, never "None" or "nan".
"""

from __future__ import annotations

import math
from typing import Any

from .catalogue import t

MISSING = "—"

# Decimals a value of this unit is shown with, unless the indicator says otherwise.
DEFAULT_DECIMALS = {"%": 1, "‰": 2, "1/10万": 1, "岁": 2, "年": 1, "小时": 1, "万人": 2}
COUNT_UNITS = frozenset({"人", "个", "件", "户", "名", "张"})
# Units written right after the number in Chinese (93.1%, 11.7/10万, 78.5岁); others after a space.
_ZH_GLUED = {"%": "%", "‰": "‰", "1/10万": "/10万"}


def decimals_for(unit: str, decimals: int | None = None) -> int:
    """The decimals to show for ``unit`` (an explicit ``decimals`` wins; counts have none)."""
    if decimals is not None:
        return decimals
    if unit in COUNT_UNITS:
        return 0
    return DEFAULT_DECIMALS.get(unit, 2)


def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_number(value: Any, decimals: int = 1) -> str:
    """``value`` rounded to ``decimals`` with thousands separators (``1,234.5``); a dash when missing."""
    if is_missing(value):
        return MISSING
    return f"{float(value):,.{decimals}f}"


def format_value(value: Any, unit: str, lang: str = "zh", decimals: int | None = None) -> str:
    """A value with its unit, rounded per unit, in ``lang`` (see the module docstring)."""
    if is_missing(value):
        return MISSING
    places = decimals_for(unit, decimals)
    if lang == "en":
        if unit == "万人":  # 12.3万人 is 123,000 people: English has no 万
            return t("unit_en_people", "en", value=format_number(float(value) * 10_000, 0))
        if unit in ("%", "‰"):
            return f"{format_number(value, places)}{unit}"
        word = (
            t(f"unit_en_{_UNIT_KEYS[unit]}", "en", value=format_number(value, places)) if unit in _UNIT_KEYS else None
        )
        return word if word is not None else (f"{format_number(value, places)} {unit}".strip())
    number = format_number(value, places)
    if unit in _ZH_GLUED:
        return number + _ZH_GLUED[unit]
    return f"{number}{unit}"


def format_change(delta: Any, unit: str, lang: str = "zh", decimals: int | None = None) -> str:
    """A difference between two values of ``unit`` with its sign (``+0.3``); rates in points elsewhere."""
    if is_missing(delta):
        return MISSING
    places = decimals_for(unit, decimals)
    return f"{float(delta):+,.{places}f}"


def unit_label(unit: str, lang: str = "zh") -> str:
    """The unit as a column heading or axis title shows it (``1/10万`` / ``per 100,000``)."""
    if not unit:
        return ""
    if lang == "en" and unit in _UNIT_KEYS:
        return t(f"unit_name_{_UNIT_KEYS[unit]}", "en")
    return unit


_UNIT_KEYS = {
    "1/10万": "per_100k",
    "岁": "years_of_age",
    "年": "years",
    "小时": "hours",
    "人": "people",
    "名": "people",
    "个": "units",
    "件": "cases",
    "户": "households",
    "张": "beds",
    "万人": "ten_thousand",
}
