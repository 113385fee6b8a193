"""Hostile uploads, made on the fly from a seed (nothing large is committed to the repository).

Each case is a file a hostile or careless user could send, with what the intake must answer: the
code of its first error, or ``""`` for a file that is accepted (with its problems bounded). Two
sizes of the same corpus: ``cases(rules)`` is small enough for the tests
(``tests/test_hostile_uploads.py``), ``cases(rules, full=True)`` builds each worst case up to the
upload limits (``python -m dashboard bench-limits`` times them).
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from ..rules import RuleSet
from ..rules.models import UploadSettings

HEADER = ["区县", "指标", "年份", "数值"]
TASK_HEADER = ["任务代码", "年份", "状态", "备注"]
_SHEET = "xl/worksheets/sheet1.xml"


@dataclass(frozen=True)
class Case:
    """One hostile file: its name, bytes and the expected answer."""

    name: str
    content: bytes
    code: str  # the message id of the first error the intake must report; "" when the file is accepted
    what: str  # one line: what makes the file hostile
    limits: dict = field(default_factory=dict)  # ``upload`` settings to use instead of the configured ones


def workbook(rows: list[list[object]]) -> bytes:
    """A real .xlsx (openpyxl) with ``rows`` on its only sheet."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_part(xlsx: bytes, part: str, chunks: Iterable[bytes], zip64: bool = True) -> bytes:
    """``xlsx`` with ``part`` replaced by the ``chunks`` streamed into it, compressed as hard as zip can.

    Streamed so that neither the corpus nor the test ever holds the unpacked part: repetitive XML
    compresses about 300:1, so a few megabytes declare hundreds of megabytes or more. ``zip64``
    (needed past 2 GB) keeps the part's sizes in an extra field instead of its headers.
    """
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zipped,
    ):
        for info in source.infolist():
            if info.filename != part:
                zipped.writestr(info, source.read(info.filename))
        with zipped.open(part, "w", force_zip64=zip64) as stream:
            for chunk in chunks:
                stream.write(chunk)
    return out.getvalue()


def repeated(unit: bytes, size: int) -> Iterator[bytes]:
    """``unit`` repeated to at least ``size`` bytes, a megabyte at a time."""
    chunk = unit * max(1, (1 << 20) // len(unit))
    for _ in range(0, size, len(chunk)):
        yield chunk


def _cell(value: object) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"<c><v>{value}</v></c>"
    return f'<c t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def sheet_xml(rows: Iterable[Iterable[object]]) -> Iterator[bytes]:
    """A worksheet's XML for ``rows`` (inline strings, no shared strings), a few thousand rows a chunk."""
    yield (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    )
    batch: list[str] = []
    for number, row in enumerate(rows, start=1):
        batch.append(f'<row r="{number}">' + "".join(map(_cell, row)) + "</row>")
        if len(batch) == 4096:
            yield "".join(batch).encode()
            batch = []
    yield "".join(batch).encode() + b"</sheetData></worksheet>"


def big_workbook(rows: Iterable[Iterable[object]]) -> bytes:
    """An .xlsx of many rows, written as XML directly (openpyxl would take minutes for millions of cells)."""
    return with_part(workbook([["x"]]), _SHEET, sheet_xml(rows))


def with_shared_strings(xlsx: bytes, text: Iterable[bytes], sheet: bytes | None = None) -> bytes:
    """``xlsx`` with shared strings streamed from ``text`` (``<si>`` elements, the first one open).

    The sheet becomes ``sheet`` (its XML), by default one cell, A1, showing the first string.
    """
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source:
        rels = source.read("xl/_rels/workbook.xml.rels").replace(
            b"</Relationships>",
            b'<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships/sharedStrings"/></Relationships>',
        )
    main = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    if sheet is None:
        sheet = (
            b"<worksheet " + main + b'><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
        )
    xlsx = with_part(with_part(xlsx, "xl/_rels/workbook.xml.rels", [rels]), _SHEET, [sheet])
    return with_part(xlsx, "xl/sharedStrings.xml", [b"<sst " + main + b"><si><t>", *text, b"</t></si></sst>"])


def lying_sizes(xlsx: bytes, part: str, declared: int) -> bytes:
    """``xlsx`` whose ``part`` declares ``declared`` unpacked bytes in the zip's directory, fewer than it holds.

    A zip states each part's size; a hostile one may understate it, so that adding up the declared
    sizes admits it. The zip reader never unpacks past the declared size (the part then fails its
    checksum): this case shows that the intake trusts the declaration only that far.
    """
    data = bytearray(xlsx)
    name = part.encode()
    at = data.find(b"PK\x01\x02")  # the central directory
    while at >= 0:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + name_len]) == name:
            struct.pack_into("<I", data, at + 24, declared)
        at = data.find(b"PK\x01\x02", at + 46)
    local = data.find(b"PK\x03\x04")
    while local >= 0:
        name_len = struct.unpack_from("<H", data, local + 26)[0]
        if bytes(data[local + 30 : local + 30 + name_len]) == name:
            struct.pack_into("<I", data, local + 22, declared)
        local = data.find(b"PK\x03\x04", local + 30)
    return bytes(data)


def _csv(header: list[str], rows: Iterable[str]) -> bytes:
    return (",".join(header) + "\n" + "".join(rows)).encode()


def accepted_rows(rules: RuleSet, n: int, seed: int) -> list[list[object]]:
    """``n`` rows of valid demo values (area, indicator, year, value): every key once, then repeated."""
    from ..demo.generate import generate  # the demo's plausible values: every row passes validation

    demo = generate(rules, seed=seed).dropna(subset=["value"])
    rows = [[a, i, int(y), float(v)] for a, i, y, v in demo[["area", "indicator", "year", "value"]].itertuples(False)]
    return [rows[k % len(rows)] for k in range(n)]


CASE_NAMES = (
    "bomb_sheet.xlsx",
    "bomb_strings.xlsx",
    "lying_sizes.xlsx",
    "broken_xml.xlsx",
    "many_cells.xlsx",
    "many_rows.xlsx",
    "wide_row.xlsx",
    "long_cell.xlsx",
    "long_string.xlsx",
    "many_strings.xlsx",
    "shown_strings.xlsx",
    "distinct_cells.csv",
    "wide_line.csv",
    "many_cells.csv",
    "many_rows.csv",
    "huge_cell.csv",
    "huge_quoted_cell.csv",
    "long_note.csv",
    "nul_in_note.csv",
    "not_a_zip.xlsx",
    "one_key_many_values.csv",
    "unknown_names.csv",
    "one_task_many_statuses.csv",
    "largest_accepted.csv",
    "largest_accepted.xlsx",
)


def cases(rules: RuleSet, seed: int = 14, *, full: bool = False, only: Iterable[str] | None = None) -> list[Case]:
    """The hostile corpus, the same for the same seed; ``full``: each case built up to the upload limits.

    ``only`` builds the named cases alone (a full corpus takes a minute to generate).
    """
    limits: UploadSettings = rules.settings.upload
    wanted = set(only) if only is not None else set(CASE_NAMES)
    makers = _makers(rules, limits, full, seed)
    return [makers[name]() for name in CASE_NAMES if name in wanted]


def _makers(rules: RuleSet, limits: UploadSettings, full: bool, seed: int) -> dict[str, Callable[[], Case]]:
    # Each case draws from its own generator, so a case is the same whether built alone or with the rest.
    def rng(name: str) -> random.Random:
        return random.Random(f"{seed}-{name}")

    areas = ["万州区", "江津区", "綦江区"]
    small = [HEADER] + [[a, "W04", 2024, round(rng("small").uniform(80, 99), 1)] for a in areas]
    row_xml = b'<row><c t="inlineStr"><is><t>0</t></is></c></row>'
    strings = b"<si><t>" + b"x" * 200 + b"</t></si>"
    # The bombs declare far more than the unpacked limit (refused by the declaration alone);
    # "full" declares a gigabyte.
    bomb = (1 << 30) if full else (250 << 20)
    # A file "up to the upload limit" fills max_bytes, or max_rows where rows run out first.
    fill_bytes = limits.max_bytes - 4096
    rows_full = limits.max_rows - 1  # data rows below the header, within max_rows
    cell_chars = fill_bytes // 3 if full else 3_400_000  # 注 is 3 bytes: up to the limit, or 10.2 MB

    def bomb_sheet() -> Case:
        content = with_part(workbook(small), _SHEET, repeated(row_xml, bomb))
        return Case("bomb_sheet.xlsx", content, "FILE_TOO_LARGE.unpacked", "a sheet that unpacks to gigabytes")

    def bomb_strings() -> Case:
        content = with_part(workbook(small), "xl/sharedStrings.xml", repeated(strings, bomb))
        return Case(
            "bomb_strings.xlsx", content, "FILE_TOO_LARGE.unpacked", "a shared-strings part that unpacks to gigabytes"
        )

    def lying() -> Case:
        # 150 MB of rows (refused when counted honestly) declared as 1 MB: the zip reader stops at
        # the declared size and the checksum fails, so the file is unreadable, never read past.
        content = with_part(workbook(small), _SHEET, repeated(row_xml, 150 << 20), zip64=False)
        return Case(
            "lying_sizes.xlsx",
            lying_sizes(content, _SHEET, 1 << 20),
            "NOT_PARSEABLE.xlsx",
            "a sheet that declares 1 MB and holds 150 MB",
        )

    def broken_xml() -> Case:
        # Rows without a root element: the XML parser fails inside the sheet, not on opening.
        content = with_part(workbook(small), _SHEET, repeated(row_xml, 1 << 20))
        return Case("broken_xml.xlsx", content, "NOT_PARSEABLE.xlsx", "a sheet whose XML breaks after its first row")

    def many_cells_xlsx() -> Case:
        if full:  # the real limit: one cell more than max_cells, four to a row
            n = limits.max_cells // 4 + 1
            content = big_workbook([HEADER] + [[areas[k % 3], "W04", 2024, k] for k in range(n)])
            return Case("many_cells.xlsx", content, "TOO_MANY_CELLS", f"{4 * (n + 1):,} cells in a workbook")
        content = workbook([HEADER] + [[areas[k % 3], "W04", 2024, k] for k in range(300)])
        return Case("many_cells.xlsx", content, "TOO_MANY_CELLS", "1,204 cells (limit 1,000 here)", {"max_cells": 1000})

    def many_rows_xlsx() -> Case:
        # One cell a row: within max_cells, one row over max_rows (the tests use a limit of 1,000).
        n = (limits.max_rows if full else 1000) + 1
        content = big_workbook([["区县"]] + [[k] for k in range(n - 1)])
        what = f"{n:,} rows of one cell in a workbook"
        return Case("many_rows.xlsx", content, "TOO_MANY_ROWS", what, {} if full else {"max_rows": 1000})

    def wide_row() -> Case:
        width = 16_384 if full else 1500  # Excel's widest row, or just over the limit
        content = workbook([HEADER, ["万州区", "W04", 2024, 90, *range(width - 4)]])
        return Case("wide_row.xlsx", content, "TOO_MANY_COLUMNS", f"one row {width:,} cells wide")

    def long_cell_xlsx() -> Case:
        # In the sheet (an inline string): refused where it is, the sheet not read further.
        chars = (limits.max_unpacked_bytes // 2) if full else limits.max_cell_chars + 1
        content = big_workbook([HEADER, ["万州区", "W04", 2024, "9" * chars]])
        return Case("long_cell.xlsx", content, "CELL_TOO_LONG.unread", f"a cell of {chars:,} characters")

    def long_string_xlsx() -> Case:
        # In the shared strings, which are read before any sheet: refused there.
        chars = (limits.max_unpacked_bytes // 2) if full else limits.max_cell_chars + 1
        content = with_shared_strings(workbook(small), repeated(b"9", chars))
        return Case("long_string.xlsx", content, "CELL_TOO_LONG.unread", f"a shared string of {chars:,} characters")

    def many_strings_xlsx() -> Case:
        # As many shared strings as cells allowed, as long as the unpacked limit allows, none shown:
        # read only as far as a cell asks, they cost nothing.
        n = limits.max_cells if full else 1000
        size = int(limits.max_unpacked_bytes * 0.95) // n - 20 if full else 100
        strings = (f"{k:09d}".encode() + b"x" * (size - 9) + b"</t></si><si><t>" for k in range(n - 1))
        content = with_shared_strings(workbook(small), [*strings, b"end"], b"".join(sheet_xml(small)))
        return Case("many_strings.xlsx", content, "", f"{n:,} shared strings of {size:,} characters, none shown")

    def shown_strings_xlsx() -> Case:
        # Every cell a different shared string: as many cells as allowed, ten to a row, the strings
        # as long as the unpacked limit leaves room for (the sheet's XML takes ~40 bytes a cell).
        width = 10
        n = (limits.max_cells // width - 1) * width if full else 1000
        size = max(10, (int(limits.max_unpacked_bytes * 0.9) - 45 * n) // n - 20) if full else 20
        strings = (f"{k:09d}".encode() + b"x" * (size - 9) + b"</t></si><si><t>" for k in range(n - 1))
        main = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
        head = "".join(f'<c t="inlineStr"><is><t>{escape(h)}</t></is></c>' for h in HEADER).encode()
        rows = [b"<worksheet " + main + b'><sheetData><row r="1">' + head + b"</row>"]
        for r in range(n // width):
            cells = "".join(f'<c t="s"><v>{r * width + k}</v></c>' for k in range(width))
            rows.append(f'<row r="{r + 2}">{cells}</row>'.encode())
        rows.append(b"</sheetData></worksheet>")
        content = with_shared_strings(workbook(small), [*strings, b"end"], b"".join(rows))
        what = f"{n:,} cells, each a different shared string of {size} characters"
        return Case("shown_strings.xlsx", content, "UNKNOWN_AREA", what)

    def distinct_cells_csv() -> Case:
        # Every cell a different text, as many cells as allowed (ten to a line) and as long as the
        # upload limit leaves room for: the most distinct texts a CSV within the limits holds.
        width = 10
        lines = limits.max_cells // width - 1 if full else 100
        size = max(10, (fill_bytes // (lines * width)) - 2) if full else 20
        rows = (",".join(f"{r * width + k:09d}" + "x" * (size - 9) for k in range(width)) + "\n" for r in range(lines))
        content = _csv([*HEADER, *(f"列{k}" for k in range(width - len(HEADER)))], rows)
        what = f"{lines * width:,} cells, each a different text of {size} characters"
        return Case("distinct_cells.csv", content, "UNKNOWN_AREA", what)

    def wide_line() -> Case:
        rest = ("区县,指标,年份,数值\n\n" + "万州区,W04,2024,90\n" * 3000).encode()
        commas = fill_bytes - len(rest) if full else 2_000_000
        content = ("区县,指标,年份,数值\n" + "," * commas + "\n" + "万州区,W04,2024,90\n" * 3000).encode()
        return Case("wide_line.csv", content, "TOO_MANY_COLUMNS", f"one line of {commas:,} commas among short lines")

    def many_cells_csv() -> Case:
        # Lines × the widest line is the grid pandas would build: a line of 999 commas widens every line.
        lines = limits.max_cells // limits.max_columns + 1
        body = "万州区,W04,2024,90\n" * (lines - 2)
        content = ("区县,指标,年份,数值\n" + "," * (limits.max_columns - 1) + "\n" + body).encode()
        return Case("many_cells.csv", content, "TOO_MANY_CELLS.csv", f"{lines:,} lines, one of them 1,000 cells wide")

    def many_rows_csv() -> Case:
        n = limits.max_rows + 1
        content = _csv(HEADER, ["万州区,W04,2024,90\n"] * (n - 1))
        return Case("many_rows.csv", content, "TOO_MANY_ROWS", f"{n:,} lines")

    def huge_cell() -> Case:
        content = ("区县,指标,年份,数值,备注\n万州区,W04,2024,90," + "注" * cell_chars + "\n").encode()
        return Case("huge_cell.csv", content, "CELL_TOO_LONG", f"one cell of {len(content) >> 20} MB")

    def huge_quoted_cell() -> Case:
        # Quoted and across lines, so only the CSV parser knows where the cell ends.
        note = ("注" * 1000 + "\n") * (cell_chars // 1001)
        content = ('区县,指标,年份,数值,备注\n万州区,W04,2024,90,"' + note + '"\n').encode()
        return Case(
            "huge_quoted_cell.csv", content, "CELL_TOO_LONG", f"one quoted cell of {len(content) >> 20} MB, many lines"
        )

    def long_note() -> Case:
        content = ("区县,指标,年份,数值,备注\n万州区,W04,2024,90," + "注" * 3000 + "\n").encode()
        return Case("long_note.csv", content, "NOTE_TOO_LONG", "a note of 3,000 characters")

    def nul_in_note() -> Case:
        # Past the first 64 KB a binary check looks at, a NUL byte would cut the note short.
        n = rows_full - 1 if full else 4000
        content = _csv(
            ["区县", "指标", "年份", "数值", "备注"],
            ["万州区,W04,2024,90,正常\n"] * n + ["万州区,W02,2024,80,前半\x00后半\n"],
        )
        return Case("nul_in_note.csv", content, "CONTROL_CHARACTER", f"a NUL byte in row {n + 2:,}")

    def not_a_zip() -> Case:
        size = fill_bytes if full else 4096
        content = b"PK\x03\x04" + rng("not_a_zip").randbytes(size)
        return Case("not_a_zip.xlsx", content, "NOT_PARSEABLE.xlsx", f"{size:,} random bytes named .xlsx")

    def one_key() -> Case:
        n = rows_full if full else 8000
        content = _csv(HEADER, [f"万州区,W04,2024,{50 + k / 10_000:.4f}\n" for k in range(n)])
        return Case(
            "one_key_many_values.csv", content, "CONFLICTING_DUPLICATE", f"{n:,} rows of one key, each another value"
        )

    def unknown_names() -> Case:
        n = rows_full if full else min(100_000, rows_full)  # the 100,000, within max_rows
        content = _csv(HEADER, [f"万州区,未知{k:07d}号,2024,1\n" for k in range(n)])
        return Case("unknown_names.csv", content, "UNKNOWN_INDICATOR", f"{n:,} distinct unknown indicator names")

    def one_task() -> Case:
        n = rows_full if full else 8000
        statuses = ["未开始", "推进中", "已完成", "滞后"]
        content = _csv(TASK_HEADER, [f"WP2020-01,2024,{statuses[k % 4]},第{k}次\n" for k in range(n)])
        return Case(
            "one_task_many_statuses.csv",
            content,
            "CONFLICTING_DUPLICATE.task",
            f"{n:,} rows of one task and year, their statuses in turn",
        )

    def largest_csv() -> Case:
        n = rows_full if full else 2000
        rows = accepted_rows(rules, n, seed)
        content = _csv(HEADER, [f"{a},{i},{y},{v:g}\n" for a, i, y, v in rows])
        return Case("largest_accepted.csv", content, "", f"{n:,} valid rows (every key once, then repeated)")

    def largest_xlsx() -> Case:
        n = min(limits.max_rows - 1, limits.max_cells // 4 - 1) if full else 2000
        content = big_workbook([HEADER, *accepted_rows(rules, n, seed)])
        return Case("largest_accepted.xlsx", content, "", f"{n:,} valid rows in a workbook")

    return {
        "bomb_sheet.xlsx": bomb_sheet,
        "bomb_strings.xlsx": bomb_strings,
        "lying_sizes.xlsx": lying,
        "broken_xml.xlsx": broken_xml,
        "many_cells.xlsx": many_cells_xlsx,
        "many_rows.xlsx": many_rows_xlsx,
        "wide_row.xlsx": wide_row,
        "long_cell.xlsx": long_cell_xlsx,
        "long_string.xlsx": long_string_xlsx,
        "many_strings.xlsx": many_strings_xlsx,
        "shown_strings.xlsx": shown_strings_xlsx,
        "distinct_cells.csv": distinct_cells_csv,
        "wide_line.csv": wide_line,
        "many_cells.csv": many_cells_csv,
        "many_rows.csv": many_rows_csv,
        "huge_cell.csv": huge_cell,
        "huge_quoted_cell.csv": huge_quoted_cell,
        "long_note.csv": long_note,
        "nul_in_note.csv": nul_in_note,
        "not_a_zip.xlsx": not_a_zip,
        "one_key_many_values.csv": one_key,
        "unknown_names.csv": unknown_names,
        "one_task_many_statuses.csv": one_task,
        "largest_accepted.csv": largest_csv,
        "largest_accepted.xlsx": largest_xlsx,
    }
