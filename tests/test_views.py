"""Known answers for the frames the pages show, on a small hand-made rule set and observations."""

from __future__ import annotations

import itertools
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard.charts import pages as charts
from dashboard.engine import evaluate
from dashboard.messages import catalogue, t
from dashboard.rules import load_rules
from dashboard.views import common as common_view
from dashboard.views import constraint as constraint_view
from dashboard.views import district as district_view
from dashboard.views import domain as domain_view
from dashboard.views import evaluation as evaluation_view
from dashboard.views import indicator as indicator_view
from dashboard.views import overview as overview_view
from dashboard.views import rules as rules_view
from dashboard.views import tasks as tasks_view
from dashboard.views import upload as upload_view
from dashboard.views import warnings as warnings_view

ROOT = Path(__file__).resolve().parent.parent

AREAS = """
areas:
  - {code: "100000", name_zh: 测试市, name_en: Test City, level: city}
  - {code: "100001", name_zh: 甲区, name_en: District A, parent: "100000", level: district}
  - {code: "100002", name_zh: 乙区, name_en: District B, parent: "100000", level: district}
"""
INDICATORS = """
plan: {code: W, name_zh: 测试规划, name_en: Test plan, source: test, area: "100000", baseline_year: 2020, target_year: 2030}
domains:
  - {code: health, name_zh: 健康, name_en: Health}
  - {code: education, name_zh: 教育, name_en: Education}
indicators:
  - {code: W01, domain: health, number: 1, name_zh: 甲指标, name_en: Alpha, unit: "%", direction: higher, target: "≥90", attribute: binding}
  - {code: W02, domain: health, number: 2, name_zh: 乙指标, name_en: Beta, unit: "‰", direction: lower, target: "<10", attribute: expected}
  - {code: W03, domain: education, number: 3, name_zh: 丙指标, name_en: Gamma, unit: "%", direction: higher, target: "≥95", attribute: expected}
  - {code: W04, domain: education, number: 4, name_zh: 丁指标, name_en: Delta, unit: "%", direction: higher, target: 提高, attribute: binding}
"""
UNITS = """
units:
  - {code: office, name_zh: 办公室, name_en: The Office, level: city, area: "100000"}
  - {code: members, name_zh: 各成员单位, name_en: All member units, level: city, area: "100000", group: all_members}
  - {code: health, name_zh: 卫健委, name_en: Health Commission, aliases: [卫生健康委], level: city, area: "100000", member: true}
  - {code: school, name_zh: 教委, name_en: Education Commission, level: city, area: "100000", member: true}
"""
TASKS = """
tasks:
  - code: T1
    source: 文件甲
    period: "2022"
    section: 一、健康
    title: 改善健康指标
    text: 甲指标达到 90% 以上，降低乙指标。
    lead_units: [卫生健康委]
    responsible_units: [各成员单位]
    plan: W
    domain: health
    indicators: [W01, W02]
    targets:
      - {measure: 甲指标, printed: 甲指标达到90%, target: "≥90", unit: "%", indicator: W01}
  - code: T2
    source: 文件甲
    period: "2022"
    section: 二、教育
    title: 提高丙指标
    text: 提高丙指标。
    lead_units: [教委, 卫健委]
    responsible_units: []
    plan: W
    domain: education
    indicators: [W03]
  - code: T3
    source: 文件乙
    period: "2021-2022"
    section: 一、统筹
    title: 统筹协调
    text: 统筹。
    lead_units: [办公室]
    responsible_units: [各成员单位]
"""
OVERRIDE = """
area: "100001"
source: 甲区规划
targets:
  W01: {target: "≥85"}
"""

# (area, indicator, year, value)
OBS = [
    ("100000", "W01", 2020, 80.0),
    ("100000", "W01", 2022, 92.0),  # met ≥90 → achieved
    ("100000", "W02", 2020, 20.0),
    ("100000", "W02", 2022, 25.0),  # lower is better, rose → deterioration
    ("100000", "W03", 2020, 90.0),
    ("100000", "W03", 2022, 92.0),  # fast enough towards 95 → on track
    # W04 city: no data
    ("100001", "W01", 2020, 80.0),
    ("100001", "W01", 2022, 80.5),  # too slow towards its own 85 → limited
    ("100001", "W02", 2020, 20.0),
    ("100001", "W02", 2022, 12.0),  # falling fast towards <10 → on track
    # 100002: no data at all
]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    root = tmp_path_factory.mktemp("rules")
    (root / "indicators").mkdir()
    (root / "overrides").mkdir()
    shutil.copy(ROOT / "rules" / "settings.yaml", root / "settings.yaml")
    (root / "areas.yaml").write_text(AREAS, encoding="utf-8")
    (root / "indicators" / "01_w.yaml").write_text(INDICATORS, encoding="utf-8")
    (root / "overrides" / "100001.yaml").write_text(OVERRIDE, encoding="utf-8")
    (root / "units.yaml").write_text(UNITS, encoding="utf-8")
    (root / "tasks").mkdir()
    (root / "tasks" / "t.yaml").write_text(TASKS, encoding="utf-8")
    rules = load_rules(root)
    assert rules.ok, [p.format() for p in rules.problems]
    obs = pd.DataFrame(OBS, columns=["area", "indicator", "year", "value"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ev = evaluate(rules, obs)
    return rules, ev


def _status(ev, area, code, year=2022):
    row = ev[(ev["area_code"] == area) & (ev["indicator"] == code) & (ev["year"] == year)]
    return str(row["status"].iloc[0])


def test_engine_gives_the_statuses_the_fixture_intends(small):
    _rules, ev = small
    assert [_status(ev, "100000", c) for c in ("W01", "W02", "W03", "W04")] == [
        "achieved",
        "deterioration",
        "on_track",
        "no_data",
    ]
    assert _status(ev, "100001", "W01") == "limited"
    assert _status(ev, "100001", "W02") == "on_track"
    assert _status(ev, "100002", "W01") == "no_data"


def test_years_and_default_year(small):
    rules, ev = small
    assert common_view.years_of(ev) == [2020, 2021, 2022]
    assert common_view.default_year(ev) == 2022
    empty = ev.iloc[0:0]
    assert common_view.years_of(empty, rules) == [2020]
    assert common_view.area_options(rules) == ["100000", "100001", "100002"]
    assert common_view.city_code(rules) == "100000"


def test_status_counts(small):
    _rules, ev = small
    c = overview_view.status_counts(ev, "100000", 2022).set_index("status")
    assert list(c.index) == ["achieved", "on_track", "needs_acceleration", "limited", "deterioration", "no_data"]
    assert c["total"].to_dict() == {
        "achieved": 1,
        "on_track": 1,
        "needs_acceleration": 0,
        "limited": 0,
        "deterioration": 1,
        "no_data": 1,
    }
    assert c["binding"].to_dict() == {
        "achieved": 1,
        "on_track": 0,
        "needs_acceleration": 0,
        "limited": 0,
        "deterioration": 0,
        "no_data": 1,
    }
    assert c["expected"].sum() == 2
    assert c.loc["achieved", "label"] == "已达标"
    assert (
        overview_view.status_counts(ev, "100000", 2022, "en").set_index("status").loc["achieved", "label"] == "Achieved"
    )


def test_domain_status(small):
    rules, ev = small
    d = overview_view.domain_status(ev, rules, "100000", 2022, "en")
    got = {(r.domain_name, r.status): r.n for r in d.itertuples()}
    assert got == {
        ("Health", "achieved"): 1,
        ("Health", "deterioration"): 1,
        ("Education", "on_track"): 1,
        ("Education", "no_data"): 1,
    }
    assert list(dict.fromkeys(d["domain"])) == ["health", "education"]


def test_attention_list_binding_first(small):
    rules, ev = small
    a = overview_view.attention_list(ev, rules, "100000", 2022)
    # W04 is binding without data; W01 achieved (no warning) is not listed.
    assert a["indicator"].iloc[0] == "W04"
    assert "W01" not in set(a["indicator"])
    assert "约束性指标无数据" in a["reason"].iloc[0]
    a_en = overview_view.attention_list(ev, rules, "100001", 2022, "en")
    assert a_en["indicator"].iloc[0] == "W01"  # binding, limited
    assert a_en["reason"].iloc[0].startswith("binding indicator: Limited progress")


def test_district_grid_and_table(small):
    rules, ev = small
    g = district_view.district_grid(ev, rules, 2022)
    assert len(g) == 3 * 4
    assert list(dict.fromkeys(g["area_code"])) == ["100000", "100001", "100002"]
    cell = g[(g["area_code"] == "100001") & (g["indicator"] == "W01")].iloc[0]
    assert cell["status"] == "limited" and cell["label"] == "进展有限" and cell["value_used"] == 80.5
    assert len(district_view.district_grid(ev, rules, 2022, attribute="binding")) == 3 * 2
    wide = district_view.grid_table(g)
    assert wide.shape == (3, 4)
    assert wide.loc["乙区", "W03"] == "无数据"


def test_area_ranking(small):
    rules, ev = small
    r = district_view.area_ranking(ev, rules, 2022, "en")
    assert list(r["area_code"]) == ["100001", "100002"]  # city left out
    first = r.iloc[0]
    assert first["with_data"] == 2 and first["share_good"] == 0.5 and first["rank"] == 1
    assert first["limited"] == 1 and first["on_track"] == 1
    assert np.isnan(r.iloc[1]["share_good"])  # no data: ranked last
    assert first["area_name"] == "District A"
    with_city = district_view.area_ranking(ev, rules, 2022, include_city=True)
    assert with_city.iloc[0]["area_code"] == "100000"  # 2 of 3 with data good


def test_area_vs_city(small):
    rules, ev = small
    c = district_view.area_vs_city(ev, rules, "100001", 2022).set_index("indicator")
    assert c.loc["W01", "area_value"] == 80.5 and c.loc["W01", "city_value"] == 92.0
    assert c.loc["W01", "difference"] == -11.5 and not c.loc["W01", "better"]
    assert c.loc["W02", "difference"] == -13.0 and c.loc["W02", "better"]  # lower is better
    assert pd.isna(c.loc["W04", "better"])
    assert c.loc["W01", "area_label"] == "进展有限" and c.loc["W01", "city_label"] == "已达标"


def test_domain_summary_and_series(small):
    rules, ev = small
    s = domain_view.domain_summary(ev, rules, "W", "health", "100000", 2022, "en")
    assert list(s["indicator"]) == ["W01", "W02"]
    assert list(s["label"]) == ["Achieved", "Deterioration"]
    assert list(s["attribute_label"]) == ["Binding", "Expected"]
    ser = domain_view.domain_series(ev, rules, "W", "health", "100000")
    assert ser.dropna(subset=["value"]).shape[0] == 4
    assert set(ser.loc[ser["indicator"] == "W01", "target_value"].dropna()) == {90.0}


def test_constraint_table(small):
    rules, ev = small
    c = constraint_view.constraint_table(ev, rules, "100000", 2022)
    assert list(c.loc[c["attribute"] == "binding", "indicator"]) == ["W01", "W04"]
    assert list(c.loc[c["attribute"] == "expected", "indicator"]) == ["W02", "W03"]


def test_indicator_layers_and_values(small):
    rules, ev = small
    lay = indicator_view.indicator_layers(ev, rules, "W01", ["100000", "100001"], year=2022, lang="en")
    assert len(lay["observed"]) == 4
    assert set(lay["observed"]["area_name"]) == {"Test City", "District A"}
    assert sorted(lay["target"]["value"]) == [85.0, 90.0]  # District A has its own target
    base = lay["baseline"].set_index("area_name")["value"].to_dict()
    assert base == {"Test City": 80.0, "District A": 80.0}
    proj = lay["projection"]
    assert set(proj["year"]) == {2022, 2030}
    vals = indicator_view.indicator_values(ev, rules, "W01", ["100000"], "en")
    assert list(vals["year"]) == [2020, 2021, 2022]
    assert vals["status"].iloc[-1] == "Achieved"


def test_describe_target_and_area_targets(small):
    rules, _ev = small
    d = indicator_view.describe_target(rules, "100001", "W01", "en")
    assert d["target_text"] == "≥85" and d["check"] == "at least 85" and d["source"] == "override"
    assert indicator_view.describe_target(rules, "100000", "W01", "zh")["check"] == "不低于 90"
    at = rules_view.area_targets(rules, "100001", "en")
    diff = at[at["differs"]]
    assert list(diff["indicator"]) == ["W01"]
    assert diff.iloc[0]["default_target"] == "≥90" and diff.iloc[0]["area_target"] == "≥85"
    assert not rules_view.area_targets(rules, "100002")["differs"].any()


def test_small_task_catalogue_loads(small):
    rules, _ = small
    cat = tasks_view.task_catalogue(rules)
    assert cat.ok, [p.format() for p in cat.problems]
    assert list(cat.tasks) == ["T1", "T2", "T3"]


def test_tasks_for_indicator_and_lead_units(small):
    rules, _ = small
    tasks = tasks_view.tasks_for_indicator(rules, "W01")
    assert list(tasks["code"]) == ["T1"]
    assert tasks.iloc[0]["lead_units"] == "卫健委" and tasks.iloc[0]["responsible_units"] == "各成员单位"
    assert (
        tasks_view.tasks_for_indicator(rules, "W03", "en").iloc[0]["lead_units"]
        == "Education Commission, Health Commission"
    )
    assert tasks_view.tasks_for_indicator(rules, "W04").empty
    assert tasks_view.indicator_lead_units(rules) == {"W01": "卫健委", "W02": "卫健委", "W03": "教委、卫健委"}


def test_attention_list_names_the_lead_units(small):
    rules, ev = small
    a = overview_view.attention_list(ev, rules, "100001", 2022).set_index("indicator")
    assert a.loc["W01", "lead_units"] == "卫健委"
    assert overview_view.attention_list(ev, rules, "100000", 2022).set_index("indicator").loc["W04", "lead_units"] == ""


def test_task_list_filters(small):
    rules, _ = small
    assert list(tasks_view.all_tasks(rules)["code"]) == ["T1", "T2", "T3"]
    assert list(tasks_view.task_list(rules, source="文件乙")["code"]) == ["T3"]
    assert list(tasks_view.task_list(rules, section="二、教育")["code"]) == ["T2"]
    assert list(tasks_view.task_list(rules, domain="education")["code"]) == ["T2"]
    school = tasks_view.task_list(rules, unit="school")
    assert list(school["code"]) == ["T1", "T2", "T3"]
    assert dict(zip(school["code"], school["role"])) == {"T1": "responsible", "T2": "lead", "T3": "responsible"}
    assert dict(zip(school["code"], school["via"])) == {"T1": "各成员单位", "T2": "", "T3": "各成员单位"}
    assert list(tasks_view.task_list(rules, unit="school", role="lead")["code"]) == ["T2"]
    assert list(tasks_view.task_list(rules, unit="school", role="responsible")["code"]) == ["T1", "T3"]
    # 卫健委 leads T1; being in 各成员单位 does not list T1 again as responsible.
    health = tasks_view.task_list(rules, unit="health")
    assert dict(zip(health["code"], health["role"])) == {"T1": "lead", "T2": "lead", "T3": "responsible"}
    reports = pd.DataFrame(
        {
            "task": ["T1", "T3"],
            "year": [2022, 2021],
            "target_no": [1, 0],
            "status": ["done", "delayed"],
            "reached": [92.0, np.nan],
            "note": [None, "x"],
        }
    )
    assert list(tasks_view.task_list(rules, reports=reports, status="done")["code"]) == ["T1"]
    assert list(tasks_view.task_list(rules, reports=reports, status="not_reported")["code"]) == ["T2"]
    labels = tasks_view.task_list(rules, "en", reports)["status_label"].tolist()
    assert labels == ["Done", "Not reported", "Delayed"]
    opts = tasks_view.task_filter_options(rules)
    assert opts["sources"] == ["文件甲", "文件乙"]
    assert opts["sections"] == {"文件甲": ["一、健康", "二、教育"], "文件乙": ["一、统筹"]}
    assert opts["domains"] == {"health": "健康", "education": "教育"}
    assert list(opts["units"]) == ["office", "members", "health", "school"]


def test_task_info_targets_and_history(small):
    rules, ev = small
    info = tasks_view.task_info(rules, "T1", "en")
    assert info["title"] == "改善健康指标" and info["indicators"] == ["W01", "W02"]
    assert [u["name"] for u in info["lead"]] == ["Health Commission"]
    (group,) = info["responsible"]
    assert group["name"] == "All member units" and group["members"] == ["Health Commission", "Education Commission"]
    assert tasks_view.task_info(rules, "nope") is None
    linked = tasks_view.task_indicators(ev, rules, "T1", "100000", 2022)
    assert list(linked["indicator"]) == ["W01", "W02"] and list(linked["status"]) == ["achieved", "deterioration"]
    assert list(tasks_view.task_indicators(ev.iloc[0:0], rules, "T1", "100000", 2022)["status"]) == [
        "no_data",
        "no_data",
    ]
    reports = pd.DataFrame(
        {
            "task": ["T1"],
            "year": [2022],
            "target_no": [1],
            "status": ["in_progress"],
            "reached": [88.0],
            "note": [None],
            "batch_id": [3],
        }
    )
    tg = tasks_view.task_targets(rules, reports, "T1")
    assert len(tg) == 1
    row = tg.iloc[0]
    assert row["measure"] == "甲指标" and row["target"] == "≥90" and row["reached"] == 88.0
    assert row["met"] is False and row["status_label"] == "推进中" and row["year"] == 2022
    assert tasks_view.task_targets(rules, None, "T1").iloc[0]["status"] == "not_reported"
    assert tasks_view.task_targets(rules, reports, "T2").empty  # no numeric target
    assert tasks_view.task_status_summary(rules, reports, "T1") == {
        "status": "in_progress",
        "label": "推进中",
        "year": 2022,
    }
    assert tasks_view.task_status_summary(rules, reports, "T2")["status"] == "not_reported"
    history = reports.assign(is_current=True, created_at=pd.Timestamp("2023-01-05"), uploader="王", file_name="p.csv")
    h = tasks_view.task_history_table(rules, history, "T1")
    assert h.iloc[0][["year", "target", "status_label", "reached", "uploader"]].tolist() == [
        2022,
        "甲指标",
        "推进中",
        88.0,
        "王",
    ]
    whole = tasks_view.task_history_table(rules, reports.assign(target_no=0), "T1", "en")
    assert whole.iloc[0]["target"] == "(whole task)"


def test_unit_views(small):
    rules, ev = small
    assert tasks_view.unit_options(rules, "en")["health"] == "Health Commission"
    assert tasks_view.unit_info(rules, "members")["members"] == ["卫健委", "教委"]
    assert tasks_view.unit_info(rules, "school")["groups"] == ["各成员单位"]
    ind = tasks_view.unit_indicators(ev, rules, "school", "100000", 2022)
    # Most worrying first: W02 deteriorates (through T1, shared), W03 on track (T2, led), W01 achieved.
    assert list(ind["indicator"]) == ["W02", "W03", "W01"]
    assert list(ind["role"]) == ["responsible", "lead", "responsible"]
    assert list(ind["tasks"]) == ["T1", "T2", "T1"]
    assert set(tasks_view.unit_indicators(ev, rules, "health", "100000", 2022)["role"]) == {"lead"}
    assert tasks_view.unit_indicators(ev, rules, "office", "100000", 2022).empty  # T3 moves no indicator
    counts = tasks_view.unit_status_counts(ind).set_index("status")["total"].to_dict()
    assert counts == {
        "achieved": 1,
        "on_track": 1,
        "needs_acceleration": 0,
        "limited": 0,
        "deterioration": 1,
        "no_data": 0,
        "not_achieved": 0,
    }


def test_warnings_view_filters_and_counts(small):
    rules, ev = small
    w = warnings_view.warnings_view(ev, rules, 2022)
    assert set(w["area_code"]) <= {"100000", "100001", "100002"}
    city = warnings_view.warnings_view(ev, rules, 2022, areas=["100000"])
    assert set(city["area_code"]) == {"100000"}
    assert ("W02", "deterioration") in set(zip(city["indicator"], city["kind"]))
    row = city[(city["indicator"] == "W02") & (city["kind"] == "deterioration")].iloc[0]
    assert row["reason"] == "目前 25.00‰，比基期 20.00‰（2020年）更差" and row["lead_units"] == "卫健委"
    a = warnings_view.warnings_view(ev, rules, 2022, "en", areas=["100001"])
    assert ("W01", "binding_not_on_track") in set(zip(a["indicator"], a["kind"]))
    assert a.iloc[0]["kind"] == "binding_not_on_track" and a.iloc[0]["attribute_label"] == "Binding"
    binding = warnings_view.warnings_view(ev, rules, 2022, binding_only=True)
    assert len(binding) and set(binding["attribute"].astype(str)) == {"binding"}
    only = warnings_view.warnings_view(ev, rules, 2022, kinds=["deterioration"])
    assert set(only["kind"]) == {"deterioration"} and len(only) < len(w)
    counts = warnings_view.warning_counts(city).set_index("kind")
    assert list(counts.index) == warnings_view.warning_kinds() and counts["n"].sum() == len(city)
    assert counts.loc["deterioration", "label"] == "较基期倒退"
    top = warnings_view.top_warnings(w, 2)
    assert len(top) == 2 and top.iloc[0]["kind"] == "binding_not_on_track"
    assert warnings_view.warnings_view(ev.iloc[0:0], rules, 2022).empty


def test_evaluation_view_in_plan_order(small):
    rules, ev = small
    table, lines = evaluation_view.evaluation_view(ev, rules, "100000", 2022)
    assert list(table["code"]) == ["W01", "W02", "W03", "W04"]
    assert list(table["number"]) == [1, 2, 3, 4]
    assert list(table["status"]) == ["achieved", "deterioration", "on_track", "no_data"]
    assert table.iloc[0][["domain_name", "unit", "target_text", "attribute_label", "baseline", "value"]].tolist() == [
        "健康",
        "%",
        "≥90",
        "约束性",
        80.0,
        92.0,
    ]
    assert lines == ["健康 2 项指标：1 项已达标，1 项倒退。", "教育 2 项指标：1 项进展顺利，1 项无数据。"]
    table_en, lines_en = evaluation_view.evaluation_view(ev, rules, "100001", 2022, "en")
    assert table_en.iloc[0]["target_text"] == "≥85" and table_en.iloc[0]["attribute_label"] == "Binding"
    assert lines_en[0] == "Health: 2 indicators — 1 on track, 1 limited progress."
    assert evaluation_view.evaluation_years(ev, rules) == ([2020, 2021, 2022], 2022)
    later = pd.concat([ev, ev[ev["year"] == 2022].assign(year=2025)])
    assert evaluation_view.evaluation_years(later, rules)[1] == 2025
    assert (
        evaluation_view.evaluation_kind(rules, 2025) == "midterm"
        and evaluation_view.evaluation_kind(rules, 2030) == "final"
    )
    assert evaluation_view.evaluation_kind(rules, 2024) is None
    empty_table, _ = evaluation_view.evaluation_view(ev.iloc[0:0], rules, "100000", 2022)
    assert set(empty_table["status"]) == {"no_data"}


def test_problems_frame_has_file_and_line(tmp_path):
    root = tmp_path / "rules"
    (root / "indicators").mkdir(parents=True)
    shutil.copy(ROOT / "rules" / "settings.yaml", root / "settings.yaml")
    (root / "areas.yaml").write_text(AREAS, encoding="utf-8")
    (root / "indicators" / "01_w.yaml").write_text(
        INDICATORS.replace('target: "<10"', 'target: "很多"'), encoding="utf-8"
    )
    rules = load_rules(root)
    p = rules_view.problems_frame(rules.problems, "en")
    assert len(p) == 1
    assert p.iloc[0]["code"] == "BAD_TARGET"
    assert p.iloc[0]["file"].endswith("01_w.yaml") and p.iloc[0]["line"] == 8  # the W02 row


def test_every_label_has_both_languages():
    for key, entry in catalogue().items():
        assert entry.zh and entry.en, key
    assert t("overview_heading", "en", area="X", year=2024) == "X · progress in 2024"
    assert t("page_overview") == "总览" and t("page_overview", "en") == "Overview"


def test_charts_render_and_survive_many_rows(small):
    rules, ev = small
    for lang in ("zh", "en"):
        charts.status_bar(overview_view.status_counts(ev, "100000", 2022, lang), lang).to_dict()
        charts.domain_status_chart(overview_view.domain_status(ev, rules, "100000", 2022, lang), lang).to_dict()
        charts.district_heatmap(district_view.district_grid(ev, rules, 2022, lang), lang).to_dict()
        charts.ranking_chart(district_view.area_ranking(ev, rules, 2022, lang), lang).to_dict()
        charts.indicator_chart(
            indicator_view.indicator_layers(ev, rules, "W01", ["100000"], lang=lang), lang, "%"
        ).to_dict()
        charts.sparkline(
            domain_view.domain_series(ev, rules, "W", "health", "100000").query("indicator == 'W01'"), "achieved", lang
        ).to_dict()
    # 6,000 cells: past Altair's default 5,000-row limit.
    big = pd.DataFrame(
        {
            "area_name": [f"A{i // 100}" for i in range(6000)],
            "area_order": [i // 100 for i in range(6000)],
            "indicator": [f"I{i % 100:03d}" for i in range(6000)],
            "indicator_label": "x",
            "ind_order": [i % 100 for i in range(6000)],
            "status": "achieved",
            "label": "已达标",
            "value_used": 1.0,
            "area_code": [f"{i // 100:06d}" for i in range(6000)],
            "value_text": "1.0%",
        }
    )
    spec = charts.district_heatmap(big).to_dict()
    assert spec["mark"]["type"] == "rect"
    empty = district_view.district_grid(ev.iloc[0:0], rules, 2022)
    charts.district_heatmap(empty).to_dict()
    charts.domain_status_chart(overview_view.domain_status(ev.iloc[0:0], rules, "100000", 2022)).to_dict()


def test_status_colours_are_fixed():
    assert list(charts.STATUS_COLORS) == [
        "achieved",
        "on_track",
        "needs_acceleration",
        "limited",
        "deterioration",
        "no_data",
        "not_achieved",
    ]
    scale = charts.status_scale("en").to_dict()
    assert scale["domain"][0] == "Achieved" and scale["range"][0] == charts.STATUS_COLORS["achieved"]


def _luminance(hex_colour: str) -> float:
    """WCAG relative luminance of an sRGB colour."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_status_colours_stay_apart_in_greyscale():
    # Printed in black and white (or seen without colour vision), each status must still differ in
    # lightness from the next lighter one: WCAG contrast ratio (L1 + 0.05) / (L2 + 0.05) ≥ 1.15.
    lum = sorted(_luminance(c) for c in charts.STATUS_COLORS.values())
    ratios = [(b + 0.05) / (a + 0.05) for a, b in itertools.pairwise(lum)]
    assert min(ratios) >= 1.15, ratios


def test_upload_report_tables(rules):
    """The upload page's report and preview, computed without Streamlit."""
    import pandas as pd

    from dashboard.intake import INDICATORS, preview_counts
    from dashboard.messages import Code, Problem

    problem = Problem(Code.UNKNOWN_AREA_HINT, {"text": "万洲区", "hint": "万州区"}, row=3, column="区县")
    table = upload_view.problem_table([problem], "en")
    assert table.to_dict("records") == [
        {
            "location": "row 3, column 区县",
            "code": "UNKNOWN_AREA",
            "severity": "error",
            "message": "unknown area '万洲区'; did you mean '万州区'?",
            "message_zh": "未知地区“万洲区”；是不是“万州区”？",
            "message_en": "unknown area '万洲区'; did you mean '万州区'?",
        }
    ]
    preview = pd.DataFrame(
        {
            "area": ["500101", "500116"],
            "indicator": ["W03", "W03"],
            "year": [2021, 2021],
            "old": [None, 9.0],
            "new": [10.0, 8.0],
            "kind": ["new", "correction"],
            "source_row": [2, 3],
        }
    )
    assert preview_counts(preview) == {"new": 1, "correction": 1, "unchanged": 0}
    assert preview_counts(None) == {"new": 0, "correction": 0, "unchanged": 0}
    shown = upload_view.preview_table(INDICATORS, preview, rules, "zh")
    assert list(shown["area"]) == ["万州区", "江津区"] and list(shown["name"]) == ["孕产妇死亡率"] * 2
    assert list(shown.columns[:3]) == ["area", "indicator", "name"]
    # Values in the indicator's unit; nothing stored before is a dash, never "None".
    assert list(shown["old"]) == ["—", "9.0/10万"] and list(shown["new"]) == ["10.0/10万", "8.0/10万"]


def test_audit_table_in_words():
    import pandas as pd

    log = pd.DataFrame(
        {
            "id": [1, 2],
            "at": [pd.Timestamp("2026-01-02 03:04:05"), pd.Timestamp("2026-01-02 16:30")],
            "user": ["alice", "bob"],
            "action": ["rollback", "upload"],
            "target": ["batch 7", "2024.csv"],
            "details": [None, '{"batch": 12, "rows": 340, "kind": "indicators", "via": "cli", "sha256": "ab12"}'],
        }
    )
    table = upload_view.audit_table(log, "zh")
    # stored in UTC, shown on the reader's clock (Beijing, UTC+8); the details in words, no JSON, no codes
    assert table.iloc[0].tolist() == ["2026-01-02 11:04", "alice", "撤回批次", "batch 7", ""]
    assert table.iloc[1].tolist() == [
        "2026-01-03 00:30",
        "bob",
        "上传数据",
        "2024.csv",
        "批次 12；行数 340；类型 指标数据上传；途径 命令行",
    ]
    assert (
        upload_view.audit_table(log, "en").iloc[1, 4] == "batch 12; rows 340; kind indicator values; via command line"
    )


def test_practice_summary_for_the_overview(small):
    # 100000 in 2022: achieved, on track, deterioration and no data (test_status_counts) →
    # 达标率 1 of 3 monitorable = 33.3 %, the no-data indicator counted apart; four classes 1/1/1/1.
    rules, ev = small
    metrics, classes = overview_view.practice_summary(ev, rules, "100000", 2022)
    assert metrics[0] == {"label": "全部指标", "value": "33.3%", "help": "33.3%（1/3，另有 1 项无数据）"}
    assert classes == "评估分类：提前达标 1 · 预期可达标 1 · 预期难以达标 1 · 无法判断 1"


def test_the_district_map_spec_is_valid_and_carries_every_outline_with_its_share(rules):
    import altair as alt

    from dashboard.charts import map as map_chart
    from dashboard.demo import generate
    from dashboard.engine import evaluate

    ev = evaluate(rules, generate(rules))
    values = district_view.map_values(ev, rules, 2024, "zh")
    spec = map_chart.district_map(values, "zh")
    alt.LayerChart.from_dict(spec)  # checked against the Vega-Lite schema (the app skips the check)
    features = spec["datasets"][map_chart.OUTLINES]
    assert len(features) == 38  # every district and county with an outline (万盛经开区 has none)
    shares = dict(zip(values["area_code"], values["share"]))
    for feature in features:
        code = feature["properties"]["code"]
        assert feature["properties"]["share"] == shares[code]
    assert "coordinates" in features[0]["geometry"] and "config" in spec
