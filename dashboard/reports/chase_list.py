"""The completeness chase list (催报清单) as the file a clerk sends out: CSV or one-sheet .xlsx.

Both go through the one writer (``cells``): a text that would run as a formula stays a text.
"""

from __future__ import annotations

import io

import pandas as pd

from .cells import append_row, csv_bytes, sheet_title

FORMATS = ("csv", "xlsx")


def chase_list_bytes(frame: pd.DataFrame, fmt: str, title: str) -> bytes:
    """``frame`` (headers already in the reader's language) as a ``csv`` or ``xlsx`` file; ``title``
    names the sheet."""
    if fmt == "csv":
        return csv_bytes(frame)
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(title)
    append_row(ws, [str(c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        append_row(ws, list(row))
    for k, column in enumerate(frame.columns):
        width = max([len(str(column)), *(len(str(v)) for v in frame[column].head(200))]) + 2
        ws.column_dimensions[ws.cell(row=1, column=k + 1).column_letter].width = min(width * 1.6, 60)
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
