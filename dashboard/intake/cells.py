"""Cell text → number, for a whole column at once.

Office staff type numbers the way Chinese Excel lets them: full-width digits (``９３．５``), a
trailing ``%``, thousands separators (``1,234``), ratios (``2：3``), and dashes or words for
"not reported". Every rule here is a pandas string operation on the whole column, so a
national file of a quarter of a million cells parses in well under a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..messages import Msg

# Cells that mean "no value reported". Compared after NFKC and with all spaces removed, so
# "— " and "－" are covered; the long dashes are listed because NFKC keeps them as they are.
NO_VALUE_TOKENS = frozenset(
    {
        "",
        "-",
        "--",
        "—",
        "——",
        "–",
        "―",
        "─",
        "暂无",
        "无数据",
        "暂无数据",
        "未统计",
    }
)
# Not "nan" (nor "inf"): a value a program wrote when a number was lost is NOT_A_NUMBER, never
# taken for "no value reported".

_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_THOUSANDS = r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$"
_RATIO = rf"^(?P<first>{_NUM}):(?P<second>{_NUM})$"


@dataclass(frozen=True)
class ParsedValues:
    """Result of :func:`parse_values`, aligned with the input's index.

    ``values`` is NaN wherever ``invalid`` or ``missing`` is true.
    """

    values: pd.Series
    invalid: pd.Series
    missing: pd.Series


def by_distinct(cells: pd.Series, func) -> pd.Series:
    """Apply ``func`` (a whole-column transformation) to the distinct cells only, then spread back.

    A yearly file repeats the same area names, indicator names and years thousands of times, and
    even its values repeat; hashing (C speed) and transforming each distinct text once is many
    times faster than string operations on every cell.
    """
    codes, uniques = pd.factorize(cells.astype(object), use_na_sentinel=False)
    done = func(pd.Series(uniques, dtype=object))
    return pd.Series(done.to_numpy()[codes], index=cells.index)


def _normalise(text: pd.Series) -> pd.Series:
    text = text.fillna("").astype(str).str.normalize("NFKC")
    # NFKC turns U+3000 and NBSP into plain spaces; thin spaces used as digit groups go too.
    return text.str.replace(r"[\s\u2009\u202f]+", "", regex=True)


def normalise_text(cells: pd.Series) -> pd.Series:
    """NFKC (full-width → ASCII), then drop every kind of space, for a whole column.

    Missing cells (None/NaN) become the empty string so later string ops never see NA.
    """
    return by_distinct(cells, _normalise).astype(object)


def _floats(series: pd.Series) -> pd.Series:
    # The string dtype yields nullable Float64; the rest of the product works on plain float64.
    return pd.Series(series.astype("Float64").to_numpy("float64", na_value=np.nan), index=series.index)


def parse_values(cells: pd.Series) -> ParsedValues:
    """Parse a column of cell texts (or numbers read from Excel) into floats.

    Accepts full-width digits and punctuation, a trailing ``%`` or ``‰`` (the number is kept
    as written: ``93.5%`` → 93.5, in the indicator's own unit), thousands separators in the
    ``1,234,567.8`` pattern only, and ratios ``a:b`` → ``b/a`` (how the plans judge ``2：3``).
    The :data:`NO_VALUE_TOKENS` and blank cells are "missing", never zero; anything else
    that is not a finite number is "invalid".
    """
    codes, uniques = pd.factorize(cells.astype(object), use_na_sentinel=False)
    parsed = _parse_distinct(pd.Series(uniques, dtype=object))
    return ParsedValues(
        values=pd.Series(parsed.values.to_numpy()[codes], index=cells.index, dtype="float64"),
        invalid=pd.Series(parsed.invalid.to_numpy()[codes], index=cells.index, dtype=bool),
        missing=pd.Series(parsed.missing.to_numpy()[codes], index=cells.index, dtype=bool),
    )


def _parse_distinct(cells: pd.Series) -> ParsedValues:
    text = _normalise(cells).astype("string")
    missing = text.isin(NO_VALUE_TOKENS)

    number = text.str.replace(r"[%‰]$", "", regex=True)
    # Only a well-formed 1,234,567 pattern loses its commas: "1,23" stays unparseable rather
    # than silently becoming 123.
    grouped = number.str.match(_THOUSANDS)
    number = number.where(~grouped, number.str.replace(",", "", regex=False))

    values = _floats(pd.to_numeric(number.where(~missing, None), errors="coerce"))

    ratio = number.str.extract(_RATIO)
    is_ratio = ratio["first"].notna()
    if is_ratio.any():
        first = _floats(pd.to_numeric(ratio["first"], errors="coerce"))
        second = _floats(pd.to_numeric(ratio["second"], errors="coerce"))
        with np.errstate(divide="ignore", invalid="ignore"):
            quotient = (second / first).where(first != 0)
        values = values.where(~is_ratio, quotient)

    values = values.where(np.isfinite(values))
    invalid = values.isna() & ~missing
    return ParsedValues(values=values, invalid=invalid.astype(bool), missing=missing.astype(bool))


# A message quotes a cell, not a whole file: long texts are cut, long lists end with "… N more".
SHOWN_TEXT = 40
MAX_NOTE = 2000  # characters in a note (备注): a remark, not a document
SHOWN_ITEMS = 10  # the default of settings.yaml ``upload.max_rows_named``


def shown_text(text: str) -> str:
    """A cell's text as a message quotes it: at most ``SHOWN_TEXT`` characters, cut with "…"."""
    text = str(text)
    return text if len(text) <= SHOWN_TEXT else text[: SHOWN_TEXT - 1] + "…"


def shown_items(items: Sequence[Any], limit: int = SHOWN_ITEMS) -> list[Any]:
    """The first ``limit`` items of a listing in a message, then "and N more" (as a message)."""
    head = list(items[:limit])
    rest = len(items) - len(head)
    return head + ([Msg("intake_and_more", {"n": rest})] if rest > 0 else [])
