"""Work-plan tasks, units, the indicator ↔ task drill-down, and yearly task-progress reports.

Expected lead/responsible units are written out as printed in seed 000 (重庆市妇儿工委 2020 年工作要点);
when the seed text is available next to the repository the whole document is also re-read and
compared task by task. Line numbers in broken task files are found by searching the text, never
hard-coded.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from dashboard.checks.threshold import Threshold
from dashboard.engine.task_status import target_met, task_status_frame, with_status
from dashboard.intake.task_progress import preview_task_changes, read_task_progress
from dashboard.rules import load_rules
from dashboard.rules.workplan import (
    catalogue_frame,
    indicators_for_task,
    load_tasks,
    resolve_unit,
    tasks_for_indicator,
    tasks_for_unit,
    units_frame,
)

PROJECT = Path(__file__).resolve().parent.parent
RULES = PROJECT / "rules"
SEED_000 = PROJECT.parent / "shared" / "seeds" / "000_48f71d3d445c5adf.txt"
WP = "tasks/2020_city_workplan.yaml"


@pytest.fixture(scope="module")
def cat(rules):
    loaded = load_tasks(RULES, rules)
    assert loaded.ok, [p.format() for p in loaded.problems]
    return loaded


def names(cat, codes) -> set[str]:
    return {cat.units[c].name_zh for c in codes}


# ------------------------------------------------------------------------------ seed 000: all 19 tasks
TITLES_000 = [
    "加强统筹协调",
    "强化统计监测",
    "开展评估督导",
    "深入调查研究",
    "稳控妇幼健康重点指标",
    "强力推进婚前医学检查",
    "推进学前教育优质发展",
    "深化素质教育工作",
    "推进中小学标准化建设",
    "持续开展校园周边环境整治",
    "切实优化妇女儿童生存环境",
    "深入宣传男女平等基本国策",
    "积极推进家庭建设",
    "持续开展关爱活动",
    "提高站位谋划规划",
    "突出重点编制规划",
    "注重实效推进编制工作",
    "加强队伍建设",
    "强化机制建设",
]
SECTIONS_000 = {
    "一、抓实主体责任，确保本轮纲要（规划）圆满收官": range(1, 5),
    "二、着力攻坚克难，推进重点难点指标顺利达标": range(5, 12),
    "三、加强宣传引导，营造妇女儿童发展良好氛围": range(12, 15),
    "四、注重科学谋划，启动谋划新一轮规划编制工作": range(15, 18),
    "五、加强自身建设，提高实施纲要（规划）工作水平": range(18, 20),
}
# As printed after 牵头单位 / 责任单位 (unit names as the document spells them).
UNITS_000 = {
    1: ({"市妇儿工委办"}, {"市级各成员单位"}),
    5: ({"市卫生健康委"}, set()),
    6: ({"市卫生健康委"}, {"市民政局", "市妇联", "团市委"}),
    7: ({"市教委"}, set()),
    10: ({"市公安局"}, {"市教委"}),
    11: ({"市妇儿工委办"}, {"市民政局", "团市委", "市妇联"}),
    12: ({"市委组织部", "市委宣传部", "市教委", "市司法局", "市总工会", "团市委", "市妇联"}, {"市级各成员单位"}),
    13: ({"市妇联"}, {"市教委"}),
    14: ({"市委宣传部", "市教委", "团市委", "市妇联", "市妇儿工委办", "市关工委"}, {"市级各成员单位"}),
    18: ({"市统计局", "市妇联", "市妇儿工委办"}, {"各区县（自治县）妇儿工委", "万盛经开区妇儿工委"}),
    19: ({"市妇儿工委办"}, {"各区县（自治县）妇儿工委", "万盛经开区妇儿工委"}),
}


def test_every_task_of_the_city_workplan_is_loaded(cat):
    wp = [t for t in cat.tasks.values() if t.file.endswith(WP)]
    assert [t.code for t in wp] == [f"WP2020-{n:02d}" for n in range(1, 20)]
    assert [t.number for t in wp] == list(range(1, 20))
    assert [t.title for t in wp] == TITLES_000
    for section, numbers in SECTIONS_000.items():
        assert [t.number for t in wp if t.section == section] == list(numbers)
    assert all(t.period == "2020" and "2020年工作要点" in t.source for t in wp)
    # Text kept verbatim, joined across the page break of task 1.
    assert cat.tasks["WP2020-01"].text.startswith("加强统筹协调。强化对纲要（规划）实施工作")
    assert cat.tasks["WP2020-01"].text.endswith("确保本轮纲要（规划) 圆满收官。")


@pytest.mark.parametrize("number", sorted(UNITS_000))
def test_lead_and_responsible_units_as_printed(cat, number):
    task = cat.tasks[f"WP2020-{number:02d}"]
    lead, responsible = UNITS_000[number]
    assert names(cat, task.lead_units) == lead
    assert names(cat, task.responsible_units) == responsible


@pytest.mark.skipif(not SEED_000.exists(), reason="seed 000 not available")
def test_units_match_the_seed_document_for_all_19_tasks(cat):
    printed: dict[int, dict[str, list[str]]] = {}
    number = None
    for line in SEED_000.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^(\d+)\.", line.strip())
        if m and int(m.group(1)) <= 19 and "。" in line:
            number = int(m.group(1))
            printed[number] = {"牵头单位": [], "责任单位": []}
        for label in ("牵头单位", "责任单位"):
            if line.startswith(label + "："):
                printed[number][label] = line.split("：", 1)[1].strip().split("、")
    assert sorted(printed) == list(range(1, 20))
    for n, units in printed.items():
        task = cat.tasks[f"WP2020-{n:02d}"]
        assert list(task.lead_units) == [resolve_unit(cat, u) for u in units["牵头单位"]], n
        assert list(task.responsible_units) == [resolve_unit(cat, u) for u in units["责任单位"]], n


def test_womens_federation_and_plan_files(cat):
    fl = [t for t in cat.tasks.values() if t.code.startswith("FL2020-")]
    main = [t for t in fl if re.fullmatch(r"FL2020-\d\d", t.code)]
    assert len(main) == 19 and len(fl) == 19 + 8 + 5
    assert all(t.lead_units == ("cq_womens_federation",) and t.responsible_units == () for t in fl)
    assert [t.number for t in main][:3] == [1, 2, 3] and main[3].number == 1  # numbered within sections
    plan = [t for t in cat.tasks.values() if t.file.endswith("plan_key_tasks.yaml")]
    key_tasks = [t for t in plan if not t.code.startswith("PROJ-")]
    assert len(key_tasks) == 44 + 44 and len(plan) - len(key_tasks) == 16 + 18
    assert [t.code for t in key_tasks if t.code.startswith("PW-health-")] == [f"PW-health-{n}" for n in range(1, 7)]
    assert cat.tasks["PC-health-1"].title == "完善儿童健康体系建设"
    assert cat.tasks["PROJ-W2-2"].title == "妇女宫颈癌、乳腺癌防治项目"
    # 001 names no lead or responsible units for its key tasks.
    assert all(not t.lead_units and not t.responsible_units for t in plan)


# ------------------------------------------------------------------------------ units
@pytest.mark.parametrize(
    "text",
    [
        "市卫健委",
        "市卫生健康委",
        "重庆市卫生健康委员会",
        " 市 卫健委 ",
        "cq_health",
        "Chongqing Municipal Health Commission",
    ],
)
def test_unit_aliases_resolve_to_one_unit(cat, text):
    assert resolve_unit(cat, text) == "cq_health"


def test_unknown_unit_text_resolves_to_none(cat):
    assert resolve_unit(cat, "市财政局") is None


def test_all_member_units_group_expands(cat):
    members = set(cat.group_members("cq_all_members"))
    assert {"cq_health", "cq_education", "cq_hrss", "cq_womens_federation", "cq_youth_league"} <= members
    assert "cq_wcc_office" not in members and "cq_all_members" not in members
    expanded = cat.expand_units(cat.tasks["WP2020-02"].responsible_units)
    assert set(expanded) == members
    # 市人力社保局 is named in no task, but is responsible for every task given to 市级各成员单位.
    hrss = tasks_for_unit(cat, "市人力资源社会保障局")
    assert set(hrss["role"]) == {"responsible"}
    assert set(hrss["via"]) == {"市级各成员单位"}
    assert "WP2020-01" in set(hrss["code"])
    assert set(hrss["code"]) == {t.code for t in cat.tasks.values() if "cq_all_members" in t.responsible_units}


def test_tasks_for_unit_roles(cat):
    health = tasks_for_unit(cat, "市卫健委")
    lead = set(health.loc[health["role"] == "lead", "code"])
    assert lead == {"WP2020-05", "WP2020-06"}
    # A lead unit is not listed again as responsible through the group on the same task.
    fed = tasks_for_unit(cat, "市妇联")
    assert len(fed[fed["code"] == "WP2020-12"]) == 1
    assert fed.loc[fed["code"] == "WP2020-12", "role"].item() == "lead"
    assert {"WP2020-06", "WP2020-11"} <= set(fed.loc[(fed["role"] == "responsible") & (fed["via"] == ""), "code"])
    frame = units_frame(cat)
    assert frame.set_index("code").loc["cq_health", "n_lead"] == 2


# ------------------------------------------------------------------------------ drill-down
def test_indicator_to_tasks_and_back(cat):
    found = tasks_for_indicator(cat, "W03")
    assert "WP2020-05" in set(found["code"])
    row = found.set_index("code").loc["WP2020-05"]
    assert row["title"] == "稳控妇幼健康重点指标" and row["lead_units"] == "市卫生健康委"
    assert "W03" in indicators_for_task(cat, "WP2020-05")
    assert set(tasks_for_indicator(cat, "W01")["code"]) >= {"WP2020-06", "PW-health-3"}
    assert set(tasks_for_indicator(cat, "C19")["code"]) >= {"WP2020-07", "PC-education-3"}
    assert {"C20"} <= set(indicators_for_task(cat, "WP2020-07"))
    assert "C21" in indicators_for_task(cat, "WP2020-08")
    # Round trip over the whole catalogue.
    for task in cat.tasks.values():
        for code in task.indicators:
            assert task.code in set(tasks_for_indicator(cat, code)["code"])


def test_catalogue_filters(cat):
    full = catalogue_frame(cat)
    assert len(full) == len(cat.tasks)
    assert set(catalogue_frame(cat, domain="education")["domain"]) == {"education"}
    sec = "二、着力攻坚克难，推进重点难点指标顺利达标"
    assert list(catalogue_frame(cat, section=sec)["code"]) == [f"WP2020-{n:02d}" for n in range(5, 12)]
    assert set(catalogue_frame(cat, unit="市公安局")["code"]) == set(tasks_for_unit(cat, "cq_public_security")["code"])
    reports = pd.DataFrame(
        {"task": ["WP2020-06"], "year": [2020], "target_no": [1], "status": ["done"], "reached": [41.0], "note": [None]}
    )
    with_reports = with_status(catalogue_frame(cat), reports)
    assert list(with_reports.loc[with_reports["status"] == "done", "code"]) == ["WP2020-06"]
    assert (with_reports["status"] == "not_reported").sum() == len(cat.tasks) - 1
    assert (
        with_status(catalogue_frame(cat), reports, lang="zh").set_index("code").at["WP2020-06", "status_label"]
        == "已完成"
    )


# ------------------------------------------------------------------------------ targets
def test_task_targets_are_typed(cat):
    (home,) = cat.tasks["WP2020-11"].targets
    assert home.measure == "市级示范儿童之家数量" and home.unit == "个" and home.printed == "达到 100 个"
    assert home.check == Threshold(op=">=", value=100)
    mmr = cat.tasks["WP2020-05"].targets[0]
    assert (mmr.indicator, mmr.unit, mmr.check) == ("W03", "1/10万", Threshold(op="<=", value=15))
    assert [g.check.value for g in cat.tasks["WP2020-07"].targets] == [90, 80]
    fed = cat.tasks["FL2020-15"].targets
    assert [(g.measure, g.check.value) for g in fed] == [
        ("完成规范化建设的妇女之家数量", 500),
        ("完成规范化建设的儿童之家数量", 500),
    ]
    assert cat.tasks["FL2020-13"].targets[0].check == Threshold(op=">=", value=80)
    settings = cat.rules.settings
    assert target_met(home.check, 104, settings) is True and target_met(home.check, 99, settings) is False
    assert target_met(mmr.check, 15, settings) is True and target_met(mmr.check, 15.2, settings) is False


# ------------------------------------------------------------------------------ broken task files
def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "rules"
    shutil.copytree(RULES, root)
    return root


BAD_TASK = """tasks:
  - code: WP2020-99
    number: 99
    source: 测试
    period: "2020"
    section: 测试
    title: 测试任务
    text: 测试任务。
    lead_units: [市卫生健康委, 市卫建委]
    responsible_units: [市级各成员单位, 市财政厅]
    domain: health
    indicators: [W03, W3]
    targets:
      - measure: 数量
        printed: 十个
        target: 十个
        unit: 个
  - code: WP2020-01
    number: 1
    source: 测试
    period: "2020"
    section: 测试
    title: 重复
    text: 重复。
    lead_unit: [市妇儿工委办]
"""


def test_bad_task_file_is_rejected_with_lines(tmp_path, rules):
    root = _copy(tmp_path)
    path = root / "tasks" / "zz_bad.yaml"
    path.write_text(BAD_TASK, encoding="utf-8")
    lines = BAD_TASK.splitlines()

    def line_of(needle: str) -> int:
        hits = [i + 1 for i, ln in enumerate(lines) if needle in ln]
        assert len(hits) == 1, needle
        return hits[0]

    cat = load_tasks(root, load_rules(root))
    assert not cat.ok
    found = {(p.code, p.line): p for p in cat.problems if p.file.endswith("zz_bad.yaml")}
    unit = found[("UNKNOWN_UNIT", line_of("市卫建委"))]
    assert "市卫建委" in unit.message_zh and "did you mean '市卫健委'" in unit.message_en
    assert ("UNKNOWN_UNIT", line_of("市财政厅")) in found
    ind = found[("UNKNOWN_INDICATOR", line_of("W3]"))]
    assert "did you mean 'W03'" in ind.message_en
    assert ("BAD_TARGET", line_of("target: 十个")) in found
    key = found[("UNKNOWN_KEY", line_of("lead_unit:"))]
    assert "did you mean 'lead_units'" in key.message_en
    assert "zz_bad.yaml" in key.format() and f":{line_of('lead_unit:')}:" in key.format()
    # The broken task is not in the catalogue; the shipped ones still are.
    assert "WP2020-99" not in cat.tasks and "WP2020-05" in cat.tasks


def test_duplicate_task_code_across_files(tmp_path, rules):
    root = _copy(tmp_path)
    text = (root / WP).read_text(encoding="utf-8")
    first = text[text.index("  - code: WP2020-05") : text.index("  - code: WP2020-06")]
    (root / "tasks" / "zz_dup.yaml").write_text("tasks:\n" + first, encoding="utf-8")
    cat = load_tasks(root, load_rules(root))
    dup = [p for p in cat.problems if p.code == "DUPLICATE_CODE"]
    assert len(dup) == 1 and dup[0].file.endswith("zz_dup.yaml") and dup[0].line == 2
    assert WP in dup[0].message_en


def test_units_file_problems(tmp_path, rules):
    root = _copy(tmp_path)
    path = root / "units.yaml"
    text = path.read_text(encoding="utf-8")
    # 市关工委 comes after 市卫生健康委 in the file, so its alias is the one reported.
    text = text.replace(
        "aliases: [重庆市关心下一代工作委员会, 市关心下一代工作委员会]",
        "aliases: [重庆市关心下一代工作委员会, 市卫健委]",
    )
    text = text.replace("    groups: [district_committees]", "    groups: [district_comittees]")
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    cat = load_tasks(root, load_rules(root))
    dup = next(p for p in cat.problems if p.code == "DUPLICATE_NAME")
    assert lines[dup.line - 1].strip() == "aliases: [重庆市关心下一代工作委员会, 市卫健委]"
    assert "cq_health" in dup.message_en and "cq_next_generation" in dup.message_en
    grp = next(p for p in cat.problems if p.code == "UNKNOWN_GROUP")
    assert "district_committees" in grp.message_en and "district_comittees" in lines[grp.line - 1]


def test_shipped_rules_have_no_task_problems(cat):
    assert cat.problems == []
    assert len(cat.units) >= 18


# ------------------------------------------------------------------------------ task progress
PROGRESS = """任务代码,年份,状态,目标,完成值,备注
WP2020-11,2020,已完成,,104,建成示范儿童之家
WP2020-07,2020,推进中,1,91,
WP2020-07,2020,推进中,普惠率,79.5,
WP2020-01,2020,done,,,
WP2020-99,2020,已完成,,,
WP2020-02,2035,已完成,,,
WP2020-03,2020,完成了,,,
WP2020-04,2020,推进中,,12,
WP2020-05,2020,推进中,,12,
FL2020-15,2020,推进中,9,480,
WP2020-06,2020,推进中,,abc,
WP2020-06,2020,推进中,,38,
WP2020-06,2020,滞后,,38,
"""


def test_bad_task_progress_file_row_and_column(cat, rules):
    report = read_task_progress(PROGRESS.encode("utf-8"), "progress.csv", cat, rules)
    assert not report.ok
    got = {(p.code, p.row, p.column) for p in report.errors}
    assert ("UNKNOWN_TASK", 6, "任务代码") in got
    assert ("YEAR_OUT_OF_RANGE", 7, "年份") in got
    assert ("BAD_STATUS", 8, "状态") in got
    assert ("REACHED_WITHOUT_TARGET", 9, "完成值") in got
    assert ("AMBIGUOUS_TARGET", 10, "目标") in got
    assert ("UNKNOWN_TARGET", 11, "目标") in got
    assert ("NOT_A_NUMBER", 12, "完成值") in got
    assert ("CONFLICTING_DUPLICATE", 13, "状态") in got and ("CONFLICTING_DUPLICATE", 14, "状态") in got
    unknown = next(p for p in report.errors if p.code == "UNKNOWN_TASK")
    assert "WP2020-19" in unknown.message_en  # suggestion
    # Rows 2–5 are fine; a shortened measure (普惠率) picks the one target it names.
    rows = report.rows.set_index("source_row")
    assert sorted(rows.index) == [2, 3, 4, 5]
    assert rows.loc[4, "target_no"] == 2 and rows.loc[2, "target_no"] == 1 and rows.loc[5, "target_no"] == 0
    assert rows.loc[5, "status"] == "done" and rows.loc[3, "status"] == "in_progress"


def test_task_progress_xlsx_and_english_headers(cat, rules):
    frame = pd.DataFrame(
        {
            "task": ["WP2020-11", "WP2020-06"],
            "year": [2020, "2020年"],
            "status": ["done", "delayed"],
            "reached": [98, None],
            "note": ["", "差 2 个百分点"],
        }
    )
    buf = io.BytesIO()
    frame.to_excel(buf, index=False)
    report = read_task_progress(buf.getvalue(), "progress.xlsx", cat, rules)
    assert report.ok, [p.format() for p in report.problems]
    assert report.encoding == "xlsx"
    assert list(report.rows["status"]) == ["done", "delayed"]
    bad = read_task_progress(b"task,year\nWP2020-01,2020\n", "x.csv", cat, rules)
    assert [(p.code, p.column) for p in bad.problems] == [("MISSING_COLUMN", "状态")]


def test_task_status_frame_joins_targets_with_reports(cat, rules):
    csv = (
        "任务代码,年份,状态,目标,完成值\nWP2020-11,2020,已完成,,104\nWP2020-07,2020,推进中,2,79.5\n"
        "WP2020-07,2020,推进中,1,91\nWP2020-01,2020,已完成,,\n"
    )
    report = read_task_progress(csv.encode("utf-8"), "p.csv", cat, rules)
    assert report.ok, [p.format() for p in report.problems]
    status = task_status_frame(cat, report.rows)
    assert len(status) == sum(max(1, len(t.targets)) for t in cat.tasks.values())
    s = status.set_index(["task", "target_no"])
    assert s.loc[("WP2020-11", 1), "met"] is True and s.loc[("WP2020-11", 1), "status_label"] == "已完成"
    assert s.loc[("WP2020-07", 1), "met"] is True and s.loc[("WP2020-07", 2), "met"] is False
    assert s.loc[("WP2020-01", 0), "status"] == "done" and s.loc[("WP2020-01", 0), "met"] is None
    assert s.loc[("WP2020-06", 1), "status"] == "not_reported" and pd.isna(s.loc[("WP2020-06", 1), "year"])
    # Previewing against what is stored: the same file again changes nothing, a new number is a correction.
    current = report.rows.drop(columns="source_row")
    again = preview_task_changes(report, current)
    assert set(again["kind"]) == {"unchanged"}
    current.loc[current["task"] == "WP2020-11", "reached"] = 100.0
    assert preview_task_changes(report, current).set_index("task").loc["WP2020-11", "kind"] == "correction"
    assert set(preview_task_changes(report, None)["kind"]) == {"new"}


def test_catalogue_for_is_loaded_once_per_rule_set(rules):
    from dashboard.rules.workplan import catalogue_for

    first = catalogue_for(rules)
    assert first is catalogue_for(rules) and first.ok and "WP2020-01" in first.tasks


def test_task_report_with_a_very_long_note_is_refused(cat, rules):
    note = "进展" * 1500  # 3,000 characters
    csv = f"任务代码,年份,状态,备注\nWP2020-11,2020,已完成,{note}\n"
    rep = read_task_progress(csv.encode(), "long.csv", cat, rules)
    assert [(p.code, p.row, p.column) for p in rep.errors] == [("NOTE_TOO_LONG", 2, "备注")]
    assert rep.rows.empty
