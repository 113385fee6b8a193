"""A district's whole plan in its file: its own definitions, its added indicators, those it leaves out.

The shipped rules plus ``overrides/wanzhou.yaml``: 万州区's plan measures W34 as a coverage rate in
% where the catalogue counts women enrolled in 万人, adds an indicator of its own (W47) and does not
monitor W35. Everything runs through the real commands on a real SQLite database: the upload
checks, the engine, the indicator catalogue, the export, the template and both reports.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from dashboard.cli import main
from dashboard.engine import evaluate
from dashboard.engine.evaluation import evaluation_table
from dashboard.intake.indicator_values import read_upload
from dashboard.rules import load_rules
from dashboard.views import evaluation as evaluation_view
from dashboard.views import indicator as indicator_view
from dashboard.views import rules as rules_view

PROJECT = Path(__file__).resolve().parent.parent
WZ, FL = "500101", "500102"  # 万州区 (its own plan), 涪陵区 (the catalogue)

WANZHOU = """\
area: "500101"
source: 万州区妇女发展规划（2021－2030年）
targets:
  W34:
    name_zh: 女性基本养老保险参保率
    name_en: Basic pension insurance coverage of women
    unit: "%"
    definition: 参加基本养老保险的女性占应参保女性的比例
    data_source: 区人力社保局
    target: "≥95"
    note: 万州区规划以参保率计，全市以参保人数计
added:
  - code: W47
    domain: health
    number: 47
    name_zh: 农村妇女“两癌”检查覆盖率
    name_en: Coverage of cervical and breast cancer screening of rural women
    unit: "%"
    direction: higher
    target: "≥80"
    attribute: expected
not_monitored:
  W35:
    reason: 万州区规划未列此项
"""

UPLOAD = (
    "区县,指标,年份,数值\n"
    "万州区,W34,2020,90\n"
    "万州区,女性基本养老保险参保率,2024,96\n"
    "涪陵区,W34,2020,50\n"
    "涪陵区,W34,2024,55.5\n"
    "涪陵区,W34,2023,150\n"  # 150 万人: plausible for a count
    "万州区,W47,2020,70\n"
    "万州区,W47,2024,85\n"
)


@pytest.fixture
def rules_dir(tmp_path):
    root = tmp_path / "rules"
    shutil.copytree(PROJECT / "rules", root)
    (root / "overrides" / "wanzhou.yaml").write_text(WANZHOU, encoding="utf-8")
    return root


@pytest.fixture
def loaded(rules_dir):
    rules = load_rules(rules_dir)
    assert rules.ok, [p.format() for p in rules.problems]
    return rules


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------------------ the rules
def test_the_area_definition_is_the_areas_only(loaded):
    mine, theirs = loaded.indicator_for(WZ, "W34"), loaded.indicator_for(FL, "W34")
    assert (mine.name_zh, mine.unit, mine.valid_min, mine.valid_max) == ("女性基本养老保险参保率", "%", 0.0, 100.0)
    assert (theirs.name_zh, theirs.unit) == ("基本养老保险女性参保人数", "万人")
    assert theirs.valid_max > 100
    assert loaded.target_for(WZ, "W34").target_text == "≥95"
    assert loaded.target_for(FL, "W34").target_text == "提高"
    assert loaded.applies(WZ, "W47") and not loaded.applies(FL, "W47")
    assert [i.code for i in loaded.indicators_for(WZ)].index("W47") == [
        i.code for i in loaded.indicators_for(WZ)
    ].index("W46") + 1
    assert "W47" not in {i.code for i in loaded.indicators_for(FL)}
    assert loaded.not_monitored_in(WZ, "W35").reason == "万州区规划未列此项"


def test_check_rules_area_prints_each_change_at_its_line(rules_dir, capsys):
    rc, out, _ = _run(capsys, "check-rules", "--rules", str(rules_dir), "--area", "万州区")
    assert rc == 0
    text = WANZHOU.splitlines()
    shown = "rules/overrides/wanzhou.yaml"

    def line(needle: str) -> int:
        return next(k for k, row in enumerate(text, start=1) if needle in row)

    assert (
        f"{shown}:{line('unit:')}: W34 女性基本养老保险参保率 / Basic pension insurance coverage of women: 单位 / unit: 万人 → %"
        in out
    )
    target_line = line('target: "≥95"')
    assert f"{shown}:{target_line}: W34" in out and "提高 → ≥95" in out
    assert f"{shown}:{line('code: W47')}: W47" in out
    assert f"{shown}:{line('W35:')}: W35" in out and "万州区规划未列此项" in out
    rc, out, _ = _run(capsys, "check-rules", "--rules", str(rules_dir), "--area", "涪陵区")
    assert rc == 0 and "涪陵区（500102）没有自己的文件" in out


# ------------------------------------------------------------------------------ uploads
def test_uploads_are_checked_with_the_areas_unit(loaded):
    report = read_upload((UPLOAD + "万州区,W34,2023,150\n").encode(), "values.csv", loaded)
    [problem] = report.problems
    assert (problem.code, problem.row) == ("OUT_OF_RANGE", 9)  # 150 % for 万州区; 150 万人 for 涪陵区 is fine
    assert "0–100" in problem.message_zh and "女性基本养老保险参保率" in problem.message_zh


def test_values_for_an_indicator_the_area_does_not_have_are_refused(loaded):
    report = read_upload("区县,指标,年份,数值\n涪陵区,W47,2024,80\n万州区,W35,2024,3\n".encode(), "v.csv", loaded)
    assert [(p.code, p.row) for p in report.problems] == [("NOT_AREA_INDICATOR", 2), ("NOT_MONITORED_VALUE", 3)]
    assert "万州区规划未列此项" in report.problems[1].message_zh
    assert report.rows.empty or not report.ok


# ------------------------------------------------------------------------------ the engine
def test_the_rate_is_judged_as_a_rate_for_that_area_only(loaded):
    data = read_upload(UPLOAD.encode(), "values.csv", loaded)
    assert data.ok, [p.format() for p in data.problems]
    out = evaluate(loaded, data.rows, years=[2024], areas=[WZ, FL]).set_index(["area_code", "indicator"])
    wz, fl = out.loc[(WZ, "W34")], out.loc[(FL, "W34")]
    assert (wz.target_text, wz.status, wz.met, wz.margin) == ("≥95", "achieved", True, pytest.approx(1.0))
    assert (fl.target_text, fl.check_kind, fl.status) == ("提高", "improve", "on_track")
    assert out.loc[(WZ, "W47")].status == "achieved"
    assert (FL, "W47") not in out.index  # another area's added indicator is none of 涪陵区's rows
    assert (WZ, "W35") not in out.index  # not monitored: not judged …


def test_evaluation_table_counts_what_is_not_monitored(loaded):
    data = read_upload(UPLOAD.encode(), "values.csv", loaded)
    ev = evaluate(loaded, data.rows, areas=[WZ, FL])
    table = evaluation_table(loaded, ev, WZ, 2024).set_index("code")
    assert (table.loc["W34", "name"], table.loc["W34", "unit"]) == ("女性基本养老保险参保率", "%")
    assert table.loc["W35", "status"] == "not_monitored"  # … but listed, with its reason
    assert table.loc["W35", "not_monitored_reason"] == "万州区规划未列此项"
    assert table.loc["W34", "note"] == "万州区规划以参保率计，全市以参保人数计"
    assert "W47" in table.index and "W47" not in set(evaluation_table(loaded, ev, FL, 2024)["code"])

    rates, classes = evaluation_view.practice(ev, loaded, WZ, 2024)
    assert rates["all"].not_monitored == 1
    assert rates["all"].monitorable + rates["all"].no_data == len(table) - 1
    assert "不监测 1 项" in rates["all"].text("zh")
    assert classes["total"].sum() == len(table) - 1  # the four classes leave it out

    shown, _ = evaluation_view.evaluation_view(ev, loaded, WZ, 2024)
    row = shown.set_index("code").loc["W35"]
    assert row["label"] == "不监测（万州区规划未列此项）"


# ------------------------------------------------------------------------------ pages
def test_the_indicator_page_says_the_area_defines_it_otherwise(loaded):
    info = indicator_view.describe_target(loaded, WZ, "W34", "en")
    assert (info["name"], info["unit_label"]) == ("Basic pension insurance coverage of women", "%")
    assert {"unit", "English name", "Chinese name", "definition", "data source"} <= set(info["differs"])
    assert info["definition_file"].endswith("overrides/wanzhou.yaml")
    assert info["note"] == "万州区规划以参保率计，全市以参保人数计"
    plain = indicator_view.describe_target(loaded, FL, "W34", "zh")
    assert plain["differs"] == [] and plain["unit_label"] == "万人"


def test_the_rules_page_lists_the_areas_changes(loaded):
    table = rules_view.area_targets(loaded, WZ, "zh").set_index("indicator")
    assert table.loc["W34", "unit"] == "%" and "单位" in table.loc["W34", "changes"]
    assert table.loc["W47", "changes"].startswith("新增指标")
    assert table.loc["W35", "changes"] == "不监测：万州区规划未列此项"
    assert set(table.index[table["differs"]]) == {"W34", "W35", "W47"}
    # Left out: no target applies there; added: the target is the area's own, not a plan default.
    assert (table.loc["W35", "area_target"], table.loc["W35", "source"]) == ("", "不监测")
    assert (table.loc["W47", "area_target"], table.loc["W47", "source"]) == ("≥80", "本地区自定目标")


# ------------------------------------------------------------------------------ commands, exports, reports
def test_commands_exports_and_reports_use_the_areas_definition(rules_dir, tmp_path, capsys):
    values = tmp_path / "values.csv"
    values.write_text(UPLOAD, encoding="utf-8")
    rules = ["--rules", str(rules_dir)]
    assert _run(capsys, "import", str(values), *rules)[0] == 0

    rc, out, _ = _run(capsys, "indicators", "--area", "万州区", "--format", "json", *rules)
    rows = {r["code"]: r for r in json.loads(out)}
    assert (rows["W34"]["name_zh"], rows["W34"]["unit"], rows["W34"]["valid_max"]) == (
        "女性基本养老保险参保率",
        "%",
        100,
    )
    assert rows["W34"]["note"] == "万州区规划以参保率计，全市以参保人数计"
    assert rows["W35"]["monitored"] is False and rows["W47"]["definition_source"] == "added"
    rc, out, _ = _run(capsys, "indicators", "--area", "涪陵区", *rules)
    assert rc == 0
    fuling = {r["code"]: r for r in csv.DictReader(io.StringIO(out))}
    assert fuling["W34"]["unit"] == "万人" and "W47" not in fuling

    export = tmp_path / "export.csv"
    assert _run(capsys, "export", "--out", str(export), *rules)[0] == 0
    exported = list(csv.DictReader(io.StringIO(export.read_text(encoding="utf-8-sig"))))
    names = {(r["地区代码"], r["指标代码"]): r["指标名称"] for r in exported}
    assert names[(WZ, "W34")] == "女性基本养老保险参保率" and names[(FL, "W34")] == "基本养老保险女性参保人数"

    template = tmp_path / "template.csv"
    assert _run(capsys, "template", "--area", "万州区", "--out", str(template), *rules)[0] == 0
    trows = {r["代码"]: r for r in csv.DictReader(io.StringIO(template.read_text(encoding="utf-8-sig")))}
    assert (trows["W34"]["指标名称"], trows["W34"]["单位"]) == ("女性基本养老保险参保率", "%")
    assert "W47" in trows and "W35" not in trows

    xlsx = tmp_path / "report.xlsx"
    assert (
        _run(capsys, "report", "--area", "万州区", "--year", "2024", "--format", "xlsx", "--out", str(xlsx), *rules)[0]
        == 0
    )
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx)["妇女与社会保障"]
    w34 = next(r for r in sheet.iter_rows(values_only=True) if r[2] == "W34")
    assert (w34[3], w34[4], w34[5], w34[10], w34[11]) == (
        "女性基本养老保险参保率",
        "%",
        "≥95",
        "已达标",
        "万州区规划以参保率计，全市以参保人数计",
    )
    w35 = next(r for r in sheet.iter_rows(values_only=True) if r[2] == "W35")
    assert (w35[10], w35[11]) == ("不监测", "万州区规划未列此项")

    docx = tmp_path / "report.docx"
    assert _run(capsys, "report", "--area", "万州区", "--year", "2024", "--out", str(docx), *rules)[0] == 0
    from docx import Document

    doc = Document(str(docx))
    cells = [c.text for table in doc.tables for row in table.rows for c in row.cells]
    assert "W34 女性基本养老保险参保率" in cells and "96.0%" in cells
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "注：W34 女性基本养老保险参保率——万州区规划以参保率计，全市以参保人数计" in text
    assert "注：W35 失业保险女性参保人数——万州区规划未列此项" in text


# ------------------------------------------------------------------------------ notes (issue 13, item 5)
MISPRINT = "区规划专栏1印作“≥49”，正文为“≥94”，按正文录入"


def test_notes_are_shown_wherever_the_target_is(rules_dir, tmp_path, capsys):
    """A note on a catalogue row and one on an area's target reach the catalogue (CSV and JSON), the
    rules page, the indicator page and both reports."""
    women = rules_dir / "indicators" / "01_women.yaml"
    text = women.read_text(encoding="utf-8")
    text = text.replace('    target: "<8"\n', '    target: "<8"\n    note: 江津区规划原文“<8/10万”\n', 1)
    women.write_text(text, encoding="utf-8")
    wz = rules_dir / "overrides" / "wanzhou.yaml"
    wz.write_text(
        WANZHOU.replace("added:", f'  W04:\n    target: "≥94"\n    note: {MISPRINT}\nadded:'), encoding="utf-8"
    )
    rules = load_rules(rules_dir)
    assert rules.ok, [p.format() for p in rules.problems]
    args = ["--rules", str(rules_dir)]

    rc, out, _ = _run(capsys, "indicators", "--format", "csv", *args)
    assert rc == 0
    catalogue = {r["code"]: r for r in csv.DictReader(io.StringIO(out))}
    assert catalogue["W03"]["note"] == "江津区规划原文“<8/10万”" and catalogue["W04"]["note"] == ""
    rc, out, _ = _run(capsys, "indicators", "--area", "500101", "--format", "json", *args)
    mine = {r["code"]: r for r in json.loads(out)}
    assert (mine["W04"]["note"], mine["W03"]["note"]) == (MISPRINT, "江津区规划原文“<8/10万”")

    page = rules_view.area_targets(rules, WZ, "zh").set_index("indicator")
    assert page.loc["W04", "note"] == MISPRINT and page.loc["W03", "note"] == "江津区规划原文“<8/10万”"
    assert indicator_view.describe_target(rules, WZ, "W04", "en")["note"] == MISPRINT

    values = tmp_path / "values.csv"
    values.write_text(UPLOAD + "万州区,W04,2020,90\n万州区,W04,2024,95\n", encoding="utf-8")
    assert _run(capsys, "import", str(values), *args)[0] == 0
    xlsx = tmp_path / "r.xlsx"
    assert _run(capsys, "report", "--area", WZ, "--year", "2024", "--format", "xlsx", "--out", str(xlsx), *args)[0] == 0
    from openpyxl import load_workbook

    health = list(load_workbook(xlsx)["妇女与健康"].iter_rows(values_only=True))
    assert next(r for r in health if r[2] == "W04")[11] == MISPRINT
    assert next(r for r in health if r[2] == "W03")[11] == "江津区规划原文“<8/10万”"
    docx = tmp_path / "r.docx"
    assert _run(capsys, "report", "--area", WZ, "--year", "2024", "--out", str(docx), *args)[0] == 0
    from docx import Document

    text = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    assert f"注：W04 孕产妇系统管理率——{MISPRINT}" in text
