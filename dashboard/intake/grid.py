"""Bytes → a grid of cell texts, once, for every kind of uploaded file.

An uploaded file arrives as bytes from a browser or a disk. This module alone knows file formats:
the size limit, empty files, things that are not tables at all (a PDF, a picture), the text
encodings Excel writes on Chinese Windows (UTF-8 with or without BOM, GBK/GB18030, UTF-16 "Unicode
text"), the CSV delimiter, and .xlsx workbooks (numbers formatted as % are read as shown). What
comes out is a :class:`pandas.DataFrame` of stripped strings indexed by the row number a person
sees in Excel (first line = row 1), without blank rows and columns. What a header means is the
file kind's business (:mod:`.file_kind`), not this module's.
"""

from __future__ import annotations

import io
import operator
import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np
import pandas as pd

from ..messages import Code, Msg, Problem
from ..rules import RuleSet
from ..rules.models import UploadSettings
from .cells import by_distinct, shown_text

T = TypeVar("T")
LooksLikeHeader = Callable[[pd.Series], bool]
"""Says whether a row of cell texts is a header row; chooses the sheet of a workbook."""

# The first bytes of files people upload by mistake, and what to call them.
_MAGIC = {
    b"\x89PNG": "file_type_png",
    b"%PDF": "file_type_pdf",
    b"GIF8": "file_type_gif",
    b"\xff\xd8\xff": "file_type_jpeg",
    b"\xd0\xcf\x11\xe0": "file_type_xls",
    b"\x1f\x8b": "file_type_gzip",
    b"Rar!": "file_type_rar",
    b"7z\xbc\xaf": "file_type_7z",
}
_HEADER_ROWS = 20
MAX_COLUMNS = 1000  # a yearly sheet has a few dozen columns; far more is a damaged or hostile file


class HasProblems(Protocol):
    """What :func:`open_grid` writes to: a report's problem list and the encoding it found."""

    problems: list[Problem]
    encoding: str


def max_upload_bytes(rules: RuleSet, max_bytes: int | None = None) -> int:
    """The size limit: the explicit argument, else ``settings.yaml`` ``upload.max_bytes``."""
    return int(max_bytes) if max_bytes is not None else int(rules.settings.upload.max_bytes)


def size_problem(n_bytes: int, limit: int) -> Problem | None:
    """FILE_TOO_LARGE when ``n_bytes`` exceeds ``limit``; callers check before reading the file."""
    if n_bytes <= limit:
        return None
    return Problem(Code.FILE_TOO_LARGE_UPLOAD, {"size_mb": n_bytes / 1048576, "limit_mb": limit / 1048576})


def read_path(
    path: str | os.PathLike,
    rules: RuleSet,
    max_bytes: int | None,
    refused: Callable[[str, int, Problem], T],
    read: Callable[[bytes, str, int], T],
) -> T:
    """Read a file on disk with ``read(content, name, limit)``, refusing an oversized one unread.

    ``refused(name, size, problem)`` makes the report of a file too large to open.
    """
    path = Path(path)
    limit = max_upload_bytes(rules, max_bytes)
    size = path.stat().st_size
    too_big = size_problem(size, limit)
    if too_big is not None:
        return refused(path.name, size, too_big)
    return read(path.read_bytes(), path.name, limit)


def open_grid(
    report: HasProblems,
    content: bytes,
    file_name: str,
    rules: RuleSet,
    looks_like_header: LooksLikeHeader,
    max_bytes: int | None = None,
) -> pd.DataFrame | None:
    """The file's cells as a string grid without blank rows, or None with the reason in ``report``."""
    too_big = size_problem(len(content), max_upload_bytes(rules, max_bytes))
    if too_big is not None:
        report.problems.append(too_big)
        return None
    if not content.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        report.problems.append(Problem(Code.EMPTY_FILE))
        return None
    grid, encoding, problem = read_grid(content, file_name, looks_like_header, rules.settings.upload)
    report.encoding = encoding
    if problem is not None:
        report.problems.append(problem)
        return None
    grid = drop_blank_rows(grid) if grid is not None else None
    if grid is None or grid.empty:
        report.problems.append(Problem(Code.EMPTY_FILE_NO_CONTENT))
        return None
    return grid


def read_grid(
    content: bytes, file_name: str, looks_like_header: LooksLikeHeader, limits: UploadSettings | None = None
) -> tuple[pd.DataFrame | None, str, Problem | None]:
    """(cell texts indexed by Excel row number, encoding, problem) for a CSV/TSV/xlsx file."""
    is_zip = content[:4] == b"PK\x03\x04"
    if is_zip or file_name.lower().endswith((".xlsx", ".xlsm")):
        if not is_zip:
            return None, "xlsx", Problem(Code.NOT_PARSEABLE_NOT_XLSX)
        return read_xlsx(content, looks_like_header, limits)
    for magic, what in _MAGIC.items():
        if content.startswith(magic):
            return None, "", Problem(Code.BINARY_FILE, {"what": Msg(what)})
    text, encoding = decode(content)
    if text is None:
        code = Code.BINARY_FILE_BINARY if encoding == "binary" else Code.NOT_PARSEABLE_ENCODING
        return None, "", Problem(code)
    bad = _CONTROL.search(text)
    if bad is not None:
        # A NUL or other control character ends a cell early in some readers and hides text in
        # others: refused with its line, never stored cut short.
        return (
            None,
            encoding,
            Problem(
                Code.CONTROL_CHARACTER, {"code": f"U+{ord(bad.group()):04X}"}, row=text.count("\n", 0, bad.start()) + 1
            ),
        )
    grid, problem = read_csv_text(text)
    return grid, encoding, problem


# Control characters no cell may hold (tab, line feed and carriage return are text; the rest are not).
# A workbook cannot carry them: XML 1.0 forbids them, and its parser refuses the file.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode(content: bytes) -> tuple[str | None, str]:
    """(text, encoding) — ``None`` with ``"binary"`` or ``"unknown"`` when it is not text we read."""
    if content[:2] in (b"\xff\xfe", b"\xfe\xff"):
        # Excel's "Unicode text" export: UTF-16 with a BOM, tab separated.
        try:
            return content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            return None, "unknown"
    head = content[:65536]
    controls = sum(head.count(bytes([b])) for b in (*range(0, 9), 11, 12, *range(14, 32)))
    if b"\x00" in head or controls > max(8, len(head) // 100):
        return None, "binary"
    if content.startswith(b"\xef\xbb\xbf"):
        try:
            return content.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            return None, "unknown"
    for encoding in ("utf-8", "gb18030"):
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return None, "unknown"


def read_csv_text(text: str) -> tuple[pd.DataFrame | None, Problem | None]:
    """A decoded CSV/TSV text as a grid of strings; the delimiter is the commonest in the first line."""
    lines = text.splitlines()
    first = next((ln for ln in lines[:50] if ln.strip(" ,;\t")), "")
    delimiter = max((",", "\t", ";"), key=first.count) if first else ","
    # An upper bound on the fields in any line (a quoted delimiter only adds an empty column), so
    # rows with trailing commas never make the parser fail. map() runs str.count at C speed.
    counts = list(map(operator.methodcaller("count", delimiter), lines))
    width = max(counts, default=0) + 1
    if width > MAX_COLUMNS:
        # Every row is sized to the widest line: one line of a million commas would need gigabytes.
        row = counts.index(width - 1) + 1
        return None, Problem(Code.TOO_MANY_COLUMNS, {"n": width, "max": MAX_COLUMNS}, row=row)
    try:
        grid = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            names=range(width),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError):
        # pandas' own wording is English and technical; the catalogue says what to do instead.
        return None, Problem(Code.NOT_PARSEABLE_CSV)
    grid.index = np.arange(1, len(grid) + 1)  # Excel row numbers: the first line is row 1
    return grid, None


def unpacked_problem(content: bytes, limits: UploadSettings | None = None) -> Problem | None:
    """Why a workbook must not be opened: it is no zip, or its parts unpack to more than the limit.

    Checked before openpyxl sees the file: opening alone reads the shared-strings part whole, and
    a few megabytes of zip can declare gigabytes of XML. The zip reader never unpacks a part
    beyond its declared size, so adding up the declared sizes bounds the work.
    """
    limits = limits or UploadSettings()
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return Problem(Code.NOT_PARSEABLE_XLSX)
    if unpacked > limits.max_unpacked_bytes:
        return Problem(
            Code.FILE_TOO_LARGE_UNPACKED,
            {"size_mb": unpacked / 1048576, "limit_mb": limits.max_unpacked_bytes / 1048576},
        )
    return None


def read_xlsx(
    content: bytes, looks_like_header: LooksLikeHeader, limits: UploadSettings | None = None
) -> tuple[pd.DataFrame | None, str, Problem | None]:
    """The first sheet that has a header row (else the first sheet with content) as a grid.

    Refused unopened when the parts unpack to more than ``limits.max_unpacked_bytes``, and unread
    past ``limits.max_cells`` cells or a row wider than ``MAX_COLUMNS``.
    """
    from openpyxl import load_workbook  # imported here: openpyxl is slow to import and CSV needs none of it

    limits = limits or UploadSettings()
    refused = unpacked_problem(content, limits)
    if refused is not None:
        return None, "xlsx", refused
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        return None, "xlsx", Problem(Code.NOT_PARSEABLE_XLSX)
    cells = 0
    try:
        grids = []
        for sheet in book.worksheets:
            # openpyxl hands out cells one by one in Python anyway; the number format is only known
            # per cell, and a cell shown as "93.5%" holds 0.935.
            rows = []
            for number, row in enumerate(sheet.iter_rows(), start=1):
                cells += len(row)
                if len(row) > MAX_COLUMNS:
                    return None, "xlsx", Problem(Code.TOO_MANY_COLUMNS, {"n": len(row), "max": MAX_COLUMNS}, row=number)
                if cells > limits.max_cells:
                    return None, "xlsx", Problem(Code.TOO_MANY_CELLS, {"max": limits.max_cells})
                rows.append([cell_text(c) for c in row])
            grid = pd.DataFrame(rows)
            grid.index = np.arange(1, len(grid) + 1)
            grid = drop_blank_rows(grid.fillna(""))
            if not grid.empty:
                grids.append((sheet.title, grid))
    finally:
        book.close()
    if not grids:
        return pd.DataFrame(), "xlsx", None
    # Every sheet with a header row is a table someone may mean: with two or more, which one to
    # store would be a guess, so the reader is asked to keep only that one.
    tables = [(title, g) for title, g in grids if header_row(g, looks_like_header) is not None]
    if len(tables) > 1:
        names = "、".join(f"“{shown_text(title)}”" for title, _ in tables[:10])
        return None, "xlsx", Problem(Code.SEVERAL_SHEETS, {"n": len(tables), "names": names})
    best = tables[0][1] if tables else grids[0][1]
    return best, "xlsx", None


def header_row(grid: pd.DataFrame, looks_like_header: LooksLikeHeader) -> int | None:
    """The Excel row number of the first header row among the first rows, or None."""
    for row in grid.index[:_HEADER_ROWS]:
        if looks_like_header(grid.loc[row]):
            return int(row)
    return None


def cell_text(cell: Any) -> str:
    """An openpyxl cell as the text a person sees (``93.5`` for a cell formatted ``0.0%``)."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        if "%" in (getattr(cell, "number_format", "") or ""):
            value = round(value * 100, 10)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return repr(value) if isinstance(value, float) else str(value)
    return str(value)


def strip_cells(cells: pd.Series) -> pd.Series:
    """Cell texts without surrounding spaces (computed once per distinct text)."""
    return by_distinct(cells, lambda u: u.fillna("").astype(str).str.strip()).astype(object)


def drop_blank_rows(grid: pd.DataFrame) -> pd.DataFrame:
    """The grid without rows whose cells are all blank, and without columns blank everywhere."""
    if grid.empty:
        return grid
    blank = np.column_stack([(strip_cells(grid[c]) == "").to_numpy() for c in grid.columns])
    keep = grid.loc[~blank.all(axis=1)]
    # Columns that are empty everywhere (trailing commas) only get in the way.
    used = ~blank[~blank.all(axis=1)].all(axis=0)
    return keep.loc[:, used] if len(keep) else keep
