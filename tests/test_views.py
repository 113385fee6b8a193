"""Known answers for the frames the pages show, on a small hand-made rule set and observations."""
from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard import charts, views
from dashboard.i18n import LABELS, t
from dashboard.progress import evaluate
from dashboard.rules import load_rules

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
OVERRIDE = """
area: "100001"
source: 甲区规划
targets:
  W01: {target: "≥85"}
"""

# (area, indicator, year, value)
OBS = [
    ("100000", "W01", 2020, 80.0), ("100000", "W01", 2022, 92.0),   # met ≥90 → achieved
    ("100000", "W02", 2020, 20.0), ("100000", "W02", 2022, 25.0),   # lower is better, rose → deterioration
    ("100000", "W03", 2020, 90.0), ("100000", "W03", 2022, 92.0),   # fast enough towards 95 → on track
    # W04 city: no data
    ("100001", "W01", 2020, 80.0), ("100001", "W01", 2022, 80.5),   # too slow towards its own 85 → limited
    ("100001", "W02", 2020, 20.0), ("100001", "W02", 2022, 12.0),   # falling fast towards <10 → on track
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
    rules, ev = small
    assert [_status(ev, "100000", c) for c in ("W01", "W02", "W03", "W04")] == \
        ["achieved", "deterioration", "on_track", "no_data"]
    assert _status(ev, "100001", "W01") == "limited"
    assert _status(ev, "100001", "W02") == "on_track"
    assert _status(ev, "100002", "W01") == "no_data"


def test_years_and_default_year(small):
    rules, ev = small
    assert views.years_of(ev) == [2020, 2021, 2022]
    assert views.default_year(ev) == 2022
    empty = ev.iloc[0:0]
    assert views.years_of(empty, rules) == [2020]
    assert views.area_options(rules) == ["100000", "100001", "100002"]
    assert views.city_code(rules) == "100000"


def test_status_counts(small):
    rules, ev = small
    c = views.status_counts(ev, "100000", 2022).set_index("status")
    assert list(c.index) == ["achieved", "on_track", "needs_acceleration", "limited", "deterioration", "no_data"]
    assert c["total"].to_dict() == {"achieved": 1, "on_track": 1, "needs_acceleration": 0, "limited": 0,
                                    "deterioration": 1, "no_data": 1}
    assert c["binding"].to_dict() == {"achieved": 1, "on_track": 0, "needs_acceleration": 0, "limited": 0,
                                      "deterioration": 0, "no_data": 1}
    assert c["expected"].sum() == 2
    assert c.loc["achieved", "label"] == "已达标"
    assert views.status_counts(ev, "100000", 2022, "en").set_index("status").loc["achieved", "label"] == "Achieved"


def test_domain_status(small):
    rules, ev = small
    d = views.domain_status(ev, rules, "100000", 2022, "en")
    got = {(r.domain_name, r.status): r.n for r in d.itertuples()}
    assert got == {("Health", "achieved"): 1, ("Health", "deterioration"): 1,
                   ("Education", "on_track"): 1, ("Education", "no_data"): 1}
    assert list(dict.fromkeys(d["domain"])) == ["health", "education"]


def test_attention_list_binding_first(small):
    rules, ev = small
    a = views.attention_list(ev, rules, "100000", 2022)
    # W04 is binding without data; W01 achieved (no warning) is not listed.
    assert a["indicator"].iloc[0] == "W04"
    assert "W01" not in set(a["indicator"])
    assert "约束性指标无数据" in a["reason"].iloc[0]
    a_en = views.attention_list(ev, rules, "100001", 2022, "en")
    assert a_en["indicator"].iloc[0] == "W01"            # binding, limited
    assert a_en["reason"].iloc[0].startswith("binding indicator: Limited progress")


def test_district_grid_and_table(small):
    rules, ev = small
    g = views.district_grid(ev, rules, 2022)
    assert len(g) == 3 * 4
    assert list(dict.fromkeys(g["area_code"])) == ["100000", "100001", "100002"]
    cell = g[(g["area_code"] == "100001") & (g["indicator"] == "W01")].iloc[0]
    assert cell["status"] == "limited" and cell["label"] == "进展有限" and cell["value_used"] == 80.5
    assert len(views.district_grid(ev, rules, 2022, attribute="binding")) == 3 * 2
    wide = views.grid_table(g)
    assert wide.shape == (3, 4)
    assert wide.loc["乙区", "W03"] == "无数据"


def test_area_ranking(small):
    rules, ev = small
    r = views.area_ranking(ev, rules, 2022, "en")
    assert list(r["area_code"]) == ["100001", "100002"]        # city left out
    first = r.iloc[0]
    assert first["with_data"] == 2 and first["share_good"] == 0.5 and first["rank"] == 1
    assert first["limited"] == 1 and first["on_track"] == 1
    assert np.isnan(r.iloc[1]["share_good"])                   # no data: ranked last
    assert first["area_name"] == "District A"
    with_city = views.area_ranking(ev, rules, 2022, include_city=True)
    assert with_city.iloc[0]["area_code"] == "100000"           # 2 of 3 with data good


def test_area_vs_city(small):
    rules, ev = small
    c = views.area_vs_city(ev, rules, "100001", 2022).set_index("indicator")
    assert c.loc["W01", "area_value"] == 80.5 and c.loc["W01", "city_value"] == 92.0
    assert c.loc["W01", "difference"] == -11.5 and not c.loc["W01", "better"]
    assert c.loc["W02", "difference"] == -13.0 and c.loc["W02", "better"]     # lower is better
    assert pd.isna(c.loc["W04", "better"])
    assert c.loc["W01", "area_label"] == "进展有限" and c.loc["W01", "city_label"] == "已达标"


def test_domain_summary_and_series(small):
    rules, ev = small
    s = views.domain_summary(ev, rules, "W", "health", "100000", 2022, "en")
    assert list(s["indicator"]) == ["W01", "W02"]
    assert list(s["label"]) == ["Achieved", "Deterioration"]
    assert list(s["attribute_label"]) == ["Binding", "Expected"]
    ser = views.domain_series(ev, rules, "W", "health", "100000")
    assert ser.dropna(subset=["value"]).shape[0] == 4
    assert set(ser.loc[ser["indicator"] == "W01", "target_value"].dropna()) == {90.0}


def test_constraint_table(small):
    rules, ev = small
    c = views.constraint_table(ev, rules, "100000", 2022)
    assert list(c.loc[c["attribute"] == "binding", "indicator"]) == ["W01", "W04"]
    assert list(c.loc[c["attribute"] == "expected", "indicator"]) == ["W02", "W03"]


def test_indicator_layers_and_values(small):
    rules, ev = small
    lay = views.indicator_layers(ev, rules, "W01", ["100000", "100001"], year=2022, lang="en")
    assert len(lay["observed"]) == 4
    assert set(lay["observed"]["area_name"]) == {"Test City", "District A"}
    assert sorted(lay["target"]["value"]) == [85.0, 90.0]           # District A has its own target
    base = lay["baseline"].set_index("area_name")["value"].to_dict()
    assert base == {"Test City": 80.0, "District A": 80.0}
    proj = lay["projection"]
    assert set(proj["year"]) == {2022, 2030}
    vals = views.indicator_values(ev, rules, "W01", ["100000"], "en")
    assert list(vals["year"]) == [2020, 2021, 2022]
    assert vals["status"].iloc[-1] == "Achieved"


def test_describe_target_and_area_targets(small):
    rules, ev = small
    d = views.describe_target(rules, "100001", "W01", "en")
    assert d["target_text"] == "≥85" and d["check"] == "at least 85" and d["source"] == "override"
    assert views.describe_target(rules, "100000", "W01", "zh")["check"] == "不低于 90"
    at = views.area_targets(rules, "100001", "en")
    diff = at[at["differs"]]
    assert list(diff["indicator"]) == ["W01"]
    assert diff.iloc[0]["default_target"] == "≥90" and diff.iloc[0]["area_target"] == "≥85"
    assert not views.area_targets(rules, "100002")["differs"].any()


def test_tasks_for_indicator_is_an_empty_frame(small):
    rules, _ = small
    tasks = views.tasks_for_indicator(rules, "W01")
    assert tasks.empty and list(tasks.columns) == ["code", "title", "lead_units"]


def test_problems_frame_has_file_and_line(tmp_path):
    root = tmp_path / "rules"
    (root / "indicators").mkdir(parents=True)
    shutil.copy(ROOT / "rules" / "settings.yaml", root / "settings.yaml")
    (root / "areas.yaml").write_text(AREAS, encoding="utf-8")
    (root / "indicators" / "01_w.yaml").write_text(INDICATORS.replace('target: "<10"', 'target: "很多"'), encoding="utf-8")
    rules = load_rules(root)
    p = views.problems_frame(rules, "en")
    assert len(p) == 1
    assert p.iloc[0]["code"] == "BAD_TARGET"
    assert p.iloc[0]["file"].endswith("01_w.yaml") and p.iloc[0]["line"] == 8  # the W02 row


def test_every_label_has_both_languages():
    for key, (zh, en) in LABELS.items():
        assert zh and en, key
    assert t("overview_heading", "en", area="X", year=2024) == "X · progress in 2024"
    assert t("page_overview") == "总览" and t("page_overview", "en") == "Overview"


def test_charts_render_and_survive_many_rows(small):
    rules, ev = small
    for lang in ("zh", "en"):
        charts.status_bar(views.status_counts(ev, "100000", 2022, lang), lang).to_dict()
        charts.domain_status_chart(views.domain_status(ev, rules, "100000", 2022, lang), lang).to_dict()
        charts.district_heatmap(views.district_grid(ev, rules, 2022, lang), lang).to_dict()
        charts.ranking_chart(views.area_ranking(ev, rules, 2022, lang), lang).to_dict()
        charts.indicator_chart(views.indicator_layers(ev, rules, "W01", ["100000"], lang=lang), lang, "%").to_dict()
        charts.sparkline(views.domain_series(ev, rules, "W", "health", "100000").query("indicator == 'W01'"),
                         "achieved", lang).to_dict()
    # 6,000 cells: past Altair's default 5,000-row limit.
    big = pd.DataFrame({
        "area_name": [f"A{i // 100}" for i in range(6000)], "area_order": [i // 100 for i in range(6000)],
        "indicator": [f"I{i % 100:03d}" for i in range(6000)], "indicator_label": "x",
        "ind_order": [i % 100 for i in range(6000)], "status": "achieved", "label": "已达标", "value_used": 1.0,
    })
    spec = charts.district_heatmap(big).to_dict()
    assert spec["mark"]["type"] == "rect"
    empty = views.district_grid(ev.iloc[0:0], rules, 2022)
    charts.district_heatmap(empty).to_dict()
    charts.domain_status_chart(views.domain_status(ev.iloc[0:0], rules, "100000", 2022)).to_dict()


def test_status_colours_are_fixed():
    assert list(charts.STATUS_COLORS) == ["achieved", "on_track", "needs_acceleration", "limited",
                                          "deterioration", "no_data"]
    scale = charts.status_scale("en").to_dict()
    assert scale["domain"][0] == "Achieved" and scale["range"][0] == charts.STATUS_COLORS["achieved"]
