"""Who reports what (rules/reporting.yaml) and completeness: the validation corpus, the shipped
assignment, known answers on a store filled here, the command, and the page through AppTest."""

from __future__ import annotations

import io
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
        "rate": 3 / (n_areas * 88),
    }
    health = view.completeness(values, rules, cat, 2024, unit="cq_health")
    n_health = sum(1 for a in cat.reporting.assignments.values() if a.city == "cq_health")
    assert n_health == 31
    assert view.summary(health)["due"] == 31 and view.summary(health)["reported"] == 1
    row = health[health["indicator"] == "W03"].iloc[0]
    assert (row.unit, row.area, row.due, row.state) == ("cq_health", CITY, "2025-03", "reported")
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
    ]
    assert len(chase) == n_areas * 88 - 3 and set(chase["State"]) == {"missing"}
    assert not ((chase["Area code"] == CITY) & (chase["Indicator"] == "W03")).any()


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


def _sql_reported(db: Path, year: int) -> int:
    """What is stored for ``year``, counted by SQL: current values of the indicators someone reports
    (not the context series, not W22/W23, which nobody is assigned)."""
    assigned = sorted(load_tasks(RULES, load_rules(RULES)).reporting.assignments)
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        n = conn.execute(
            text(
                "SELECT COUNT(*) FROM (SELECT DISTINCT area, indicator FROM observations "
                f"WHERE is_current AND year = :y AND indicator IN ({', '.join(repr(c) for c in assigned)}))"
            ),
            {"y": year},
        ).scalar_one()
    engine.dispose()
    return int(n)


def test_the_command_lists_every_missing_value_of_the_demo(demo, capsys, cat):
    assert main(["completeness", "--year", "2024"]) == 0
    out, err = capsys.readouterr()
    listed = pd.read_csv(io.StringIO(out), dtype=str)
    due = len(cat.rules.areas) * 88
    reported = _sql_reported(demo, 2024)
    assert 0 < len(listed) == due - reported  # the demo leaves about 5 % out
    assert f"应报 {due}，已报 {reported}，未报 {due - reported}" in err
    assert list(listed.columns) == [
        "填报单位",
        "单位代码",
        "区县",
        "区县代码",
        "指标代码",
        "指标名称",
        "报送期限",
        "状态",
    ]
    assert set(listed["状态"]) == {"未报"} and listed["填报单位"].notna().all()
    # Every listed key is indeed absent from the store, and its unit is the one reporting.yaml names.
    engine = create_engine(f"sqlite:///{demo}")
    stored = pd.read_sql("SELECT area, indicator FROM observations WHERE is_current AND year = 2024", engine)
    engine.dispose()
    keys = set(zip(stored["area"], stored["indicator"]))
    assert not any((a, i) in keys for a, i in zip(listed["区县代码"], listed["指标代码"]))
    for row in listed.itertuples():
        a = cat.reporting.assignments[row.指标代码]
        assert row.单位代码 == (a.city if row.区县代码 == CITY else a.district)


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
    )
    assert {r[1] for r in rows[1:]} == {"cq_health"} and {r[3] for r in rows[1:]} == {CITY}
    assert f"31 due, {31 - (len(rows) - 1)} reported, {len(rows) - 1} missing" in err


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
    reported = _sql_reported(demo, 2024)
    at = _page(token, year="2024")
    assert not at.exception
    assert at.title[0].value == "填报完整性"
    m = _metrics(at)
    assert (m["应报"], m["已报"], m["未报"]) == (str(due), str(reported), str(due - reported))
    assert m["填报完整率"] == f"{reported / due * 100:.1f}%"
    chase = at.dataframe[-1].value
    assert len(chase) == due - reported
    assert [b.label for b in at.get("download_button")] == ["下载催报清单（CSV）", "下载催报清单（Excel）"]


def test_the_page_in_english_filtered_by_a_unit_link(demo, session_token):
    token = session_token("office", "city_editor")
    at = _page(token, year="2024", unit="cq_health", lang="en")
    assert not at.exception
    assert at.title[0].value == "Completeness"
    m = _metrics(at)
    assert m["due"] == "31"
    chase = at.dataframe[-1].value
    assert set(chase["Unit code"]) == {"cq_health"} and len(chase) == 31 - int(m["reported"])
    assert at.selectbox(key="w_unit").value == "cq_health"


def test_the_page_says_when_a_linked_unit_is_unknown(demo, session_token):
    at = _page(session_token("office", "city_editor"), unit="nobody")
    assert not at.exception and "nobody" in at.error[0].value


@pytest.mark.parametrize(
    "role,allowed",
    [("viewer", False), ("area_editor", True), ("city_editor", True), ("maintainer", False), ("admin", True)],
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
    missing = len(cat.rules.areas) * 88 - _sql_reported(demo, 2024)
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
