"""The streaming workbook reader (``dashboard.intake.xlsx_reader``): each cell's text as a person sees
it — the same texts openpyxl gives — at its row and column, and hostile XML refused."""

from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl import load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from dashboard.bench.hostile import big_workbook, with_part, with_shared_strings, workbook
from dashboard.intake.xlsx_reader import TextTooLong, TooWide, UnsafeXML, Workbook, shown


def _saved(book: OpenpyxlWorkbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def varied() -> bytes:
    book = OpenpyxlWorkbook()
    sheet = book.active
    sheet.title = "数据"
    sheet.append(["区县", "指标", "年份", "数值", "备注"])
    sheet.append(["万州区", "W04", 2024, 0.935, "百分比"])
    sheet["D2"].number_format = "0.0%"
    sheet.append(["万州区", "W05", 2024, 12.5, True])
    sheet.append(["万州区", "W06", datetime.date(2024, 1, 1), 1e-7, "=SUM(1,2)"])
    sheet.append(["万州区", "W07", 2024, 3, datetime.time(12, 30)])
    sheet["D5"].number_format = "#,##0.00"
    sheet.append([CellRichText([TextBlock(InlineFont(b=True), "江津"), "区"]), "W08", 2024, -0.5, None])
    sheet["D6"].number_format = "0%"
    sheet.cell(row=10, column=8, value="far")
    notes = book.create_sheet("说明")
    notes.append(["这是说明"])
    notes.append([12345678901234567890])
    return _saved(book)


def _openpyxl_texts(content: bytes) -> dict[str, dict[int, list[str]]]:
    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    found = {}
    for sheet in book.worksheets:
        rows = {}
        for number, row in enumerate(sheet.iter_rows(), start=1):
            texts = [shown(c.value, getattr(c, "number_format", "") or "") for c in row]
            while texts and texts[-1] == "":
                texts.pop()
            if texts:
                rows[number] = texts
        found[sheet.title] = rows
    return found


def test_each_cell_reads_as_shown_at_its_row(varied):
    book = Workbook(varied, 10_000)
    assert book.sheetnames == ["数据", "说明"]
    rows = dict(book["数据"].iter_rows())
    assert rows[2] == ["万州区", "W04", "2024", "93.5", "百分比"]  # 0.935 formatted 0.0%
    assert rows[3][4] == "True" and rows[4][2] == "2024-01-01 00:00:00" and rows[4][3] == "1e-07"
    assert rows[5][4] == "12:30:00" and rows[6] == ["江津区", "W08", "2024", "-50"]
    assert rows[10] == ["", "", "", "", "", "", "", "far"] and set(rows) == {1, 2, 3, 4, 5, 6, 10}
    assert dict(book["说明"].iter_rows())[2] == ["12345678901234569216"]


def test_the_texts_are_those_openpyxl_gives(varied, rules):
    from dashboard.bench.hostile import HEADER, accepted_rows

    ordinary = workbook([HEADER, *accepted_rows(rules, 300, 1)])
    for content in (varied, ordinary):
        mine = {}
        for sheet in Workbook(content, 10_000).worksheets:
            mine[sheet.title] = {n: t for n, t in sheet.iter_rows() if any(t)}
            for texts in mine[sheet.title].values():
                while texts and texts[-1] == "":
                    texts.pop()
        assert mine == _openpyxl_texts(content)


def test_shared_strings_join_their_runs_without_phonetic_ones():
    runs = "<r><t>万州</t></r><r><t>区</t></r><rPh><t>wan</t></rPh><t>".encode()
    book = Workbook(with_shared_strings(workbook([["x"]]), [b"</t></si><si>", runs]), 100)
    assert (book.strings[0], book.strings[1]) == ("", "万州区")
    with pytest.raises(IndexError):
        book.strings[2]


def test_rows_stop_where_asked_and_a_wide_or_long_cell_is_refused_where_it_is():
    content = big_workbook([["a", "b"], ["c", "d"], ["e", "f"]])
    assert list(Workbook(content, 100).worksheets[0].iter_rows(max_row=2)) == [(1, ["a", "b"]), (2, ["c", "d"])]
    with pytest.raises(TooWide) as wide:
        list(Workbook(content, 100).worksheets[0].iter_rows(max_column=1))
    assert (wide.value.row, wide.value.column) == (1, 2)
    long = big_workbook([["a"], ["b", "x" * 101]])
    with pytest.raises(TextTooLong) as too_long:
        list(Workbook(long, 100).worksheets[0].iter_rows())
    assert (too_long.value.row, too_long.value.column) == (2, 2)


def test_a_document_type_or_entity_is_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    content = with_part(workbook([["x"]]), "xl/worksheets/sheet1.xml", [bomb])
    with pytest.raises(UnsafeXML):
        list(Workbook(content, 100).worksheets[0].iter_rows())
