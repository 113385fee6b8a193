"""Bytes → a grid of cell texts, once, for every kind of uploaded file.

An uploaded file arrives as bytes from a browser or a disk. This module alone knows file formats:
the size limit, empty files, things that are not tables at all (a PDF, a picture), the text
encodings Excel writes on Chinese Windows (UTF-8 with or without BOM, GBK/GB18030, UTF-16 "Unicode
text"), the CSV delimiter, and .xlsx workbooks (numbers formatted as % are read as shown). What
comes out is a :class:`pandas.DataFrame` of stripped strings indexed by the row number a person
sees in Excel (first line = row 1), without blank rows and columns. What a header means is the
file kind's business (:mod:`.file_kind`), not this module's.

Every limit of ``settings.yaml`` ``upload:`` that bounds the grid is checked here before the work
it bounds: the bytes before decoding, a workbook's unpacked size and its cells and rows (counted
in the unpacked XML) before a cell is read, a CSV's lines, widest line and cells before pandas
builds the grid, and the characters of any one cell before any cell is compared or quoted.
"""

from __future__ import annotations

import io
import operator
import os
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar
from xml.parsers.expat import ExpatError

import numpy as np
import pandas as pd

from ..messages import Code, Msg, Problem
from ..rules import RuleSet
from ..rules.models import UploadSettings
from .cells import by_distinct, shown_items, shown_text

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
    sheet: str | None = None,
) -> pd.DataFrame | None:
    """The file's cells as a string grid without blank rows, or None with the reason in ``report``.

    ``sheet``: the workbook sheet to read alone (the upload form's or ``import --sheet``'s choice).
    """
    too_big = size_problem(len(content), max_upload_bytes(rules, max_bytes))
    if too_big is not None:
        report.problems.append(too_big)
        return None
    if not content.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        report.problems.append(Problem(Code.EMPTY_FILE))
        return None
    grid, encoding, problem = read_grid(content, file_name, looks_like_header, rules.settings.upload, sheet)
    report.encoding = encoding
    if problem is not None:
        report.problems.append(problem)
        return None
    if grid is not None and encoding != "xlsx":  # a workbook's sheets come without blank rows already
        grid = drop_blank_rows(grid)
    if grid is None or grid.empty:
        report.problems.append(Problem(Code.EMPTY_FILE_NO_CONTENT))
        return None
    return grid


def read_grid(
    content: bytes,
    file_name: str,
    looks_like_header: LooksLikeHeader,
    limits: UploadSettings | None = None,
    sheet: str | None = None,
) -> tuple[pd.DataFrame | None, str, Problem | None]:
    """(cell texts indexed by Excel row number, encoding, problem) for a CSV/TSV/xlsx file."""
    is_zip = content[:4] == b"PK\x03\x04"
    if is_zip or file_name.lower().endswith((".xlsx", ".xlsm")):
        if not is_zip:
            return None, "xlsx", Problem(Code.NOT_PARSEABLE_NOT_XLSX)
        return read_xlsx(content, looks_like_header, limits, sheet)
    if sheet is not None:  # a sheet asked of a text file: said, never ignored
        return None, "", Problem(Code.SHEET_NOT_A_WORKBOOK, {"name": shown_text(sheet)})
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
    grid, problem = read_csv_text(text, limits)
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


def read_csv_text(text: str, limits: UploadSettings | None = None) -> tuple[pd.DataFrame | None, Problem | None]:
    """A decoded CSV/TSV text as a grid of strings; the delimiter is the commonest in the first line.

    Refused unread past ``limits.max_rows`` lines, a line wider than ``limits.max_columns``, more
    than ``limits.max_cells`` cells (lines × widest line: the size of the grid pandas would build)
    or a cell longer than ``limits.max_cell_chars``.
    """
    limits = limits or UploadSettings()
    # Counted before the text is split: 10 MB of line breaks would be 10 million lines in a list.
    n_lines = max(text.count("\n"), text.count("\r")) + (not text.endswith(("\n", "\r")))
    if n_lines > limits.max_rows:
        return None, Problem(Code.TOO_MANY_ROWS, {"n": n_lines, "max": limits.max_rows})
    lines = text.splitlines()
    if len(lines) > limits.max_rows:  # other line breaks (U+2028 …) that splitlines also honours
        return None, Problem(Code.TOO_MANY_ROWS, {"n": len(lines), "max": limits.max_rows})
    first = next((ln for ln in lines[:50] if ln.strip(" ,;\t")), "")
    delimiter = max((",", "\t", ";"), key=first.count) if first else ","
    # An upper bound on the fields in any line (a quoted delimiter only adds an empty column), so
    # rows with trailing commas never make the parser fail. map() runs str.count at C speed.
    counts = list(map(operator.methodcaller("count", delimiter), lines))
    width = max(counts, default=0) + 1
    if width > limits.max_columns:
        # Every row is sized to the widest line: one line of a million commas would need gigabytes.
        row = counts.index(width - 1) + 1
        return None, Problem(Code.TOO_MANY_COLUMNS, {"n": width, "max": limits.max_columns}, row=row)
    if width * len(lines) > limits.max_cells:
        return None, Problem(
            Code.TOO_MANY_CELLS_CSV,
            {"n": width * len(lines), "rows": len(lines), "columns": width, "max": limits.max_cells},
        )
    if len(text) > limits.max_cell_chars and '"' not in text:
        # Without quotes a line's cells are its pieces between delimiters: a cell too long is found
        # here, before pandas copies the text twice over (with quotes, after parsing, below).
        for number, line in enumerate(lines, start=1):
            if len(line) > limits.max_cell_chars:
                pieces = line.split(delimiter)
                longest = max(pieces, key=len)
                if len(longest) > limits.max_cell_chars:
                    return None, cell_too_long(len(longest), limits, number, pieces.index(longest) + 1)
    del lines, counts  # a copy of the text, not needed while pandas makes its own
    try:
        grid = pd.read_csv(
            # As UTF-8 bytes: a StringIO would hold the text at four bytes a character.
            io.BytesIO(text.encode("utf-8")),
            encoding="utf-8",
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
    if len(text) > limits.max_cell_chars:  # a shorter text cannot hold a cell that long
        for position, column in enumerate(grid.columns, start=1):
            lengths = grid[column].str.len()
            chars = int(lengths.max()) if len(lengths) else 0
            if chars > limits.max_cell_chars:
                return None, cell_too_long(chars, limits, int(lengths.idxmax()), position)
    return grid, None


def column_letter(position: int) -> str:
    """The letters Excel heads column ``position`` with (1 → A, 27 → AA)."""
    letters = ""
    while position > 0:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_too_long(n: int, limits: UploadSettings, row: int, position: int) -> Problem:
    """CELL_TOO_LONG at a cell named as Excel names it (no header is known yet: the column's letter)."""
    return Problem(Code.CELL_TOO_LONG, {"n": n, "max": limits.max_cell_chars}, row=row, column=column_letter(position))


def unpacked_problem(content: bytes, limits: UploadSettings | None = None) -> Problem | None:
    """Why a workbook must not be opened: it is no zip, or its parts unpack to more than the limit.

    Checked before the workbook is opened: a sheet or the shared strings could be read whole, and
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


# A cell (<c …>), a row (<row …>) and a shared string (<si …>) element, with or without a namespace
# prefix. '<' cannot occur in XML text, so only tags match (a comment or CDATA could add a few:
# counted, never missed).
_COUNTED_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(c|row|si)[\s/>]")
# The last workbook counted: the kind of an upload is recognised from its header before it is read,
# and both steps count first. Keyed by the bytes' hash and length, so no upload is held here.
_last_count: list[tuple[tuple[int, int, UploadSettings], Problem | None]] = []


def counted_problem(content: bytes, limits: UploadSettings | None = None) -> Problem | None:
    """TOO_MANY_CELLS or TOO_MANY_ROWS for a workbook whose XML holds more, before a cell is parsed.

    The parts are streamed through zlib and their tags counted by one regular expression (about
    half a second for the largest workbook the unpacked limit admits), so an oversized sheet is
    refused quickly, and a workbook within the limits is known to be before it is read. More shared
    strings than cells allowed are refused too: no sheet could show them all. Call after
    :func:`unpacked_problem`.
    """
    limits = limits or UploadSettings()
    key = (hash(content), len(content), limits)
    if _last_count and _last_count[0][0] == key:
        return _last_count[0][1]
    problem = _count(content, limits)
    _last_count[:] = [(key, problem)]
    return problem


def _count(content: bytes, limits: UploadSettings) -> Problem | None:
    tags = {b"c": 0, b"row": 0, b"si": 0}
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for info in archive.infolist():
                if not info.filename.lower().endswith(".xml"):
                    continue
                with archive.open(info) as part:
                    carry = b""
                    while chunk := part.read(1 << 20):
                        text = carry + chunk
                        cut = text.rfind(b"<")
                        # A tag cut by the chunk's end is counted with the next chunk.
                        text, carry = (text, b"") if cut < 0 or len(text) - cut > 512 else (text[:cut], text[cut:])
                        found = _COUNTED_TAG.findall(text)
                        for name in tags:
                            tags[name] += found.count(name)
                    for name in _COUNTED_TAG.findall(carry):
                        tags[name] += 1
                if tags[b"c"] > limits.max_cells or tags[b"si"] > limits.max_cells:
                    return Problem(Code.TOO_MANY_CELLS, {"max": limits.max_cells})
                if tags[b"row"] > limits.max_rows:
                    return Problem(Code.TOO_MANY_ROWS, {"n": tags[b"row"], "max": limits.max_rows})
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error):
        return Problem(Code.NOT_PARSEABLE_XLSX)
    return None


# How a damaged or hostile workbook can fail: broken XML (ExpatError), a part that fails its checksum
# (BadZipFile), a missing part (KeyError), a declaration refused or a bad number (ValueError), an
# index past the shared strings (IndexError) …
XLSX_ERRORS = (
    zipfile.BadZipFile,
    ExpatError,
    KeyError,
    OSError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    SyntaxError,
    EOFError,
    zlib.error,
)


def read_xlsx(
    content: bytes, looks_like_header: LooksLikeHeader, limits: UploadSettings | None = None, sheet: str | None = None
) -> tuple[pd.DataFrame | None, str, Problem | None]:
    """The sheet that has a header row (else the first sheet with content) as a grid.

    Two sheets with a header row are SEVERAL_SHEETS, listing them; ``sheet`` names the one to read
    alone (SHEET_NOT_FOUND, listing the sheets, when the workbook has none of that name).

    Refused unopened when the parts unpack to more than ``limits.max_unpacked_bytes`` or hold more
    than ``limits.max_cells`` cells or ``limits.max_rows`` rows; reading stops at a row wider than
    ``limits.max_columns``, past either count (rows a sheet skips are rows too) or at a cell longer
    than ``limits.max_cell_chars``.
    """
    # Imported here: it imports a little of openpyxl (number formats, dates), and CSV needs none of it.
    from .xlsx_reader import TextTooLong, TooWide, Workbook

    limits = limits or UploadSettings()
    refused = unpacked_problem(content, limits) or counted_problem(content, limits)
    if refused is not None:
        return None, "xlsx", refused
    try:
        book = Workbook(content, limits.max_cell_chars)
    except TextTooLong:  # a shared string no cell may show
        return None, "xlsx", Problem(Code.CELL_TOO_LONG_UNREAD, {"max": limits.max_cell_chars})
    except XLSX_ERRORS:
        return None, "xlsx", Problem(Code.NOT_PARSEABLE_XLSX)
    cells = 0
    try:
        worksheets = book.worksheets
        if sheet is not None:
            chosen = chosen_sheet(book.sheetnames, sheet)
            if chosen is None:
                names = shown_items([f"“{shown_text(name)}”" for name in book.sheetnames])
                return None, "xlsx", Problem(Code.SHEET_NOT_FOUND, {"name": shown_text(sheet), "names": names})
            worksheets = [book[chosen]]
        grids = []
        for worksheet in worksheets:
            # Each cell's text as shown (a cell formatted "93.5%" holds 0.935), at its Excel row.
            numbers, rows = [], []
            for number, texts in worksheet.iter_rows(max_column=limits.max_columns):
                cells += len(texts)
                if cells > limits.max_cells:
                    return None, "xlsx", Problem(Code.TOO_MANY_CELLS, {"max": limits.max_cells})
                if number > limits.max_rows:
                    return None, "xlsx", Problem(Code.TOO_MANY_ROWS, {"n": number, "max": limits.max_rows})
                numbers.append(number)
                rows.append(texts)
            grid = pd.DataFrame(rows, index=np.asarray(numbers, dtype="int64"))
            grid = drop_blank_rows(grid.fillna(""))
            if not grid.empty:
                grids.append((worksheet.title, grid))
    except TooWide as wide:
        problem = Problem(Code.TOO_MANY_COLUMNS, {"n": wide.column, "max": limits.max_columns}, row=wide.row)
        return None, "xlsx", problem
    except TextTooLong as long:
        column = column_letter(long.column) if long.column else None
        return (
            None,
            "xlsx",
            Problem(Code.CELL_TOO_LONG_UNREAD, {"max": limits.max_cell_chars}, row=long.row, column=column),
        )
    except XLSX_ERRORS:  # broken XML in a sheet, a part that fails its checksum …
        return None, "xlsx", Problem(Code.NOT_PARSEABLE_XLSX)
    finally:
        book.close()
    if not grids:
        return pd.DataFrame(), "xlsx", None
    # Every sheet with a header row is a table someone may mean: with two or more, which one to
    # store would be a guess, so the reader is asked to keep only that one.
    tables = [(title, g) for title, g in grids if header_row(g, looks_like_header) is not None]
    if len(tables) > 1:
        names = shown_items([f"“{shown_text(title)}”" for title, _ in tables])  # joined in the reader's language
        # ``sheets``: every one, as the workbook spells it, for the upload form's sheet picker.
        sheets = [title for title, _ in tables]
        return None, "xlsx", Problem(Code.SEVERAL_SHEETS, {"n": len(tables), "names": names, "sheets": sheets})
    best = tables[0][1] if tables else grids[0][1]
    return best, "xlsx", None


def chosen_sheet(names: list[str], wanted: str) -> str | None:
    """The sheet of ``names`` that ``wanted`` names: spelled exactly, else the one that matches it
    once full-width letters, case and surrounding spaces are set aside (``import --sheet`` typed in a
    terminal); None when none or several do."""
    if wanted in names:
        return wanted

    def loose(text: str) -> str:
        return unicodedata.normalize("NFKC", text).strip().casefold()

    hits = [name for name in names if loose(name) == loose(wanted)]
    return hits[0] if len(hits) == 1 else None


def header_row(grid: pd.DataFrame, looks_like_header: LooksLikeHeader) -> int | None:
    """The Excel row number of the first header row among the first rows, or None."""
    for row in grid.index[:_HEADER_ROWS]:
        if looks_like_header(grid.loc[row]):
            return int(row)
    return None


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
