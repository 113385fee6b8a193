"""read_upload on a corpus of real, messy and broken files: exact rows, columns and codes."""

from pathlib import Path

import pandas as pd
import pytest

from dashboard.intake.indicator_values import preview_changes, read_upload, read_upload_path
from dashboard.reports.templates import make_template, template_frame
from dashboard.rules import load_rules

FIX = Path(__file__).parent / "fixtures" / "uploads"


@pytest.fixture(scope="module")
def rules():
    r = load_rules(Path(__file__).resolve().parent.parent / "rules")
    assert r.ok, r.problems
    return r


def read(rules, name, **kw):
    return read_upload((FIX / name).read_bytes(), name, rules, **kw)


def triples(report):
    return [(p.row, p.column, p.code) for p in report.problems]


def values(report):
    return [tuple(r) for r in report.rows[["area", "indicator", "year", "value", "source_row"]].itertuples(index=False)]


# ------------------------------------------------------------------------------ accepted files
def test_english_headers_any_order(rules):
    rep = read(rules, "good_english.csv")
    assert rep.ok and rep.problems == [] and rep.layout == "long" and rep.encoding == "utf-8"
    assert values(rep) == [("500101", "W04", 2021, 93.5, 2), ("500102", "C01", 2021, 2.1, 3)]
    assert rep.rows["note"].tolist() == [None, "provisional"]


def test_bom_crlf_trailing_commas_fullwidth_percent_thousands_ratio(rules):
    rep = read(rules, "good_bom_crlf.csv")
    assert rep.ok and rep.problems == [] and rep.encoding == "utf-8-sig"
    assert values(rep) == [
        ("500101", "W04", 2021, 93.5, 2),  # ９３．５
        ("500101", "W03", 2021, 12.3, 3),  # printed name with unit
        ("500101", "W01", 2021, 95.2, 4),  # 95.2%
        ("500101", "W34", 2021, 1234.0, 5),  # "1,234"
        ("500101", "W41", 2021, 1.4, 6),  # 1：1.4 → second/first
    ]
    assert rep.rows["note"].tolist() == [None, None, None, "单位：万人", None]
    assert rep.skipped[["row", "column", "indicator", "text"]].values.tolist() == [[7, "监测值", "W02", "—"]]


def test_gbk_with_no_value_words_and_context_series(rules):
    rep = read(rules, "good_gbk.csv")
    assert rep.ok and rep.encoding == "gb18030"
    assert values(rep) == [
        ("500102", "C01", 2022, 1.8, 2),
        ("500102", "C02", 2022, 3.1, 3),
        ("500102", "CTX_FEMALE_WORKERS", 2022, 41.5, 5),
    ]
    assert rep.skipped[["row", "indicator", "text"]].values.tolist() == [
        [4, "C04", "暂无"],
        [6, "W04", "无数据"],
        [7, "W02", "-"],
    ]
    assert (rep.skipped["column"] == "数值").all()


def test_xlsx_with_numbers_and_percent_format(rules):
    rep = read(rules, "good_long.xlsx")
    assert rep.ok and rep.encoding == "xlsx"
    assert values(rep) == [
        ("500101", "W04", 2021, 93.5, 2),
        ("500101", "W01", 2021, 95.2, 3),
        ("500102", "C01", 2021, 2.0, 4),
    ]


def test_title_line_above_header_keeps_excel_row_numbers(rules):
    rep = read(rules, "title_row.csv")
    assert rep.ok and values(rep) == [("500101", "W04", 2021, 94.0, 3)]


def test_utf16_tab_separated(rules):
    rep = read(rules, "utf16_tabs.txt")
    assert rep.ok and rep.encoding == "utf-16" and values(rep) == [("500101", "W04", 2021, 94.0, 2)]


# ------------------------------------------------------------------------------ rejected files
REJECTED = {
    "empty.csv": [(None, None, "EMPTY_FILE")],
    "blank_lines.csv": [(None, None, "EMPTY_FILE")],
    "header_only.csv": [(1, None, "NO_DATA_ROWS")],
    "binary.csv": [(None, None, "BINARY_FILE")],
    "image.csv": [(None, None, "BINARY_FILE")],
    "fake.xlsx": [(None, None, "NOT_PARSEABLE")],
    "broken_zip.xlsx": [(None, None, "NOT_PARSEABLE")],
    "bad_encoding.csv": [(None, None, "NOT_PARSEABLE")],
    "unclosed_quote.csv": [(None, None, "NOT_PARSEABLE")],
    "missing_column.csv": [(1, "年份", "MISSING_COLUMN")],
    "unknown_names.csv": [(2, "区县", "UNKNOWN_AREA"), (3, "指标", "UNKNOWN_INDICATOR")],
    "year_out_of_range.csv": [
        (2, "年份", "YEAR_OUT_OF_RANGE"),
        (3, "年份", "YEAR_OUT_OF_RANGE"),
        (4, "年份", "BAD_YEAR"),
    ],
    "rate_120.csv": [(2, "数值", "OUT_OF_RANGE")],
    "negative_mortality.csv": [(2, "数值", "OUT_OF_RANGE")],
    "not_a_number.csv": [(2, "数值", "NOT_A_NUMBER"), (3, "数值", "NOT_A_NUMBER")],
    "conflicting_duplicates.csv": [
        (2, "数值", "CONFLICTING_DUPLICATE"),
        (4, "数值", "CONFLICTING_DUPLICATE"),
        (5, "数值", "DUPLICATE_ROW"),
    ],
    "all_no_values.csv": [(None, None, "NO_VALUES")],
    "many_problems_gbk.csv": [
        (3, "区县", "UNKNOWN_AREA"),
        (4, "指标", "UNKNOWN_INDICATOR"),
        (5, "年份", "YEAR_OUT_OF_RANGE"),
        (6, "数值", "OUT_OF_RANGE"),
        (7, "数值", "NOT_A_NUMBER"),
    ],
}


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_rejected_file_lists_every_problem(rules, name):
    rep = read(rules, name)
    assert not rep.ok
    assert triples(rep) == REJECTED[name]
    for p in rep.problems:
        assert p.message_zh and p.message_en and p.message_zh != p.message_en


def test_messages_name_the_value_and_suggest(rules):
    rep = read(rules, "unknown_names.csv")
    assert rep.problems[0].message_zh == "未知地区“万洲区”；是不是“万州区”？"
    assert rep.problems[0].message_en == "unknown area '万洲区'; did you mean '万州区'?"
    assert "孕产妇死亡率" in rep.problems[1].message_zh
    rate = read(rules, "rate_120.csv").problems[0]
    assert rate.message_zh == (
        '数值 120 超出“孕产妇系统管理率”的有效范围 0–100（%；范围见 rules/settings.yaml 的 value_bounds.units."%"）'
    )
    neg = read(rules, "negative_mortality.csv").problems[0]
    assert "-3" in neg.message_en and "W03" in neg.message_en
    dup = read(rules, "conflicting_duplicates.csv")
    assert "2:94" in dup.problems[0].message_zh and "4:95" in dup.problems[0].message_zh
    assert dup.problems[2].severity == "warning"
    png = read(rules, "image.csv").problems[0]
    assert "PNG" in png.message_zh and "PNG" in png.message_en


def test_format_is_one_greppable_line(rules):
    p = read(rules, "rate_120.csv").problems[0]
    assert p.format() == (
        "row 2, column 数值: OUT_OF_RANGE: 数值 120 超出“孕产妇系统管理率”的有效范围 0–100"
        '（%；范围见 rules/settings.yaml 的 value_bounds.units."%"） / '
        "value 120 is outside the valid range 0–100 of W04 Systematic maternal health management rate "
        '(%; the range is set in rules/settings.yaml, value_bounds.units."%")'
    )


def test_size_limit_refuses_before_reading(rules, tmp_path, monkeypatch):
    content = (FIX / "good_english.csv").read_bytes()
    rep = read_upload(content, "x.csv", rules, max_bytes=10)
    assert triples(rep) == [(None, None, "FILE_TOO_LARGE")] and rep.rows.empty
    big = tmp_path / "big.csv"
    big.write_bytes(content)

    def no_reading(*a, **k):
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    rep = read_upload_path(big, rules, max_bytes=10)
    assert triples(rep) == [(None, None, "FILE_TOO_LARGE")]


def test_default_size_limit_comes_from_settings(rules):
    assert rules.settings.upload.max_bytes == 10 * 1024 * 1024
    over = b"x" * (rules.settings.upload.max_bytes + 1)
    assert triples(read_upload(over, "x.csv", rules)) == [(None, None, "FILE_TOO_LARGE")]


def test_export_file_can_be_imported_again(rules):
    text = "地区代码,地区名称,指标代码,指标名称,年份,数值,备注,批次\n500101,万州区,W04,孕产妇系统管理率,2021,93.5,,1\n"
    rep = read_upload(text.encode("utf-8-sig"), "export.csv", rules)
    assert rep.ok and values(rep) == [("500101", "W04", 2021, 93.5, 2)]


# ------------------------------------------------------------------------------ wide template
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_round_trip(rules, fmt):
    filled = pd.DataFrame(
        {
            "area": ["500101"] * 4,
            "indicator": ["W04", "W41", "C01", "CTX_FEMALE_WORKERS"],
            "year": [2021, 2022, 2023, 2021],
            "value": [93.5, 1.4, 2.25, 41.0],
        }
    )
    data = make_template(rules, "500101", fmt, values=filled)
    rep = read_upload(data, f"template.{fmt}", rules)
    assert rep.ok and rep.layout == "wide", rep.problems
    got = rep.rows[["area", "indicator", "year", "value"]].sort_values(["indicator", "year"]).reset_index(drop=True)
    want = filled.sort_values(["indicator", "year"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_blank_template_is_no_data(rules):
    rep = read_upload(make_template(rules, "500101", "csv"), "t.csv", rules)
    assert triples(rep) == [(1, None, "NO_DATA_ROWS")]
    assert rep.layout == "wide"


def test_template_layout_and_bom(rules):
    data = make_template(rules, "500116", "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    frame = template_frame(rules, "500116")
    assert list(frame.columns[:7]) == ["区县", "序号", "代码", "指标名称", "单位", "2030年目标", "2020基期"]
    assert list(frame.columns[7:]) == [*(str(y) for y in range(2020, 2031)), "分析"]
    assert len(frame) == len(rules.indicators) + len(rules.context_series)
    w04 = frame.set_index("代码").loc["W04"]
    assert (w04["区县"], w04["2030年目标"], w04["2020基期"]) == ("江津区", "≥94", "92.55")


def test_filled_wide_csv_edited_in_excel(rules):
    """Excel users type into year cells: full-width, %, dashes; errors point at the year column."""
    frame = template_frame(rules, "500101")
    frame.loc[frame["代码"] == "W04", "2021"] = "９３．５％"
    frame.loc[frame["代码"] == "W02", "2021"] = "—"
    frame.loc[frame["代码"] == "W03", "2022"] = "abc"
    frame.loc[frame["代码"] == "W01", "2023"] = "120"
    data = frame.to_csv(index=False).encode("gbk")
    rep = read_upload(data, "wide.csv", rules)
    assert rep.encoding == "gb18030"
    assert triples(rep) == [(2, "2023", "OUT_OF_RANGE"), (4, "2022", "NOT_A_NUMBER")]
    assert rep.skipped[["row", "column", "indicator", "text"]].values.tolist() == [[3, "2021", "W02", "—"]]
    frame.loc[frame["代码"] == "W03", "2022"] = ""
    frame.loc[frame["代码"] == "W01", "2023"] = ""
    rep = read_upload(frame.to_csv(index=False).encode("utf-8"), "wide.csv", rules)
    assert rep.ok and values(rep) == [("500101", "W04", 2021, 93.5, 5)]


def test_wide_without_area_column(rules):
    frame = template_frame(rules, "500101").drop(columns=["区县"])
    frame.loc[0, "2021"] = "90"
    rep = read_upload(frame.to_csv(index=False).encode(), "w.csv", rules)
    assert triples(rep) == [(1, "区县", "MISSING_COLUMN")]


# ------------------------------------------------------------------------------ preview
class FakeStore:
    def __init__(self, frame):
        self.frame = frame

    def current_values(self, areas=None, years=None):
        return self.frame


def test_preview_marks_new_correction_unchanged(rules):
    rep = read(rules, "good_english.csv")
    stored = pd.DataFrame(
        {
            "area": ["500101", "500102"],
            "indicator": ["W04", "C01"],
            "year": [2021, 2021],
            "value": [92.0, 2.1],
            "note": [None, "provisional"],
            "batch_id": [1, 1],
        }
    )
    out = preview_changes(rep, FakeStore(stored))
    assert out[["indicator", "old", "new", "kind"]].values.tolist() == [
        ["W04", 92.0, 93.5, "correction"],
        ["C01", 2.1, 2.1, "unchanged"],
    ]
    empty = stored.iloc[:0]
    assert preview_changes(rep, FakeStore(empty))["kind"].tolist() == ["new", "new"]


# ------------------------------------------------------------------------------ hostile files stay small
def test_many_rows_of_one_key_list_only_the_first_rows(rules):
    # 3,000 rows of 万州区 W04 2024 with 3,000 different values: every row is counted, the first
    # 1,000 (upload.max_problems) are listed and each message names the first 10 rows
    # (upload.max_rows_named) and how many more — not all 3,000 (which grew as rows²).
    body = "".join(f"万州区,W04,2024,{50 + i / 100:.2f}\n" for i in range(3000))
    rep = read_upload(("区县,指标,年份,数值\n" + body).encode(), "dup.csv", rules)
    assert not rep.ok and rep.n_errors == 3000 and len(rep.errors) == 1001
    assert rep.errors[-1].message_id.value == "PROBLEMS_NOT_LISTED" and rep.errors[-1].params["n"] == 2000
    assert rep.errors[-1].message_zh.startswith("另有 2000 个问题未列出")
    assert rep.errors[-1].message_en.startswith("2,000 more problems not listed")
    first = rep.errors[0]
    assert first.code == "CONFLICTING_DUPLICATE" and first.row == 2
    assert first.message_zh.endswith(
        "（行:数值 2:50、3:50.01、4:50.02、5:50.03、6:50.04、7:50.05、8:50.06、9:50.07、10:50.08、11:50.09、……等另外 2990 处）"
    )
    assert first.message_en.endswith("11:50.09, … and 2990 more)")


def test_a_huge_cell_is_quoted_short(rules):
    big = "九" * 9_000  # within upload.max_cell_chars (10,000); a longer cell is refused as CELL_TOO_LONG
    rep = read_upload(f"区县,指标,年份,数值\n{big},W04,2024,{big}\n".encode(), "big.csv", rules)
    messages = [p.message_zh for p in rep.errors]
    assert [p.code for p in rep.errors] == ["UNKNOWN_AREA", "NOT_A_NUMBER"]
    assert all(len(m) < 120 for m in messages), [len(m) for m in messages]
    assert messages[1] == "“" + "九" * 39 + "…”不是数字"


def test_many_unknown_names_get_did_you_mean_for_the_first_only(rules):
    body = "".join(f"万州区,未知指标{i},2024,1\n" for i in range(500))
    rep = read_upload(("区县,指标,年份,数值\n" + body).encode(), "names.csv", rules)
    codes = [p.message_id.value for p in rep.errors]
    assert len(codes) == 500 and set(codes) <= {"UNKNOWN_INDICATOR", "UNKNOWN_INDICATOR.hint"}
    # Suggestions are looked up for the first 200 distinct names only.
    assert all(c == "UNKNOWN_INDICATOR" for c in codes[200:])


def test_a_line_of_two_million_commas_is_refused_not_read(rules):
    # Every row would be sized to the widest line: 3,000 rows × 2,000,001 columns.
    content = ("区县,指标,年份,数值\n" + "," * 2_000_000 + "\n" + "万州区,W04,2024,90\n" * 3000).encode()
    rep = read_upload(content, "wide.csv", rules)
    assert [(p.code, p.row) for p in rep.errors] == [("TOO_MANY_COLUMNS", 2)]
    assert rep.errors[0].message_zh.startswith("这一行有 2000001 列，超过上限 1000 列")


def test_a_very_long_note_is_refused_with_its_place(rules):
    note = "说明" * 1500  # 3,000 characters
    rep = read_upload(f"区县,指标,年份,数值,备注\n万州区,W04,2024,90,{note}\n".encode(), "note.csv", rules)
    assert [(p.code, p.row, p.column) for p in rep.errors] == [("NOTE_TOO_LONG", 2, "备注")]
    assert rep.rows.empty


def test_a_percent_sign_that_contradicts_the_unit_is_refused(rules):
    # W02 (life expectancy) is in years, W04 in %: "85.5%" is a rate's way of writing, not a number of years.
    content = "区县,指标,年份,数值\n万州区,W02,2024,80.5%\n万州区,W04,2024,85.5%\n万州区,W03,2024,5‰\n".encode()
    rep = read_upload(content, "signs.csv", rules)
    assert [(p.message_id.value, p.row, p.column) for p in rep.errors] == [
        ("SIGN_NOT_UNIT", 2, "数值"),
        ("SIGN_NOT_UNIT", 4, "数值"),
    ]
    assert "“80.5%”带有 %" in rep.errors[0].message_zh and "unit of W02" in rep.errors[0].message_en
    assert "1/10万" in rep.errors[1].message_zh  # 孕产妇死亡率 is per 100,000, not per mille
    ok = read_upload("区县,指标,年份,数值\n万州区,W04,2024,85.5%\n".encode(), "ok.csv", rules)
    assert ok.ok and list(ok.rows["value"]) == [85.5]


def test_a_workbook_with_two_data_sheets_is_refused_naming_them(rules):
    import io

    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    first.title = "2024年"
    for row in (["区县", "指标", "年份", "数值"], ["万州区", "W04", 2024, 90]):
        first.append(row)
    second = book.create_sheet("2023年")
    for row in (["区县", "指标", "年份", "数值"], ["万州区", "W04", 2023, 89]):
        second.append(row)
    notes = book.create_sheet("填表说明")  # text without a header row: not a table, not counted
    notes.append(["请按地区填写"])
    out = io.BytesIO()
    book.save(out)
    rep = read_upload(out.getvalue(), "two.xlsx", rules)
    assert [p.message_id.value for p in rep.errors] == ["SEVERAL_SHEETS"]
    assert "“2024年”、“2023年”" in rep.errors[0].message_zh and "2 sheets" in rep.errors[0].message_en
    del book["2023年"]
    out = io.BytesIO()
    book.save(out)
    rep = read_upload(out.getvalue(), "one.xlsx", rules)
    assert rep.ok and list(rep.rows["value"]) == [90.0]


# ------------------------------------------------------------------------------ sheet choice
def _workbook(sheets: dict[str, list[list]]) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# A values sheet, a task-progress sheet and an instructions sheet (no header row: not a table).
TWO_TABLES = {
    "2024年": [["区县", "指标", "年份", "数值"], ["万州区", "W04", 2024, 90], ["万州区", "W02", 2024, 81.5]],
    "任务进展": [["任务代码", "年份", "状态"], ["PW-health-1", 2024, "推进中"]],
    "填表说明": [["请按地区填写"]],
}


def test_several_tables_are_refused_naming_them_and_how_to_choose(rules):
    from dashboard.intake import read_any_upload, sheet_choices

    _, rep = read_any_upload(_workbook(TWO_TABLES), "two.xlsx", rules)
    assert [p.message_id.value for p in rep.problems] == ["SEVERAL_SHEETS"]
    assert "2 张带表头的工作表（“2024年”、“任务进展”）" in rep.problems[0].message_zh
    assert "“工作表”中选定一张（命令行：import 文件 --sheet 工作表名）" in rep.problems[0].message_zh
    assert "(“2024年”, “任务进展”)" in rep.problems[0].message_en and "--sheet NAME" in rep.problems[0].message_en
    assert sheet_choices(rep) == ["2024年", "任务进展"] and rep.rows.empty
    # A task sheet beside a values sheet counts too: neither kind reads "its" sheet in silence.
    assert sheet_choices(read_any_upload(_workbook({"a": TWO_TABLES["2024年"]}), "a.xlsx", rules)[1]) == []


def test_a_chosen_sheet_is_read_alone(rules):
    from dashboard.intake import INDICATORS, TASKS, read_any_upload

    content = _workbook(TWO_TABLES | {"2023年": [["区县", "指标", "年份", "数值"], ["万州区", "W04", 2023, "abc"]]})
    kind, rep = read_any_upload(content, "three.xlsx", rules, sheet="2024年")
    assert kind == INDICATORS and rep.ok, rep.problems
    assert values(rep) == [("500101", "W04", 2024, 90.0, 2), ("500101", "W02", 2024, 81.5, 3)]
    kind, rep = read_any_upload(content, "three.xlsx", rules, sheet="任务进展")
    assert (
        kind == TASKS
        and rep.ok
        and rep.rows[["task", "year", "status"]].values.tolist() == [["PW-health-1", 2024, "in_progress"]]
    )
    # The 2023 sheet's error belongs to that sheet only.
    kind, rep = read_any_upload(content, "three.xlsx", rules, sheet="2023年")
    assert [(p.code, p.row, p.column) for p in rep.problems] == [("NOT_A_NUMBER", 2, "数值")]
    # Typed in a terminal: spaces around it and full-width letters are set aside.
    assert read_any_upload(_workbook({"Ａ表": TWO_TABLES["2024年"]}), "a.xlsx", rules, sheet=" a表 ")[1].ok


def test_a_sheet_that_does_not_exist_lists_the_sheets(rules):
    from dashboard.intake import read_any_upload

    _, rep = read_any_upload(_workbook(TWO_TABLES), "two.xlsx", rules, sheet="2025年")
    assert [p.message_id.value for p in rep.problems] == ["SHEET_NOT_FOUND"]
    assert rep.problems[0].message_zh == (
        "这个 Excel 文件没有名为“2025年”的工作表；它的工作表是：“2024年”、“任务进展”、“填表说明”"
    )
    assert rep.problems[0].message_en.endswith("its sheets are: “2024年”, “任务进展”, “填表说明”")
    _, rep = read_any_upload("区县,指标,年份,数值\n万州区,W04,2024,90\n".encode(), "a.csv", rules, sheet="2024年")
    assert [p.message_id.value for p in rep.problems] == ["SHEET_NOT_FOUND.not_workbook"]


def test_cli_import_takes_a_sheet(tmp_path, capsys):
    from dashboard.cli import main

    path = tmp_path / "two.xlsx"
    path.write_bytes(_workbook(TWO_TABLES))
    assert main(["import", str(path), "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert "SEVERAL_SHEETS: 这个 Excel 文件有 2 张带表头的工作表" in out and "nothing stored" in out
    assert main(["import", str(path), "--sheet", "2024年", "--dry-run"]) == 0
    assert "dry run: 2 values would be stored" in capsys.readouterr().out
    assert main(["import", str(path), "--sheet", "任务进展", "--dry-run"]) == 0
    assert "dry run: 1 task report would be stored" in capsys.readouterr().out
    assert main(["import", str(path), "--sheet", "2025年", "--dry-run"]) == 1
    assert "SHEET_NOT_FOUND: 这个 Excel 文件没有名为“2025年”的工作表" in capsys.readouterr().out


def test_upload_page_offers_a_sheet_picker_only_for_several_tables(session_token):
    import hashlib
    import os

    from streamlit.testing.v1 import AppTest

    from dashboard.store import Store

    content = _workbook(TWO_TABLES)
    Store(os.environ["DASHBOARD_DB_URL"]).dispose()  # an empty database, built to the schema's head
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "streamlit_app.py"), default_timeout=120)
    at.session_state["_auth_token"] = session_token("测试员", "city_editor")
    at.switch_page("app_pages/upload.py")
    at.run()
    assert not at.exception
    at.file_uploader(key="upload_file").upload("two.xlsx", content, "application/octet-stream").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("发现 1 个问题" in e.value for e in at.error)
    assert at.dataframe[0].value.iloc[0, -1].startswith("这个 Excel 文件有 2 张带表头的工作表")
    picker = at.selectbox(key=f"upload_sheet_{hashlib.sha256(content).hexdigest()[:16]}")
    assert picker.options == ["2024年", "任务进展"] and picker.value is None
    assert "confirm_upload" not in [b.key for b in at.button]

    picker.select("2024年").run()
    assert not at.exception
    assert any("校验通过" in s.value for s in at.success)
    at.button(key="confirm_upload").click().run()
    assert any("已入库" in s.value for s in at.success)
    store = Store(os.environ["DASHBOARD_DB_URL"])
    stored = store.current_values()[["area", "indicator", "year", "value"]].values.tolist()
    assert sorted(stored) == [["500101", "W02", 2024, 81.5], ["500101", "W04", 2024, 90.0]]
    assert store.current_task_reports().empty  # the other sheet was not read
    store.dispose()

    # A file with one table: no picker.
    at.file_uploader(key="upload_file").upload(
        "one.csv", "区县,指标,年份,数值\n万州区,W04,2023,91\n".encode(), "text/csv"
    )
    at.run()
    assert not at.exception and not [s for s in at.selectbox if str(s.key).startswith("upload_sheet")]
    assert any("校验通过" in s.value for s in at.success)


# ------------------------------------------------------------------------------ columns that would be a guess
@pytest.mark.parametrize(
    "header,letters,column",
    [
        ("区县,指标,年份,数值,值", "D 列（“数值”）、E 列（“值”）都表示“数值”", "值"),
        ("区县,指标,年份,数值,数值", "D 列（“数值”）、E 列（“数值”）都表示“数值”", "数值"),
        ("区县,地区,指标,年份,数值", "A 列（“区县”）、B 列（“地区”）都表示“区县”", "地区"),
        ("地区代码,区县代码,指标,年份,数值", "A 列（“地区代码”）、B 列（“区县代码”）都表示“区县”", "区县代码"),
        ("区县,指标名称,名称,年份,数值", "B 列（“指标名称”）、C 列（“名称”）都表示“指标”", "名称"),
        (
            "区县,代码,指标,指标名称,年份,数值",
            "B 列（“代码”）、C 列（“指标”）、D 列（“指标名称”）都表示“指标”",
            "指标名称",
        ),
    ],
)
def test_two_columns_meaning_one_field_are_refused_by_letter(rules, header, letters, column):
    width = header.count(",") + 1
    content = f"{header}\n" + ",".join(["万州区"] + ["W04"] * (width - 3) + ["2024", "90"]) + "\n"
    rep = read_upload(content.encode(), "dup.csv", rules)
    assert [(p.message_id.value, p.row, p.column) for p in rep.problems] == [("DUPLICATE_COLUMN", 1, column)]
    assert rep.problems[0].message_zh.startswith(letters + "，不知道该用哪一列")
    assert rep.rows.empty


def test_a_column_far_right_is_named_as_excel_names_it(rules):
    blanks = "".join(f",x{i}" for i in range(26))  # 26 unrelated columns after D: the second 数值 is AE
    rep = read_upload(f"区县,指标,年份,数值{blanks},数值\n万州区,W04,2024,90{',' * 26},91\n".encode(), "x.csv", rules)
    assert "D 列（“数值”）、AE 列（“数值”）" in rep.problems[0].message_zh
    assert rep.problems[0].message_en.startswith("column D (“数值”), column AE (“数值”) all mean “数值”")


def test_a_code_beside_a_name_is_read_and_checked_row_by_row(rules):
    text = (
        "地区代码,地区名称,指标代码,指标名称,年份,数值\n"
        "500101,万州区,W04,孕产妇系统管理率,2024,90\n"  # agree
        "500101,涪陵区,W04,孕产妇系统管理率,2023,90\n"  # area code and name disagree
        "500101,万州区,W04,孕产妇死亡率,2022,90\n"  # indicator code and name disagree
        ",万州区,,孕产妇系统管理率,2021,91\n"  # codes deleted: the names say it
        "500101,万洲区,W04,婚检率,2020,92\n"  # names nobody knows beside known codes: the codes say it
    )
    rep = read_upload(text.encode("utf-8-sig"), "export.csv", rules)
    assert [(p.message_id.value, p.row, p.column) for p in rep.problems] == [
        ("CODE_NAME_DISAGREE", 3, "地区名称"),
        ("CODE_NAME_DISAGREE", 4, "指标名称"),
    ]
    assert rep.problems[1].message_zh == (
        "这一行“指标代码”列是“W04”，“指标名称”列却是“孕产妇死亡率”，二者不是同一项，不知道该用哪一个；请改正其中一个后再上传"
    )
    ok = read_upload(("\n".join(text.splitlines()[:1] + text.splitlines()[4:]) + "\n").encode(), "ok.csv", rules)
    assert ok.ok and values(ok) == [("500101", "W04", 2021, 91.0, 2), ("500101", "W04", 2020, 92.0, 3)]


def test_a_task_code_beside_another_task_s_title_is_refused(rules):
    from dashboard.intake import read_any_upload
    from dashboard.rules import catalogue_for

    cat = catalogue_for(rules)
    first, second = [t for t in cat.tasks.values() if t.code.startswith("PW-")][:2]  # the plan's, 2021–2030
    text = f"任务代码,任务名称,年份,状态\n{first.code},{first.title},2024,推进中\n{first.code},{second.title},2023,推进中\n"
    kind, rep = read_any_upload(text.encode(), "tasks.csv", rules)
    assert kind == "tasks"
    assert [(p.message_id.value, p.row, p.column) for p in rep.problems] == [("CODE_NAME_DISAGREE", 3, "任务名称")]
    kind, rep = read_any_upload("任务代码,年份,状态,状态\nx,2024,推进中,滞后\n".encode(), "t.csv", rules)
    assert kind == "tasks" and [(p.message_id.value, p.column) for p in rep.problems] == [("DUPLICATE_COLUMN", "状态")]
    assert rep.problems[0].message_zh.startswith("C 列（“状态”）、D 列（“状态”）都表示“状态”")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_area_s_template_header_is_accepted(rules, fmt):
    # 区县, 序号, 代码, 指标名称 …: 代码 and 指标名称 name the indicator twice, by code and by name.
    for area in rules.areas:
        rep = read_upload(make_template(rules, area, fmt), f"t.{fmt}", rules)
        assert [p.code for p in rep.problems] == ["NO_DATA_ROWS"], (area, rep.problems)


@pytest.mark.parametrize("name", sorted(p.name for p in FIX.iterdir() if p.suffix in (".csv", ".xlsx", ".txt")))
def test_no_fixture_header_is_a_duplicate(rules, name):
    rep = read(rules, name)
    assert not [p for p in rep.problems if p.code in ("DUPLICATE_COLUMN", "CODE_NAME_DISAGREE")]
