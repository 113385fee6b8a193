"""Plan periods: a previous plan (2011–2020) beside the current one, and its final evaluation.

The seeds print no 2011–2020 target beside its 2020 value (rules/periods/README.md), so these tests
add a previous period of their own — synthetic targets, named as test data — to a copy of the
shipped rules: W03 and W04 (the same series as today's W03 and W04, the same units) and W90, an
indicator only that plan has. 江津区's values of 2010 (the baseline) and 2020 are judged against it.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from dashboard.cli import main
from dashboard.engine.periods import evaluate_by_plan, final_evaluation, margin_text
from dashboard.intake.indicator_values import read_upload
from dashboard.rules import load_rules

PROJECT = Path(__file__).resolve().parent.parent
JJ = "500116"

PERIOD = """\
name_zh: 测试用妇女发展规划（2011－2020年）
name_en: Test women's plan (2011-2020)
source: 测试数据（非真实规划）
start: 2011
end: 2020
baseline_year: 2010
target_year: 2020
"""
OLD_WOMEN = """\
plan: {code: W, name_zh: 测试用妇女发展规划（2011－2020年）, name_en: Test women's plan 2011-2020, source: tests, area: "500116", baseline_year: 2010, target_year: 2020}
domains:
  - {code: health, name_zh: 妇女与健康, name_en: Women and Health}
indicators:
  - {code: W03, domain: health, number: 1, name_zh: 孕产妇死亡率, name_en: Maternal mortality ratio, unit: 1/10万, direction: lower, target: "<15", attribute: binding}
  - {code: W04, domain: health, number: 2, name_zh: 孕产妇系统管理率, name_en: Systematic maternal health management rate, unit: "%", direction: higher, target: "≥90", attribute: expected}
  - {code: W90, domain: health, number: 3, name_zh: 妇女病检查人数, name_en: Women screened for gynaecological diseases, unit: 万人, direction: higher, target: "≥5", attribute: expected}
  - {code: W91, domain: health, number: 4, name_zh: 无终期数据的指标, name_en: An indicator without a final value, unit: "%", direction: higher, target: "≥50", attribute: expected}
"""
VALUES = (
    "区县,指标,年份,数值\n"
    "江津区,W03,2010,20\n"
    "江津区,W03,2015,12\n"
    "江津区,W03,2020,7\n"
    "江津区,W04,2010,85\n"
    "江津区,W04,2020,92.55\n"
    "江津区,W90,2010,3\n"
    "江津区,W90,2020,4.5\n"
    "江津区,W91,2018,40\n"
    "江津区,W04,2024,93\n"
)


@pytest.fixture
def rules_dir(tmp_path):
    root = tmp_path / "rules"
    shutil.copytree(PROJECT / "rules", root)
    period = root / "periods" / "2011-2020"
    (period / "indicators").mkdir(parents=True)
    (period / "period.yaml").write_text(PERIOD, encoding="utf-8")
    (period / "indicators" / "01_women.yaml").write_text(OLD_WOMEN, encoding="utf-8")
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


def test_each_year_belongs_to_one_plan(loaded):
    old = loaded.periods["2011-2020"]
    assert (loaded.period_key, old.period_key) == ("2021-2030", "2011-2020")
    assert loaded.plan_for_year(2015) is old and loaded.plan_for_year(2020) is old
    assert loaded.plan_for_year(2021) is loaded and loaded.plan_for_year(2030) is loaded
    assert (old.settings.baseline_year, old.settings.target_year, old.settings.plan_period.start) == (2010, 2020, 2010)
    assert set(old.indicators) == {"W03", "W04", "W90", "W91"}


def test_evaluate_2020_gives_the_previous_plans_final_judgement(rules_dir, tmp_path, capsys):
    data = tmp_path / "values.csv"
    data.write_text(VALUES, encoding="utf-8")
    rc, out, err = _run(
        capsys, "evaluate", "--rules", str(rules_dir), "--data", str(data), "--year", "2020", "--area", "江津区"
    )
    assert rc == 0, err
    rows = {r["indicator"]: r for r in csv.DictReader(io.StringIO(out))}
    assert set(rows) == {"W03", "W04", "W90", "W91"}  # the 2011-2020 plan's indicators, not today's
    assert {r["plan_period"] for r in rows.values()} == {"2011-2020"}
    w03, w04, w90, w91 = rows["W03"], rows["W04"], rows["W90"], rows["W91"]
    assert (w03["target_text"], w03["met"], w03["status"], float(w03["margin"])) == ("<15", "True", "achieved", 8.0)
    assert (w04["met"], w04["status"], float(w04["margin"])) == ("True", "achieved", pytest.approx(2.55))
    assert (w90["met"], w90["status"], float(w90["margin"])) == ("False", "not_achieved", pytest.approx(-0.5))
    assert (w91["status"], w91["met"]) == ("no_data", "False")  # a 2018 value says nothing about 2020

    rc, out, _ = _run(
        capsys, "evaluate", "--rules", str(rules_dir), "--data", str(data), "--year", "2024", "--area", "江津区"
    )
    rows = {r["indicator"]: r for r in csv.DictReader(io.StringIO(out))}
    assert "W90" not in rows and rows["W04"]["plan_period"] == "2021-2030" and rows["W04"]["target_text"] == "≥94"

    rc, _, err = _run(capsys, "evaluate", "--rules", str(rules_dir), "--data", str(data), "--period", "2001-2010")
    assert rc == 1 and "2011-2020" in err


def test_the_final_evaluation_table(loaded):
    data = read_upload(VALUES.encode(), "values.csv", loaded)
    assert data.ok, [p.format() for p in data.problems]
    old = loaded.periods["2011-2020"]
    ev = evaluate_by_plan(loaded, data.rows, years=[2020], areas=[JJ], period="2011-2020")
    table = final_evaluation(old, ev, JJ, "zh").set_index("code")
    assert list(table.index) == ["W03", "W04", "W90", "W91"]  # the plan's order
    assert list(table["met_label"]) == ["达标", "达标", "未达标", "无终期数据"]
    assert table.loc["W04", "margin_text"] == "超出目标 2.55 个百分点"
    assert table.loc["W90", "margin_text"] == "差 0.50万人"  # as the indicator writes 万人: two decimals
    assert (table.loc["W91", "met_label"], table.loc["W91", "margin_text"]) == ("无终期数据", "")
    assert table.loc["W03", "value_text"] == "7.0/10万"
    en = final_evaluation(old, ev, JJ, "en").set_index("code")
    assert en.loc["W04", "margin_text"] == "2.55 percentage points beyond the target"
    assert margin_text(-0.4, "%", "zh") == "差 0.4 个百分点"


def test_uploads_of_a_previous_plans_years(loaded):
    bad = "区县,指标,年份,数值\n江津区,W15,2015,40\n江津区,W03,2009,20\n江津区,W90,2024,5\n江津区,W90,2016,4\n"
    report = read_upload(bad.encode(), "v.csv", loaded)
    assert sorted((p.row, p.code) for p in report.problems) == [
        (2, "NOT_IN_PLAN_OF_YEAR"),
        (3, "YEAR_OUT_OF_RANGE"),
        (4, "NOT_IN_PLAN_OF_YEAR"),
    ]
    first = next(p for p in report.problems if p.row == 2)
    assert "2011-2020" in first.message_zh and "W15" in first.message_zh


def test_reports_and_the_evaluation_page_offer_the_final_evaluation(rules_dir, tmp_path, capsys, monkeypatch):
    values = tmp_path / "values.csv"
    values.write_text(VALUES, encoding="utf-8")
    db = tmp_path / "periods.db"
    monkeypatch.setenv("DASHBOARD_DB_URL", f"sqlite:///{db}")
    args = ["--rules", str(rules_dir)]
    assert _run(capsys, "import", str(values), *args)[0] == 0

    docx = tmp_path / "r.docx"
    assert _run(capsys, "report", "--area", "江津区", "--year", "2024", "--out", str(docx), *args)[0] == 0
    from docx import Document

    doc = Document(str(docx))
    assert any(p.text == "上一规划期终期评估：测试用妇女发展规划（2011－2020年）" for p in doc.paragraphs)
    final = doc.tables[-1]
    rows = [[c.text for c in row.cells] for row in final.rows]
    assert rows[0] == ["序号", "指标", "规划目标", "2020年终期值", "与目标相比", "是否达标"]
    assert rows[2] == ["2", "W04 孕产妇系统管理率", "≥90", "92.5%", "超出目标 2.55 个百分点", "达标"]

    xlsx = tmp_path / "r.xlsx"
    assert (
        _run(capsys, "report", "--area", "江津区", "--year", "2024", "--format", "xlsx", "--out", str(xlsx), *args)[0]
        == 0
    )
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx)["终期评估2011-2020"]
    w90 = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "W90")
    assert w90[4:8] == ("≥5", 4.5, "未达标", "差 0.50万人")

    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DASHBOARD_RULES_DIR", str(rules_dir))
    at = AppTest.from_file(str(PROJECT / "streamlit_app.py"), default_timeout=120)
    at.switch_page("app_pages/evaluation.py")
    at.query_params["area"] = JJ
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "上一规划期终期评估：测试用妇女发展规划（2011－2020年）" in [s.value for s in at.subheader]
    table = at.dataframe[-1].value
    assert list(table["代码"]) == ["W03", "W04", "W90", "W91"]
    assert list(table["是否达标"]) == ["达标", "达标", "未达标", "无终期数据"]
    assert list(table["2020年监测值"])[:3] == ["7.0/10万", "92.5%", "4.50万人"]
