"""Who reports what (rules/reporting.yaml) and completeness: the validation corpus, the shipped
assignment, known answers on a store filled here, the command, and the page through AppTest."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, text
from streamlit.testing.v1 import AppTest

from dashboard.cli import main
from dashboard.messages import Code
from dashboard.rules import load_rules, load_tasks
from dashboard.views import completeness as view

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
APP = str(ROOT / "streamlit_app.py")
CITY, WANZHOU, JIANGJIN = "500000", "500101", "500116"


@pytest.fixture(scope="module")
def cat():
    rules = load_rules(RULES)
    return load_tasks(RULES, rules)


# ------------------------------------------------------------------------------ the shipped file
def test_every_shipped_indicator_has_a_reporting_unit_or_a_reason(cat):
    assert cat.ok, [p.format() for p in cat.problems]
    rep = cat.reporting
    assert rep.file == "rules/reporting.yaml"
    assert len(rep.assignments) == 88 and set(rep.unassigned) == {"W22", "W23"}
    assert len(rep.assignments) + len(rep.unassigned) == len(cat.rules.indicators) == 90
    assert rep.assignments["W03"].city == "cq_health" and rep.assignments["W03"].due_month == 3
    assert rep.assignments["C19"].city == "cq_education"
    assert rep.assignments["W15"].city == "cq_statistics" and rep.assignments["W15"].due_month == 6
    # The districts' values come through each district's committee (defaults.district).
    assert rep.assignments["W03"].district == "district_wccs"
    assert "推定" in (rep.assignments["W44"].note or "")  # not printed in the documents: said so
    assert ("W03", "city") in rep.indicators_of("cq_health")
    assert len(rep.indicators_of("district_wccs")) == 88


# ------------------------------------------------------------------------------ the validation corpus
def _rules_with(tmp_path: Path, body: str) -> Path:
    root = tmp_path / "rules"
    shutil.copytree(RULES, root)
    (root / "reporting.yaml").write_text(body, encoding="utf-8")
    return root


def _problems(root: Path) -> list[tuple[str, str | None, int | None, str]]:
    cat = load_tasks(root, load_rules(root))
    return [(p.message_id.value, p.file, p.line, p.message("en")) for p in cat.problems]


SHIPPED = RULES.joinpath("reporting.yaml").read_text(encoding="utf-8")


def _line_of(body: str, needle: str) -> int:
    """The line that holds ``needle`` (a line that is ``needle`` exactly, when one is)."""
    lines = body.splitlines()
    exact = [k for k, line in enumerate(lines, start=1) if line == needle]
    return exact[0] if exact else next(k for k, line in enumerate(lines, start=1) if needle in line)


def test_an_unknown_unit_is_refused_at_its_line_with_a_suggestion(tmp_path):
    body = SHIPPED.replace("  - indicator: W03\n    city: cq_health", "  - indicator: W03\n    city: cq_helth", 1)
    found = _problems(_rules_with(tmp_path, body))
    line = _line_of(body, "city: cq_helth")
    assert [(c, f, n) for c, f, n, _ in found] == [("UNKNOWN_UNIT.reporting", "rules/reporting.yaml", line)]
    assert "W03: unknown unit code 'cq_helth'" in found[0][3] and "did you mean 'cq_health'" in found[0][3]


def test_a_unit_name_points_to_its_code(tmp_path):
    body = SHIPPED.replace("  - indicator: W03\n    city: cq_health", "  - indicator: W03\n    city: 市卫健委", 1)
    ((code, _, _, message),) = _problems(_rules_with(tmp_path, body))
    assert code == "UNKNOWN_UNIT.reporting" and "did you mean 'cq_health'" in message


def test_a_unit_of_the_wrong_level_is_refused(tmp_path):
    body = SHIPPED.replace("  - indicator: W03\n    city: cq_health", "  - indicator: W03\n    city: jiangjin_mch", 1)
    ((code, _, line, message),) = _problems(_rules_with(tmp_path, body))
    assert code == "REPORTING_UNIT_LEVEL" and line == _line_of(body, "city: jiangjin_mch")
    assert "district-level unit and cannot report city-level values" in message


def test_an_unknown_indicator_is_refused_and_the_one_it_replaced_is_missing(tmp_path):
    body = SHIPPED.replace("  - indicator: W03\n", "  - indicator: W3x\n", 1)
    found = _problems(_rules_with(tmp_path, body))
    assert [(c, n) for c, _, n, _ in found] == [
        ("UNKNOWN_INDICATOR.reporting", _line_of(body, "indicator: W3x")),
        ("REPORTING_NOT_COVERED", _line_of(body, "reporting:")),
    ]
    assert "did you mean" in found[0][3] and "indicator W03 has no reporting unit" in found[1][3]


def test_a_missing_indicator_is_named(tmp_path):
    body = SHIPPED.replace(
        "  - indicator: W23\n    reason: 政协委员和常委的构成由市政协办公厅掌握，该单位不在 units.yaml 中；换届后由市妇儿工委办另行索取\n",
        "",
    )
    assert body != SHIPPED
    found = _problems(_rules_with(tmp_path, body))
    assert [(c, f) for c, f, _, _ in found] == [("REPORTING_NOT_COVERED", "rules/reporting.yaml")]
    assert "indicator W23 has no reporting unit" in found[0][3]


def test_a_bad_month_is_refused_at_its_line(tmp_path):
    body = SHIPPED.replace(
        "  - indicator: W15\n    city: cq_statistics\n    due_month: 6",
        "  - indicator: W15\n    city: cq_statistics\n    due_month: 13",
        1,
    )
    assert body != SHIPPED
    found = _problems(_rules_with(tmp_path, body))
    assert [(c, n) for c, _, n, _ in found] == [("WRONG_TYPE.max", _line_of(body, "due_month: 13"))]


def test_an_indicator_listed_twice_is_refused_at_the_second(tmp_path):
    body = SHIPPED.replace("\nunassigned:\n", "\n  - indicator: W03\n    city: cq_health\n\nunassigned:\n", 1)
    found = _problems(_rules_with(tmp_path, body))
    second = len(body.split("\nunassigned:")[0].splitlines()) - 1
    assert [(c, n) for c, _, n, _ in found] == [("DUPLICATE_CODE.reporting", second)]
    assert "already listed at rules/reporting.yaml:" in found[0][3]


def test_without_the_file_nothing_is_due(tmp_path):
    root = tmp_path / "rules"
    shutil.copytree(RULES, root)
    (root / "reporting.yaml").unlink()
    cat = load_tasks(root, load_rules(root))
    assert cat.ok and cat.reporting.file is None and not cat.reporting.assignments
    assert view.due_frame(cat.rules, cat).empty


# ------------------------------------------------------------------------------ known answers
def _rows(*keys) -> pd.DataFrame:
    return pd.DataFrame([{"area": a, "indicator": i, "year": y, "value": v} for a, i, y, v in keys])


def test_completeness_on_a_store_filled_here(store, cat):
    rules = cat.rules
    store.commit_rows(
        _rows(
            (CITY, "W03", 2024, 9.1),
            (CITY, "C19", 2024, 91.0),
            (WANZHOU, "W03", 2024, 12.0),
            (CITY, "W04", 2023, 95.0),  # another year: not this year's
            (CITY, "W22", 2024, 30.0),  # nobody is assigned W22: not due, not counted
        ),
        uploader="test",
        file_name="t.csv",
        sha256="0" * 64,
    )
    values = store.current_values()
    frame = view.completeness(values, rules, cat, 2024)
    n_areas = len(rules.areas)
    assert view.summary(frame) == {
        "due": n_areas * 88,
        "reported": 3,
        "missing": n_areas * 88 - 3,
        "submitted": 0,
        "approved": 3,  # stored by the command line's operator: approved
        "returned": 0,
        "not_obtainable": 0,
        "chase": n_areas * 88 - 3,
        "late": n_areas * 88 - 3,  # today is long after 2025
        "rate": 3 / (n_areas * 88),
        "review_rate": 3 / (n_areas * 88),
    }
    health = view.completeness(values, rules, cat, 2024, unit="cq_health")
    n_health = sum(1 for a in cat.reporting.assignments.values() if a.city == "cq_health")
    assert n_health == 31
    assert view.summary(health)["due"] == 31 and view.summary(health)["reported"] == 1
    row = health[health["indicator"] == "W03"].iloc[0]
    assert (row.unit, row.area, row.due, row.state) == ("cq_health", CITY, "2025-03", "approved")
    w15 = frame[(frame["indicator"] == "W15") & (frame["area"] == CITY)].iloc[0]
    assert (w15.unit, w15.due, w15.state, w15.state_label) == ("cq_statistics", "2025-06", "missing", "未报")
    by_unit = view.counts(frame, "unit").set_index("code")
    assert by_unit.loc["cq_education", ["due", "reported"]].tolist() == [14, 1]
    assert by_unit.loc["district_wccs", ["due", "reported", "missing"]].tolist() == [
        (n_areas - 1) * 88,
        1,
        (n_areas - 1) * 88 - 1,
    ]
    by_area = view.counts(frame, "area").set_index("code")
    assert by_area.loc[CITY, ["due", "reported"]].tolist() == [88, 2]
    assert by_area.loc[WANZHOU, ["due", "reported"]].tolist() == [88, 1]
    chase = view.chase_list(frame, "en")
    assert list(chase.columns) == [
        "Reporting unit",
        "Unit code",
        "Area",
        "Area code",
        "Indicator",
        "Indicator name",
        "Due by",
        "State",
        "Late",
        "Return comment or reason not obtainable",
    ]
    assert len(chase) == n_areas * 88 - 3 and set(chase["State"]) == {"Missing"} and set(chase["Late"]) == {"Late"}
    assert not ((chase["Area code"] == CITY) & (chase["Indicator"] == "W03")).any()


# ------------------------------------------------------------------------------ the review states, by hand
RETURN_COMMENT = "口径与上年不一致，请核实"
REASON = "该指标本年度未开展专项调查"


def _one_value_per_state(store):
    """A store holding, for 2024: 重庆市 W03 approved, 重庆市 C19 returned with a comment, 万州区 W03
    submitted, 万州区 C19 stated not obtainable, 江津区 W03 stated and withdrawn (so missing), and a
    statement on 重庆市 W03 that its stored value overrides. Everything else due is missing."""
    from dashboard.store.review import Action, Actor, ReviewState

    store.commit_rows(
        _rows((CITY, "W03", 2024, 9.1), (CITY, "C19", 2024, 91.0), (WANZHOU, "W03", 2024, 12.0)),
        uploader="clerk",
        file_name="t.csv",
        sha256="0" * 64,
        review_state=ReviewState.SUBMITTED,
    )
    reviewer, clerk = Actor("reviewer"), Actor("clerk")
    assert len(store.change_review(Action.APPROVE, reviewer, keys=[(CITY, "W03", 2024)])) == 1
    assert len(store.change_review(Action.RETURN, reviewer, keys=[(CITY, "C19", 2024)], comment=RETURN_COMMENT)) == 1
    store.declare_not_obtainable(clerk, WANZHOU, "C19", 2024, REASON)
    store.declare_not_obtainable(clerk, JIANGJIN, "W03", 2024, "暂缺")
    store.declare_not_obtainable(clerk, JIANGJIN, "W03", 2024, "")  # withdrawn
    store.declare_not_obtainable(clerk, CITY, "W03", 2024, "先声明，后来取得了")


def test_each_state_from_a_store_with_one_value_per_state(store, cat):
    from datetime import date

    rules = cat.rules
    _one_value_per_state(store)
    values = view.stored_states(store, 2024)
    frame = view.completeness(values, rules, cat, 2024, lang="en", today=date(2025, 4, 1))
    state = frame.set_index(["area", "indicator"])["state"]
    assert state[(CITY, "W03")] == "approved"  # the stored value wins over the statement
    assert state[(CITY, "C19")] == "returned"
    assert state[(WANZHOU, "W03")] == "submitted"
    assert state[(WANZHOU, "C19")] == "not_obtainable"
    assert state[(JIANGJIN, "W03")] == "missing"  # the statement was withdrawn
    assert state[(CITY, "W15")] == "missing"
    comment = frame.set_index(["area", "indicator"])["comment"]
    assert comment[(CITY, "C19")] == RETURN_COMMENT and comment[(WANZHOU, "C19")] == REASON
    assert comment[(CITY, "W03")] is None and comment[(WANZHOU, "W03")] is None
    n = len(rules.areas) * 88
    # On 1 April 2025 the values due by March (W03: month 3) are late, those due by June (W15) not yet.
    late = frame.set_index(["area", "indicator"])["late"]
    assert bool(late[(JIANGJIN, "W03")]) and not bool(late[(CITY, "W15")]) and not bool(late[(CITY, "C19")])
    n_late = int(((frame["state"] == "missing") & frame["due"].le("2025-03")).sum())
    assert view.summary(frame) == {
        "due": n,
        "reported": 3,
        "missing": n - 4,
        "submitted": 1,
        "approved": 1,
        "returned": 1,
        "not_obtainable": 1,
        "chase": n - 3,
        "late": n_late,
        "rate": 3 / n,
        "review_rate": 1 / n,
    }
    # The day before, nothing due by March is late yet; a year on, every missing value is.
    assert view.summary(view.completeness(values, rules, cat, 2024, today=date(2025, 3, 31)))["late"] == int(
        ((frame["state"] == "missing") & frame["due"].lt("2025-03")).sum()
    )
    assert view.summary(view.completeness(values, rules, cat, 2024, today=date(2026, 1, 1)))["late"] == n - 4
    by_area = view.counts(frame, "area").set_index("code")
    cols = ["due", "reported", "missing", "submitted", "approved", "returned", "not_obtainable"]
    assert by_area.loc[CITY, cols].tolist() == [88, 2, 86, 0, 1, 1, 0]
    assert by_area.loc[WANZHOU, cols].tolist() == [88, 1, 86, 1, 0, 0, 1]
    assert by_area.loc[JIANGJIN, cols].tolist() == [88, 0, 88, 0, 0, 0, 0]
    assert by_area.loc[CITY, "review_rate"] == 1 / 88 and by_area.loc[WANZHOU, "rate"] == 1 / 88
    by_unit = view.counts(frame, "unit").set_index("code")
    assert by_unit.loc["cq_health", ["due", "approved", "missing"]].tolist() == [31, 1, 30]
    assert by_unit.loc["cq_education", ["due", "returned", "missing"]].tolist() == [14, 1, 13]
    wccs = by_unit.loc["district_wccs", cols].tolist()
    assert wccs == [n - 88, 1, n - 88 - 2, 1, 0, 0, 1]
    # The chase list: missing and returned values, the return's comment beside it.
    chase = view.chase_list(frame, "en")
    assert len(chase) == n - 3 and set(chase["State"]) == {"Missing", "Returned"}
    returned = chase[chase["State"] == "Returned"]
    assert returned[["Area code", "Indicator", "Unit code", "Due by"]].values.tolist() == [
        [CITY, "C19", "cq_education", "2025-03"]
    ]
    assert returned["Return comment or reason not obtainable"].tolist() == [RETURN_COMMENT]
    stated = view.state_table(frame, "zh", [view.State.NOT_OBTAINABLE])
    assert stated[["区县代码", "指标代码", "状态", "退回意见或无法取得原因"]].values.tolist() == [
        [WANZHOU, "C19", "无法取得", REASON]
    ]
    assert len(view.state_table(frame, "zh")) == n


def test_the_page_data_and_the_reminders_read_the_store(store, cat):
    from datetime import date

    rules = cat.rules
    _one_value_per_state(store)
    data = view.page_data_of(store, rules, 2024, None, "zh", date(2025, 4, 1))
    assert (data["summary"]["approved"], data["summary"]["returned"], data["summary"]["not_obtainable"]) == (1, 1, 1)
    reminder = view.reminder_of(store, rules, 2024, "en", date(2025, 4, 1))
    assert reminder is not None and reminder["missing"] == len(rules.areas) * 88 - 4
    late = reminder["late_units"].set_index("code")["late"]
    assert late.sum() == reminder["late"] and late.index[0] == "district_wccs"
    assert view.reminder_of(store, rules, 2019) is None
    owed = view.unit_outstanding_of(store, rules, "cq_education", 2024, "en", date(2025, 4, 1))
    assert len(owed) == 14 and owed[owed["State"] == "Returned"]["Indicator"].tolist() == ["C19"]
    # Without a review column (a frame of plain values) every value counts as approved.
    plain = view.completeness(_rows((CITY, "W03", 2024, 1.0)), rules, cat, 2024)
    assert view.summary(plain)["approved"] == 1


def test_the_overview_reminder_in_sentences_names_five_late_units_and_counts_the_rest():
    late = pd.DataFrame(
        {
            "code": [f"u{i}" for i in range(7)],
            "name": ["卫健委", "教委", "民政局", "公安局", "人社局", "统计局", "妇联"],
            "late": [9, 7, 5, 3, 2, 1, 1],
        }
    )
    due = {"missing": 12, "rate": 0.877, "submitted": 3, "returned": 2, "late_units": late}
    zh = view.reminder_lines(due, 2025, "zh")
    assert zh.missing == "2025 年还有 12 个应报数值未报（填报完整率 87.7%）"
    assert zh.review == "2025 年有 3 个数值等待审核 · 2 个已退回，等待更正"
    assert zh.late == (
        "2025 年数值逾期未报的单位：卫健委（9 个）、教委（7 个）、民政局（5 个）、公安局（3 个）、人社局（2 个）等 7 项（另 2 项未列出）"
    )
    en = view.reminder_lines({**due, "submitted": 0, "late_units": late.head(2)}, 2025, "en")
    assert en.missing == "12 values due for 2025 are still missing (completeness 87.7%)"
    assert en.review == "2 returned, awaiting correction"
    assert en.late == "Units late with values for 2025: 卫健委 (9), 教委 (7)"
    # Nothing due, nothing returned, nobody late: no sentence; outside the plan (None) likewise.
    quiet = {"missing": 0, "rate": 1.0, "submitted": 0, "returned": 0, "late_units": late.head(0)}
    assert view.reminder_lines(quiet, 2025) == view.reminder_lines(None, 2025) == view.Reminder(None, None, None)


def test_the_command_judges_lateness_as_on_the_day_it_is_given(demo, capsys, cat):
    """Values of 2025 fall due in 2026 (the month reporting.yaml names): on 1 January 2026 none is late,
    a year later every missing one is; a day that is no date is refused before any work."""
    sql = _sql(demo, 2025)
    missing = len(cat.rules.areas) * 88 - sql["reported"] - sql["not_obtainable"]
    assert main(["completeness", "--year", "2025", "--today", "2026-01-01"]) == 0
    assert f"未报 {missing}（逾期 0）" in capsys.readouterr().err
    assert main(["completeness", "--year", "2025", "--today", "2027-01-01", "--lang", "en"]) == 0
    out, err = capsys.readouterr()
    assert f"未报 {missing}（逾期 {missing}）" in err
    listed = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    assert (listed["Late"] == "Late").sum() == missing
    with pytest.raises(SystemExit) as exc:
        main(["completeness", "--year", "2025", "--today", "2026-13-01"])
    assert exc.value.code == 2
    assert "“2026-13-01”不是日期" in capsys.readouterr().err


def test_a_year_outside_the_plan_is_refused(cat):
    with pytest.raises(view.CompletenessError) as exc:
        view.completeness(_rows(), cat.rules, cat, 2019)
    assert exc.value.problem.message_id is Code.COMPLETENESS_YEAR
    assert "2019 is outside the plan period (2021–2030)" in exc.value.problem.message("en")


def test_a_unit_by_name_and_an_unknown_unit(cat):
    assert view.unit_code(cat, "市卫健委") == "cq_health" and view.unit_code(cat, None) is None
    with pytest.raises(view.CompletenessError) as exc:
        view.unit_code(cat, "cq_helth")
    assert "did you mean 'cq_health'" in exc.value.problem.message("en")


# ------------------------------------------------------------------------------ the demo data and the command
@pytest.fixture
def demo(demo_db, tmp_path, monkeypatch):
    db = tmp_path / "demo.db"
    db.write_bytes(demo_db.read_bytes())
    monkeypatch.setenv("DASHBOARD_DB_URL", f"sqlite:///{db}")
    return db


def _sql(db: Path, year: int) -> dict[str, int]:
    """What is stored for ``year``, counted by SQL on the tables themselves, for the indicators
    someone reports (not the context series, not W22/W23, which nobody is assigned): ``reported``
    (current versions, any review state), one count per review state, and ``not_obtainable`` (keys
    whose newest statement gives a reason and that hold no current value)."""
    assigned = sorted(load_tasks(RULES, load_rules(RULES)).reporting.assignments)
    codes = ", ".join(repr(c) for c in assigned)
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        states = dict(
            conn.execute(
                text(
                    "SELECT review, COUNT(*) FROM (SELECT DISTINCT area, indicator, review FROM observations "
                    f"WHERE is_current AND year = :y AND indicator IN ({codes})) GROUP BY review"
                ),
                {"y": year},
            ).all()
        )
        stated = conn.execute(
            text(
                "SELECT COUNT(*) FROM not_obtainable n WHERE n.year = :y AND TRIM(n.reason) <> '' "
                f"AND n.indicator IN ({codes}) "
                "AND n.id = (SELECT MAX(m.id) FROM not_obtainable m "
                "  WHERE m.area = n.area AND m.indicator = n.indicator AND m.year = n.year) "
                "AND NOT EXISTS (SELECT 1 FROM observations o WHERE o.is_current "
                "  AND o.area = n.area AND o.indicator = n.indicator AND o.year = n.year)"
            ),
            {"y": year},
        ).scalar_one()
    engine.dispose()
    counts = {k: int(states.get(k, 0)) for k in ("submitted", "approved", "returned")}
    return {"reported": sum(counts.values()), **counts, "not_obtainable": int(stated)}


def test_the_command_lists_every_missing_value_of_the_demo(demo, capsys, cat):
    assert main(["completeness", "--year", "2024"]) == 0
    out, err = capsys.readouterr()
    listed = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    due = len(cat.rules.areas) * 88
    sql = _sql(demo, 2024)
    missing = due - sql["reported"] - sql["not_obtainable"]
    # The demo leaves about 5 % out, some values waiting or returned, one not obtainable.
    assert missing > 0 and sql["submitted"] > 0 and sql["returned"] > 0 and sql["not_obtainable"] > 0
    assert len(listed) == missing + sql["returned"]
    assert (listed["状态"] == "未报").sum() == missing and (listed["状态"] == "退回").sum() == sql["returned"]
    assert (
        f"应报 {due}，已报 {sql['reported']}（已审核 {sql['approved']}，已报待审 {sql['submitted']}，"
        f"退回 {sql['returned']}），未报 {missing}（逾期 {missing}），无法取得 {sql['not_obtainable']}" in err
    )
    assert list(listed.columns) == [
        "填报单位",
        "单位代码",
        "区县",
        "区县代码",
        "指标代码",
        "指标名称",
        "报送期限",
        "状态",
        "逾期",
        "退回意见或无法取得原因",
    ]
    assert listed["填报单位"].astype(bool).all()
    # Every missing key is indeed absent from the store, every returned one is stored returned with
    # its comment, and each unit is the one reporting.yaml names.
    engine = create_engine(f"sqlite:///{demo}")
    stored = pd.read_sql("SELECT area, indicator, review FROM observations WHERE is_current AND year = 2024", engine)
    engine.dispose()
    review = dict(zip(zip(stored["area"], stored["indicator"]), stored["review"]))
    for row in listed.itertuples():
        key = (row.区县代码, row.指标代码)
        if row.状态 == "未报":
            assert key not in review and row.逾期 == "逾期" and row.退回意见或无法取得原因 == ""
        else:
            assert review[key] == "returned" and row.退回意见或无法取得原因 and row.逾期 == ""
        a = cat.reporting.assignments[row.指标代码]
        assert row.单位代码 == (a.city if row.区县代码 == CITY else a.district)


def test_the_command_lists_the_states_asked_for(demo, capsys, cat):
    sql = _sql(demo, 2025)
    assert main(["completeness", "--year", "2025", "--state", "not_obtainable", "returned", "--lang", "en"]) == 0
    listed = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype=str, keep_default_na=False)
    assert (listed["State"] == "Not obtainable").sum() == sql["not_obtainable"] == 2
    assert (listed["State"] == "Returned").sum() == sql["returned"] and len(listed) == sql["returned"] + 2
    reasons = set(listed.loc[listed["State"] == "Not obtainable", "Return comment or reason not obtainable"])
    assert reasons <= {"该指标本年度未开展专项调查", "统计部门尚未发布本年度数据，待发布后补报"} and reasons
    assert "口径与上年不一致，请核实" in set(listed["Return comment or reason not obtainable"])
    assert main(["completeness", "--year", "2025", "--state", "all"]) == 0
    every = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype=str, keep_default_na=False)
    assert len(every) == len(cat.rules.areas) * 88
    assert (every["状态"] == "已审核").sum() == sql["approved"] and (every["状态"] == "已报待审").sum() == sql[
        "submitted"
    ]


def test_not_obtainable_from_the_command_line(store, capsys, cat):
    args = ["not-obtainable", "--area", "万州区", "--indicator", "C19", "--year", "2024"]
    assert main([*args, "--reason", REASON]) == 0
    assert "已记录：万州区 C19 2024 年数值无法取得（该指标本年度未开展专项调查）" in capsys.readouterr().out
    ((area, indicator, year, reason, user),) = store.not_obtainable()[
        ["area", "indicator", "year", "reason", "user"]
    ].values.tolist()
    assert (area, indicator, year, reason) == (WANZHOU, "C19", 2024, REASON) and "@" in user  # os_user@host
    assert main(["completeness", "--year", "2024", "--state", "not_obtainable"]) == 0
    listed = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype=str)
    assert listed[["区县代码", "指标代码", "退回意见或无法取得原因"]].values.tolist() == [[WANZHOU, "C19", REASON]]
    assert main([*args, "--reason", ""]) == 0
    assert "已撤回" in capsys.readouterr().out and store.not_obtainable().empty
    # The audit trail has both, through the same check as the app (PostgreSQL's trail outlives a
    # test: this value's lines only).
    engine = create_engine(store.url)
    with engine.connect() as conn:
        actions = conn.execute(
            text("SELECT COUNT(*) FROM audit_log WHERE action = 'not_obtainable' AND target = :t"),
            {"t": f"{WANZHOU} C19 2024"},
        ).scalar()
    engine.dispose()
    assert actions == 2


@pytest.mark.parametrize(
    "argv,words",
    [
        (["--area", "万洲区", "--indicator", "C19", "--year", "2024"], "no such area or indicator: 万洲区 C19"),
        (["--area", "万州区", "--indicator", "C99", "--year", "2024"], "no such area or indicator: 万州区 C99"),
        (["--area", "万州区", "--indicator", "C19", "--year", "2019"], "2019 is outside the plan period (2021–2030)"),
    ],
)
def test_not_obtainable_refuses_what_is_not_due(store, capsys, argv, words):
    assert main(["not-obtainable", *argv, "--reason", REASON]) == 1
    assert words in capsys.readouterr().err
    assert store.not_obtainable().empty


def test_not_obtainable_as_an_area_editor_of_another_area_is_refused(store, capsys, monkeypatch, session_token):
    session_token("jj_clerk", "area_editor", [JIANGJIN])  # creates the account
    monkeypatch.setattr("sys.stdin", io.StringIO("a long test password\n"))
    argv = ["not-obtainable", "--area", WANZHOU, "--indicator", "C19", "--year", "2024", "--reason", REASON]
    assert main([*argv, "--as", "jj_clerk", "--password-stdin"]) == 1
    assert "500101 is not one of your areas" in capsys.readouterr().err and store.not_obtainable().empty
    monkeypatch.setattr("sys.stdin", io.StringIO("a long test password\n"))
    argv[2] = JIANGJIN
    assert main([*argv, "--as", "jj_clerk", "--password-stdin"]) == 0
    assert store.not_obtainable()["user"].tolist() == ["jj_clerk"]


def test_the_command_by_unit_as_xlsx(demo, tmp_path, capsys):
    out = tmp_path / "chase.xlsx"
    assert (
        main(
            [
                "completeness",
                "--year",
                "2024",
                "--unit",
                "市卫健委",
                "--format",
                "xlsx",
                "--lang",
                "en",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    err = capsys.readouterr().err
    ws = load_workbook(out).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == (
        "Reporting unit",
        "Unit code",
        "Area",
        "Area code",
        "Indicator",
        "Indicator name",
        "Due by",
        "State",
        "Late",
        "Return comment or reason not obtainable",
    )
    assert {r[1] for r in rows[1:]} == {"cq_health"} and {r[3] for r in rows[1:]} == {CITY}
    missing = sum(1 for r in rows[1:] if r[7] == "Missing")
    returned = sum(1 for r in rows[1:] if r[7] == "Returned")
    assert missing + returned == len(rows) - 1
    assert f"{missing} missing ({missing} late)" in err and f"{returned} returned)" in err
    assert "2024: 31 due, " in err


def test_the_command_refuses_an_unknown_unit_and_a_year_outside_the_plan(demo, capsys):
    assert main(["completeness", "--year", "2024", "--unit", "cq_helth"]) == 1
    assert "did you mean 'cq_health'" in capsys.readouterr().err
    assert main(["completeness", "--year", "2035"]) == 1
    assert "COMPLETENESS_YEAR" in capsys.readouterr().err
    assert main(["completeness", "--year", "2024", "--format", "xlsx"]) == 1
    assert "--out" in capsys.readouterr().err


# ------------------------------------------------------------------------------ the page (AppTest)
def _page(token: str | None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if token:
        at.session_state["_auth_token"] = token
    at.switch_page("app_pages/completeness.py")
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: str(m.value) for m in at.metric}


def test_the_page_agrees_with_the_command_and_sql(demo, session_token, cat):
    token = session_token("office", "city_editor")
    due = len(cat.rules.areas) * 88
    sql = _sql(demo, 2024)
    reported, missing = sql["reported"], due - sql["reported"] - sql["not_obtainable"]
    at = _page(token, year="2024")
    assert not at.exception
    assert at.title[0].value == "填报完整性"
    m = _metrics(at)
    assert (m["应报"], m["已报"], m["未报"], m["逾期未报"]) == (str(due), str(reported), str(missing), str(missing))
    assert (m["已审核"], m["已报待审"], m["退回"], m["无法取得"]) == tuple(
        str(sql[k]) for k in ("approved", "submitted", "returned", "not_obtainable")
    )
    assert m["填报完整率"] == f"{reported / due * 100:.1f}%"
    assert m["审核完成率"] == f"{sql['approved'] / due * 100:.1f}%"
    states, chase = at.dataframe[-2].value, at.dataframe[-1].value
    assert len(states) == due and len(chase) == missing + sql["returned"]
    by_unit = at.dataframe[0].value
    assert by_unit["退回"].sum() == sql["returned"] and by_unit["无法取得"].sum() == sql["not_obtainable"]
    assert [b.label for b in at.get("download_button")] == ["下载催报清单（CSV）", "下载催报清单（Excel）"]


def test_the_page_filters_by_state(demo, session_token):
    token = session_token("office", "city_editor")
    sql = _sql(demo, 2024)
    at = _page(token, year="2024", state="returned", lang="en")
    assert not at.exception and at.selectbox(key="w_state").value == "returned"
    shown = at.dataframe[-2].value
    assert len(shown) == sql["returned"] and set(shown["State"]) == {"Returned"}
    assert shown["Return comment or reason not obtainable"].astype(bool).all()
    at.selectbox(key="w_state").set_value("not_obtainable").run()
    assert not at.exception and at.query_params["state"] == "not_obtainable"
    shown = at.dataframe[-2].value
    assert len(shown) == sql["not_obtainable"] and set(shown["State"]) == {"Not obtainable"}
    unknown = _page(token, year="2024", state="lost")
    assert not unknown.exception and "lost" in unknown.error[0].value


def test_the_page_in_english_filtered_by_a_unit_link(demo, session_token):
    token = session_token("office", "city_editor")
    at = _page(token, year="2024", unit="cq_health", lang="en")
    assert not at.exception
    assert at.title[0].value == "Completeness"
    m = _metrics(at)
    assert m["Due"] == "31"
    chase = at.dataframe[-1].value
    assert set(chase["Unit code"]) == {"cq_health"}
    assert len(chase) == 31 - int(m["Reported"]) - int(m["Not obtainable"]) + int(m["Returned"])
    assert at.selectbox(key="w_unit").value == "cq_health"


def test_the_page_says_when_a_linked_unit_is_unknown(demo, session_token):
    at = _page(session_token("office", "city_editor"), unit="nobody")
    assert not at.exception and "nobody" in at.error[0].value


@pytest.mark.parametrize(
    "role,allowed",
    [
        ("viewer", False),
        ("area_editor", True),
        ("reviewer", True),
        ("city_editor", True),
        ("maintainer", False),
        ("admin", True),
    ],
)
def test_each_role_on_the_page_and_in_the_menu(demo, session_token, role, allowed):
    token = session_token(f"u_{role}", role, ["500101"] if role == "area_editor" else [])
    at = _page(token, year="2024")
    assert not at.exception
    refused = any("无权查看填报完整性和催报清单" in e.value for e in at.error)
    assert refused == (not allowed) and bool(at.metric) == allowed
    in_menu = any(link.proto.page.endswith("completeness") for link in at.sidebar.get("page_link"))
    assert in_menu == allowed


def _page_at(page: str, token: str | None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if token:
        at.session_state["_auth_token"] = token
    at.switch_page(f"app_pages/{page}.py")
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def _links(at: AppTest) -> list[str]:
    return [pl.proto.label for pl in at.get("page_link")]


def test_the_overview_reminds_the_office_and_not_a_viewer(demo, session_token, cat):
    sql = _sql(demo, 2024)
    missing = len(cat.rules.areas) * 88 - sql["reported"] - sql["not_obtainable"]
    at = _page_at("overview", session_token("office", "city_editor"), year="2024")
    assert not at.exception
    assert any(label.startswith(f"2024 年还有 {missing} 个应报数值未报") for label in _links(at))
    viewer = _page_at("overview", session_token("reader", "viewer"), year="2024")
    assert not viewer.exception and not any("应报数值未报" in label for label in _links(viewer))


def test_the_indicator_and_units_pages_say_who_reports(demo):
    at = _page_at("indicator", None, indicator="W03", lang="en")
    assert not at.exception
    assert "Who reports it" in [s.value for s in at.subheader]
    links = _links(at)
    assert "Reports the city's value: Chongqing Municipal Health Commission" in links
    assert "Reports the districts' values: District and county working committees on children and women" in links
    gap = _page_at("indicator", None, indicator="W22")
    assert any(c.value.startswith("未指定填报单位：人大代表") for c in gap.caption)
    unit = _page_at("units", None, unit="cq_water")
    assert not unit.exception
    table = unit.dataframe[0].value
    assert table["指标代码"].tolist() == ["C30", "C31"] and table["指标名称"].tolist() == [
        "农村自来水普及率",
        "农村水质达标率",
    ]
    assert set(table["层级"]) == {"市级"}
    assert any(e.proto.label == "本单位填报的指标 (2)" for e in unit.expander)


def test_an_area_editor_sees_their_own_areas_only(demo, session_token):
    """The unit's user sees only their areas' values: 万州区's due values (one area × the indicators
    assigned to districts), counted by SQL; the city's are not among them."""
    token = session_token("wz_clerk", "area_editor", [WANZHOU])
    at = _page(token, year="2024")
    assert not at.exception
    shown = _metrics(at)
    engine = create_engine(f"sqlite:///{demo}")
    assigned = load_tasks(RULES, load_rules(RULES)).reporting.assignments
    due = sum(1 for a in assigned.values() if a.district)
    with engine.connect() as conn:
        stored = conn.execute(
            text(
                "SELECT COUNT(*) FROM observations WHERE is_current AND year = 2024 AND area = :a "
                f"AND indicator IN ({', '.join(repr(c) for c, a in assigned.items() if a.district)})"
            ),
            {"a": WANZHOU},
        ).scalar()
    engine.dispose()
    assert shown["应报"] == str(due) and shown["已报"] == str(stored)
    assert any("只列出您负责的地区：万州区" in c.value for c in at.caption)


def test_an_area_editor_states_a_value_not_obtainable_on_the_page_and_withdraws_it(demo, session_token):
    """On the page, as the CLI does it: a missing value of their own area, with a reason; the counts
    move from 未报 to 无法取得 in the same run; the reason is required; withdrawing puts it back. A
    reviewer, who may see the page, is offered no form."""
    from dashboard.store import Store

    token = session_token("wz_clerk2", "area_editor", [WANZHOU])
    at = _page(token, year="2024")
    before = _metrics(at)
    choice = at.selectbox(key="no_pick").value
    assert choice.startswith("万州区 · ")
    at.button(key="no_go").click().run()  # no reason yet
    assert any("请写明无法取得的原因" in e.value for e in at.error)
    at.text_input(key="no_reason").input("本年度未开展专项调查").run()
    at.button(key="no_go").click().run()
    assert not at.exception and any(f"已声明无法取得：{choice}" in s.value for s in at.success)
    after = _metrics(at)
    assert int(after["未报"]) == int(before["未报"]) - 1
    assert int(after["无法取得"]) == int(before["无法取得"]) + 1
    store = Store(os.environ["DASHBOARD_DB_URL"])
    stated = store.not_obtainable(years=[2024])
    mine = stated[stated["user"] == "wz_clerk2"]
    assert mine[["area", "reason"]].values.tolist() == [[WANZHOU, "本年度未开展专项调查"]]
    at.selectbox(key="no_withdraw_pick").set_value(choice).run()
    at.button(key="no_withdraw_go").click().run()
    assert any(f"已撤回无法取得的声明：{choice}" in s.value for s in at.success)
    assert _metrics(at)["未报"] == before["未报"]
    stated = store.not_obtainable(years=[2024])
    assert stated[stated["user"] == "wz_clerk2"].empty
    store.dispose()

    reviewer = _page(session_token("checker2", "reviewer", []), year="2024")
    assert not reviewer.exception and not any(b.key == "no_go" for b in reviewer.button)


def test_the_counts_table_as_the_page_shows_it():
    """The by-unit table, built without Streamlit: names, counts per state, both rates as text."""
    from dashboard.views import completeness as view

    frame = pd.DataFrame(
        {
            "code": ["cq_health"],
            "name": ["市卫生健康委"],
            "due": [4],
            "reported": [3],
            "missing": [1],
            "late": [1],
            "approved": [2],
            "submitted": [1],
            "returned": [0],
            "not_obtainable": [0],
            "rate": [0.75],
            "review_rate": [None],
        }
    )
    table = view.counts_table(frame, "unit", "zh")
    assert list(table.columns)[:4] == ["填报单位", "应报", "已报", "未报"]
    assert table.iloc[0].tolist()[-2:] == ["75.0%", "—"] and table.iloc[0, 0] == "市卫生健康委"
    assert view.counts_table(frame, "area", "en").columns[0] != table.columns[0]
