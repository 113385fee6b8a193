"""Hostile uploads, made on the fly from a seed (nothing large is committed to the repository).

Each case is a file a hostile or careless user could send, with the problem code the intake must
answer with. ``tests/test_hostile_uploads.py`` feeds every case through the real intake and checks
the answer, and that the store did not change.
"""

from __future__ import annotations

import io
import random
import zipfile
from dataclasses import dataclass

HEADER = ["区县", "指标", "年份", "数值"]


@dataclass(frozen=True)
class Case:
    name: str
    content: bytes
    code: str  # the problem code the intake must report
    limits: dict | None = None  # ``upload`` settings to use instead of the shipped ones


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


def with_part(xlsx: bytes, part: str, size: int, unit: bytes) -> bytes:
    """``xlsx`` with ``part`` replaced by ``unit`` repeated to ``size`` bytes, compressed as hard as zip can.

    Repetitive XML compresses about 300:1, so a file far below the upload limit declares hundreds
    of megabytes: the zip bomb of the hostile test, streamed so that the test never holds it.
    """
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zipped,
    ):
        for info in source.infolist():
            if info.filename != part:
                zipped.writestr(info, source.read(info.filename))
        with zipped.open(part, "w", force_zip64=True) as stream:
            chunk = unit * max(1, (1 << 20) // len(unit))
            written = 0
            while written < size:
                stream.write(chunk)
                written += len(chunk)
    return out.getvalue()


def cases(seed: int = 14) -> list[Case]:
    """Every hostile upload of the corpus, the same for the same seed."""
    rng = random.Random(seed)
    areas = ["万州区", "江津区", "綦江区"]
    normal = [HEADER] + [[rng.choice(areas), "W04", 2024, round(rng.uniform(80, 99), 1)] for _ in range(5)]
    base = workbook(normal)
    row_xml = b'<row><c t="inlineStr"><is><t>0</t></is></c></row>'
    strings = b"<si><t>" + b"x" * 200 + b"</t></si>"
    wide_line = "," * 2_000_000
    return [
        # A 1 MB workbook whose sheet unpacks to 250 MB: refused before it is opened.
        Case(
            "bomb_sheet.xlsx",
            with_part(base, "xl/worksheets/sheet1.xml", 250 << 20, row_xml),
            "FILE_TOO_LARGE.unpacked",
        ),
        # The shared strings are read whole when a workbook is opened: the same refusal.
        Case(
            "bomb_strings.xlsx", with_part(base, "xl/sharedStrings.xml", 250 << 20, strings), "FILE_TOO_LARGE.unpacked"
        ),
        # More cells than the configured limit (a small limit here; 3 million by default).
        Case(
            "many_cells.xlsx",
            workbook([HEADER] + [[rng.choice(areas), "W04", 2024, k] for k in range(300)]),
            "TOO_MANY_CELLS",
            {"max_cells": 1000},
        ),
        # One row 1,500 cells wide in a workbook.
        Case("wide_row.xlsx", workbook([HEADER, ["万州区", "W04", 2024, 90, *range(1496)]]), "TOO_MANY_COLUMNS"),
        # One line of two million commas among short lines (a CSV reader would size every row to it).
        Case(
            "wide_line.csv",
            ("区县,指标,年份,数值\n" + wide_line + "\n" + "万州区,W04,2024,90\n" * 3000).encode(),
            "TOO_MANY_COLUMNS",
        ),
        # A note of 10 MB.
        Case(
            "huge_note.csv",
            ("区县,指标,年份,数值,备注\n万州区,W04,2024,90," + "注" * 3_000_000 + "\n").encode(),
            "NOTE_TOO_LONG",
        ),
        # A NUL byte far into a note (past the first 64 KB a binary check looks at) would cut the note short.
        Case(
            "nul_in_note.csv",
            (
                "区县,指标,年份,数值,备注\n" + "万州区,W04,2024,90,正常\n" * 4000 + "万州区,W02,2024,80,前半\x00后半\n"
            ).encode(),
            "CONTROL_CHARACTER",
        ),
        # Not a workbook at all, named like one.
        Case("not_a_zip.xlsx", b"PK\x03\x04" + bytes(rng.randrange(256) for _ in range(4096)), "NOT_PARSEABLE.xlsx"),
    ]
