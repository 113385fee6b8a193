"""分析评估: the responsible unit's analysis of an indicator's year (issue 15, part 4).

Stored only by appending (``store/analyses.py``), on SQLite and PostgreSQL; written through the
server-side check (``access.authorization.write_analysis_as``) from the app, the command line and
an upload's 分析 column; shown on the indicator page and placed by the .docx report beside its
indicator's row and sentence.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, func, select
from streamlit.testing.v1 import AppTest

from dashboard.access import accounts
from dashboard.access.accounts import User
from dashboard.access.authorization import Refused, upload_as, write_analysis_as
from dashboard.cli import main
from dashboard.intake.indicator_values import read_upload
from dashboard.messages import Code
from dashboard.reports.templates import template_frame
from dashboard.store import StoreError, audit
from dashboard.store.analyses import analysis_history, current_analyses, write_analysis
from dashboard.store.schema import analyses

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "streamlit_app.py")
JJ, WZ = "500116", "500101"  # 江津区, 万州区
PASSWORD = "a long test password"


def _write(store, text, year=2024, author="张三", indicator="W03", area=JJ):
    return write_analysis(store.engine, area, indicator, year, text, author, None, max_chars=2000)


# ------------------------------------------------------------------------------ the store
def test_round_trip_and_the_newest_row_counts(store):
    _write(store, "  原因：转诊及时。\r\n措施：加强产科。  ")
    _write(store, "第二版：困难是人手不足。", author="李四")
    _write(store, "2023 年的分析", year=2023)
    _write(store, "万州的分析", area=WZ)
    now = current_analyses(store.engine, areas=[JJ])
    assert now[["indicator", "year", "text", "author"]].values.tolist() == [
        ["W03", 2023, "2023 年的分析", "张三"],
        ["W03", 2024, "第二版：困难是人手不足。", "李四"],
    ]
    assert now["author_id"].isna().all() and now["batch_id"].isna().all()
    assert str(now["at"].dt.tz) == "UTC"
    assert current_analyses(store.engine, years=[2023])["text"].tolist() == ["2023 年的分析"]
    assert len(current_analyses(store.engine)) == 3


def test_history_keeps_every_row_and_an_empty_text_withdraws(store):
    _write(store, "第一版")
    _write(store, "第二版")
    _write(store, "   ")  # withdrawn: a row of its own
    assert current_analyses(store.engine, areas=[JJ]).empty
    history = analysis_history(store.engine, JJ, "W03")
    assert history["text"].tolist() == ["", "第二版", "第一版"]  # newest first
    assert history["id"].is_monotonic_decreasing
    _write(store, "第三版")
    assert current_analyses(store.engine)["text"].tolist() == ["第三版"]
    assert len(analysis_history(store.engine, JJ, "W03", 2024)) == 4
    assert analysis_history(store.engine, JJ, "W03", 2023).empty


def test_a_text_over_the_limit_is_refused_and_nothing_is_stored(store):
    with pytest.raises(StoreError) as caught:
        write_analysis(store.engine, JJ, "W03", 2024, "长" * 11, "张三", None, max_chars=10)
    assert caught.value.problem.message_id is Code.ANALYSIS_TOO_LONG
    assert caught.value.problem.message("en") == (
        "the analysis has 11 characters, more than the limit of 10; shorten it and save again (nothing was saved)"
    )
    assert analysis_history(store.engine, JJ, "W03").empty


def test_the_limit_is_a_setting(rules):
    assert rules.settings.analysis.max_chars == 2000


# ------------------------------------------------------------------------------ who may write
def _users(engine) -> dict[str, User]:
    made = {}
    for name, role, areas in (
        ("jj", "area_editor", [JJ]),
        ("city", "city_editor", []),
        ("viewer", "viewer", []),
        ("keeper", "maintainer", []),
    ):
        if accounts.find_user(engine, name) is None:  # PostgreSQL's store keeps its accounts between tests
            accounts.add_user(engine, name, PASSWORD, role, areas, by="test")
        made[name] = accounts.find_user(engine, name)
    return made


def test_an_area_editor_writes_for_their_area_only_and_refusals_are_audited(store, rules):
    users = _users(store.engine)
    assert write_analysis_as(users["jj"], store, rules, JJ, "W03", 2024, "江津的分析") == "江津的分析"
    with pytest.raises(Refused) as caught:
        write_analysis_as(users["jj"], store, rules, WZ, "W03", 2024, "越权")
    assert caught.value.problems[0].message_id is Code.AREA_NOT_ALLOWED
    for name in ("viewer", "keeper"):
        with pytest.raises(Refused) as refused:
            write_analysis_as(users[name], store, rules, JJ, "W03", 2024, "无权")
        assert refused.value.problems[0].message_id is Code.NOT_ALLOWED
    write_analysis_as(users["city"], store, rules, WZ, "W03", 2024, "全市填报员写万州")
    now = current_analyses(store.engine)
    assert now[["area", "text", "author"]].values.tolist() == [
        [WZ, "全市填报员写万州", "city"],
        [JJ, "江津的分析", "jj"],
    ]
    assert int(now.loc[now["area"] == JJ, "author_id"].iloc[0]) == users["jj"].id
    log = audit.entries(store.engine)
    assert log["action"].tolist()[:4] == ["analysis", "access_refused", "access_refused", "analysis_refused"]
    assert log["target"].iloc[3] == f"{WZ} W03 2024" and log["user"].iloc[3] == "jj"
    assert log["action"].iloc[4] == "analysis" and '"chars": 5' in log["details"].iloc[4]


def test_an_unknown_indicator_or_a_year_outside_the_plans_is_refused(store, rules):
    city = _users(store.engine)["city"]
    with pytest.raises(Refused) as caught:
        write_analysis_as(city, store, rules, JJ, "W99", 2024, "x")
    assert caught.value.problems[0].message_id is Code.ANALYSIS_UNKNOWN_INDICATOR
    with pytest.raises(Refused) as caught:
        write_analysis_as(city, store, rules, JJ, "W03", 1999, "x")
    assert caught.value.problems[0].message("zh") == "1999 年不在规划的年份（2020–2030 年）之内"
    with pytest.raises(StoreError):
        write_analysis_as(city, store, rules, JJ, "W03", 2024, "长" * 2001)
    assert analysis_history(store.engine, JJ, "W03").empty


# ------------------------------------------------------------------------------ the upload's 分析 column
def test_the_upload_column_is_stored_with_the_batch_by_the_uploader(store, rules):
    city = _users(store.engine)["city"]
    text = "区县,指标,年份,数值,分析\n江津区,W03,2024,7.5,原因：转诊及时\n江津区,W03,2023,7.9,\n万州区,W03,2024,9,  \n"
    report = read_upload(text.encode(), "values.csv", rules)
    assert report.ok, [p.format() for p in report.problems]
    batch = upload_as(city, store, report)
    now = current_analyses(store.engine)
    assert now[["area", "year", "text", "author"]].values.tolist() == [[JJ, 2024, "原因：转诊及时", "city"]]
    assert int(now["batch_id"].iloc[0]) == batch and int(now["author_id"].iloc[0]) == city.id
    # The same file again adds no history; a rollback of the batch takes its analysis off the page.
    again = upload_as(city, store, read_upload(text.encode(), "values.csv", rules))
    assert len(analysis_history(store.engine, JJ, "W03")) == 1
    store.rollback(again, "city")
    store.rollback(batch, "city")
    assert current_analyses(store.engine).empty
    assert len(analysis_history(store.engine, JJ, "W03")) == 1


def test_the_wide_template_column_goes_with_the_row_s_newest_year(rules):
    frame = template_frame(rules, JJ)
    assert list(frame.columns)[-1] == "分析"
    frame.loc[frame["代码"] == "W02", ["2024", "2025", "分析"]] = ["80", "81", "2025 年的分析"]
    frame.loc[frame["代码"] == "W03", ["2025", "分析"]] = ["暂无", "没有数值的分析"]
    frame.loc[frame["代码"] == "W04", "分析"] = "整行没有数值"
    report = read_upload(frame.to_csv(index=False).encode("utf-8-sig"), "t.csv", rules)
    assert report.ok
    rows = report.rows.set_index(["indicator", "year"])["analysis"]
    assert rows.to_dict() == {("W02", 2024): None, ("W02", 2025): "2025 年的分析"}
    # An analysis that would not be stored is said, not dropped: W03 (row 4) and W04 (row 5).
    warned = [(p.message_id, p.row, p.column, p.severity) for p in report.problems]
    assert warned == [
        (Code.ANALYSIS_WITHOUT_VALUE, 4, "分析", "warning"),
        (Code.ANALYSIS_WITHOUT_VALUE, 5, "分析", "warning"),
    ]


def test_an_upload_with_a_text_over_the_limit_is_refused_at_its_cell(rules):
    text = "区县,指标,年份,数值,情况分析\n江津区,W03,2024,7.5," + "长" * 2001 + "\n"
    report = read_upload(text.encode(), "long.csv", rules)
    assert not report.ok
    [problem] = report.problems
    assert (problem.message_id, problem.row, problem.column) == (Code.ANALYSIS_TOO_LONG, 2, "情况分析")


# ------------------------------------------------------------------------------ the report
def test_the_docx_places_the_analysis_beside_its_indicator(store, rules):
    from docx import Document

    from dashboard.engine import evaluate
    from dashboard.reports.documents import build_docx

    values = pd.DataFrame(
        [(JJ, "W03", 2020, 12.0), (JJ, "W03", 2024, 7.0), (JJ, "W03", 2025, 7.0), (JJ, "C19", 2025, 94.0)],
        columns=["area", "indicator", "year", "value"],
    )
    _write(store, "原因：转诊体系完善。措施：继续加强高危孕产妇管理。", year=2025, author="江津区卫健委")
    _write(store, "2024 年的分析不进 2025 年的报告", year=2024)
    ev = evaluate(rules, values, years=[2024, 2025], areas=[JJ])
    now = current_analyses(store.engine, areas=[JJ], years=[2025])
    day = now["at"].dt.tz_convert("Asia/Shanghai").dt.strftime("%Y-%m-%d").iloc[0]
    data = build_docx(rules, ev, JJ, 2025, analyses=now)
    out = ROOT / "test-output" / "reports"
    out.mkdir(parents=True, exist_ok=True)
    (out / "report_with_analysis.docx").write_bytes(data)
    doc = Document(io.BytesIO(data))
    paragraphs = [p.text for p in doc.paragraphs]
    sentence = next(k for k, p in enumerate(paragraphs) if p.startswith("W03 孕产妇死亡率：2025年为"))
    assert paragraphs[sentence + 1] == (
        f"分析：原因：转诊体系完善。措施：继续加强高危孕产妇管理。（填报：江津区卫健委，{day}）"
    )
    assert not any("2024 年的分析" in p for p in paragraphs)
    w03 = next(row for row in doc.tables[0].rows if row.cells[1].text.startswith("W03"))
    assert w03.cells[1].text == "W03 孕产妇死亡率\n（分析见下文）"
    others = [row.cells[1].text for row in doc.tables[0].rows if not row.cells[1].text.startswith("W03")]
    assert not any("分析" in text for text in others)
    english = Document(io.BytesIO(build_docx(rules, ev, JJ, 2025, lang="en", analyses=now)))
    assert any(
        p.text.startswith("Analysis: 原因：转诊体系完善。") and p.text.endswith(f"(by 江津区卫健委, {day})")
        for p in english.paragraphs
    )


# ------------------------------------------------------------------------------ the command line
def test_the_command_line_sets_and_shows(store, capsys):
    assert (
        main(
            [
                "analysis",
                "set",
                "--area",
                "江津区",
                "--indicator",
                "孕产妇死亡率",
                "--year",
                "2024",
                "--text",
                "命令行写的分析",
            ]
        )
        == 0
    )
    assert "已保存 江津区 W03 2024 年的分析评估（7 个字符）" in capsys.readouterr().out
    assert main(["analysis", "set", "--area", "江津区", "--indicator", "W03", "--year", "2024", "--text", ""]) == 0
    assert "已撤回 江津区 W03 2024 年的分析评估" in capsys.readouterr().out
    assert main(["analysis", "show", "--area", "江津区", "--indicator", "W03"]) == 0
    assert capsys.readouterr().out.strip() == "江津区 W03 没有分析评估"
    assert main(["analysis", "show", "--area", "500116", "--indicator", "W03", "--history", "--lang", "en"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[0].endswith(": (withdrawn)") and lines[1].endswith(": 命令行写的分析")
    history = analysis_history(store.engine, JJ, "W03")
    assert history["author_id"].isna().all() and history["author"].iloc[0].count("@") == 1  # os_user@host
    assert audit.entries(store.engine)["action"].tolist()[:2] == ["analysis", "analysis"]
    # Too long, or an unknown indicator: refused in words, exit 1, nothing stored.
    assert (
        main(["analysis", "set", "--area", "江津区", "--indicator", "W03", "--year", "2024", "--text", "长" * 2001])
        == 1
    )
    assert "ANALYSIS_TOO_LONG" in capsys.readouterr().err
    with pytest.raises(SystemExit) as unknown:
        main(["analysis", "set", "--area", "江津区", "--indicator", "不存在", "--year", "2024", "--text", "x"])
    assert "未知指标 “不存在”" in str(unknown.value)
    assert len(analysis_history(store.engine, JJ, "W03")) == 2


def test_the_command_line_as_an_area_editor_of_another_area_is_refused(store, monkeypatch, capsys):
    _users(store.engine)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    args = [
        "analysis",
        "set",
        "--area",
        "万州区",
        "--indicator",
        "W03",
        "--year",
        "2024",
        "--text",
        "x",
        "--as",
        "jj",
        "--password-stdin",
    ]
    assert main(args) == 1
    assert "AREA_NOT_ALLOWED" in capsys.readouterr().err
    assert analysis_history(store.engine, WZ, "W03").empty


# ------------------------------------------------------------------------------ the indicator page (AppTest)
@pytest.fixture
def db(demo_db, tmp_path, monkeypatch):
    path = tmp_path / "demo.db"
    path.write_bytes(demo_db.read_bytes())
    monkeypatch.setenv("DASHBOARD_DB_URL", f"sqlite:///{path}")
    monkeypatch.delenv("DASHBOARD_ALLOW_ANONYMOUS", raising=False)
    engine = create_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def _page(engine, name: str, role: str, areas, area: str, lang: str = "zh") -> AppTest:
    if accounts.find_user(engine, name) is None:
        accounts.add_user(engine, name, PASSWORD, role, list(areas), by="test")
    token = accounts.sign_in(engine, name, PASSWORD)[1]
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["_auth_token"] = token
    at.switch_page("app_pages/indicator.py")
    at.query_params.update({"indicator": "W03", "area": area, "areas": area, "year": "2024", "lang": lang})
    return at.run()


def _form_keys(at: AppTest) -> list[str]:
    return [a.key for a in at.text_area if a.key and a.key.startswith("analysis_text_")]


def test_the_page_saves_for_the_own_area_and_offers_no_form_for_another(db):
    at = _page(db, "jj", "area_editor", [JJ], JJ)
    assert not at.exception, [e.value for e in at.exception]
    assert _form_keys(at) == [f"analysis_text_{JJ}_W03_2024"]
    assert any("江津区 2024 年尚无分析评估" in c.value for c in at.caption)
    at.text_area(key=f"analysis_text_{JJ}_W03_2024").input("页面写的分析：*不是粗体*")
    at.button[[b.label for b in at.button].index("保存分析评估")].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value == "分析评估已保存" for s in at.success)
    shown = [m.value for m in at.markdown]
    assert "页面写的分析：\\*不是粗体\\*" in shown  # escaped: shown as typed
    assert any(c.value.startswith("填报：jj，") for c in at.caption)
    assert current_analyses(db)["text"].tolist() == ["页面写的分析：*不是粗体*"]
    # Another area: the text is shown to them, but no form is offered (and the server refuses).
    other = _page(db, "jj", "area_editor", [JJ], WZ)
    assert not other.exception and _form_keys(other) == []
    viewer = _page(db, "v", "viewer", [], JJ)
    assert _form_keys(viewer) == [] and "页面写的分析：\\*不是粗体\\*" in [m.value for m in viewer.markdown]


def test_the_page_in_english_with_the_history(db):
    write_analysis(db, JJ, "W03", 2024, "first", "a", None, max_chars=2000)
    write_analysis(db, JJ, "W03", 2024, "second", "b", None, max_chars=2000)
    at = _page(db, "city", "city_editor", [], JJ, lang="en")
    assert not at.exception, [e.value for e in at.exception]
    assert "second" in [m.value for m in at.markdown]
    assert any(e.label == "History (2 entries)" for e in at.expander)
    assert _form_keys(at) == [f"analysis_text_{JJ}_W03_2024"]
    assert at.text_area(key=f"analysis_text_{JJ}_W03_2024").value == "second"  # edits the standing text
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(analyses)).scalar() == 2


def test_the_import_preview_counts_the_analyses_it_will_store(store, capsys, tmp_path):
    """Before storing, the command says how many analysis texts go in with the batch (two of the
    three rows carry one; the blank cell is none)."""
    path = tmp_path / "values.csv"
    path.write_text(
        "区县,指标,年份,数值,分析\n江津区,W03,2024,7.5,原因：转诊及时\n江津区,W04,2024,95,措施：筛查\n万州区,W03,2024,9,\n",
        encoding="utf-8",
    )
    assert main(["import", str(path), "--dry-run", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "另有 2 条分析说明，随本批次一并保存" in out
    assert current_analyses(store.engine).empty  # a dry run stores nothing
