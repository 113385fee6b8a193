"""Every page through ``streamlit.testing.v1.AppTest``: renders on demo data and on an empty database,
the pickers change what is shown, the English switch changes the labels, links keep the view."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "streamlit_app.py")
PAGES = ["overview", "domain", "district", "constraint", "indicator", "tasks", "task", "upload", "history", "rules"]
TITLES_EN = {"overview": "progress in", "domain": "Women and Health", "district": "By district",
             "constraint": "Binding and expected", "indicator": "Premarital medical examination rate",
             "tasks": "Key tasks", "task": "Task", "upload": "Upload data", "history": "Upload history",
             "rules": "Rules"}
TITLES_ZH = {"overview": "规划实施进展", "domain": "妇女与健康", "district": "分区县", "constraint": "约束性指标与预期性指标",
             "indicator": "婚前医学检查率", "tasks": "重点任务", "task": "任务详情", "upload": "数据上传",
             "history": "上传记录", "rules": "规则"}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    """One SQLite file with the seeded demo data, copied for each test that needs it."""
    from dashboard.demo import load_demo
    from dashboard.rules import load_rules
    from dashboard.store import Store

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    store = Store(f"sqlite:///{path}")
    load_demo(store, load_rules(ROOT / "rules"))
    store.dispose()
    return path


@pytest.fixture
def demo(demo_db, tmp_path, monkeypatch):
    db = tmp_path / "demo.db"
    db.write_bytes(demo_db.read_bytes())
    monkeypatch.setenv("DASHBOARD_DB_URL", f"sqlite:///{db}")
    return db


@pytest.fixture
def empty(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB_URL", f"sqlite:///{tmp_path / 'empty.db'}")


def app(page: str, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page(f"app_pages/{page}.py")
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def texts(at: AppTest) -> str:
    parts = [e.value for e in at.title] + [e.value for e in at.subheader] + [e.value for e in at.markdown]
    parts += [e.value for e in at.caption] + [e.value for e in at.info] + [e.value for e in at.warning]
    parts += [e.value for e in at.success] + [e.label for e in at.metric] + [str(e.value) for e in at.metric]
    parts += [e.label for e in at.selectbox] + [e.label for e in at.button]
    parts += [pl.proto.label for pl in at.get("page_link")]
    return "\n".join(str(p) for p in parts)


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


# ------------------------------------------------------------------------------ every page renders
@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_demo_data(demo, page):
    at = app(page)
    no_exception(at)
    assert TITLES_ZH[page] in at.title[0].value
    assert any("示例数据 / demo data" in w.value for w in at.warning), "demo banner missing"
    at.run()  # a rerun keeps the frame (banner, language switch) and still works
    no_exception(at)
    assert any("示例数据 / demo data" in w.value for w in at.warning)
    assert at.sidebar.radio(key="lang").value == "zh"


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_empty_database(empty, page):
    at = app(page)
    no_exception(at)
    assert TITLES_ZH[page] in at.title[0].value
    assert not any("示例数据" in w.value for w in at.warning)
    if page in ("overview", "domain", "district", "constraint", "indicator"):
        assert any("还没有数据" in i.value for i in at.info)


@pytest.mark.parametrize("page", PAGES)
def test_english_switch_changes_labels(demo, page):
    at = app(page)
    assert TITLES_ZH[page] in at.title[0].value
    at.sidebar.radio(key="lang").set_value("en").run()
    no_exception(at)
    assert TITLES_EN[page] in at.title[0].value
    body = texts(at)
    assert "demo data" in body
    assert at.query_params.get("lang") in ("en", ["en"])
    # Chinese page labels are gone (names from YAML come in English too).
    for word in ("年份", "地区", "指标数", "需要关注", "约束性指标"):
        assert word not in "\n".join([e.label for e in at.selectbox] + [e.value for e in at.subheader]), word


def test_english_from_the_link(demo):
    at = app("overview", lang="en", year="2023", area="500116")
    no_exception(at)
    assert at.title[0].value == "Jiangjin District · progress in 2023"
    assert [m.label for m in at.metric][:2] == ["🟢 Achieved", "🟩 On track"]
    assert "Needs attention" in texts(at)


# ------------------------------------------------------------------------------ pickers and links
def _metrics(at: AppTest) -> list[str]:
    return [str(m.value) for m in at.metric]


def test_overview_pickers_change_what_is_shown(demo):
    at = app("overview")
    no_exception(at)
    assert at.title[0].value == "重庆市 · 2025年 规划实施进展"
    city = _metrics(at)
    at.selectbox(key="area").set_value("500116").run()
    no_exception(at)
    assert at.title[0].value == "江津区 · 2025年 规划实施进展"
    assert at.query_params["area"] in ("500116", ["500116"])
    jiangjin = _metrics(at)
    at.selectbox(key="year").set_value(2021).run()
    assert at.title[0].value == "江津区 · 2021年 规划实施进展"
    assert at.query_params["year"] in ("2021", ["2021"])
    assert _metrics(at) != jiangjin or jiangjin != city


def test_overview_link_opens_the_same_view(demo):
    at = app("overview", year="2022", area="500101")
    assert at.title[0].value == "万州区 · 2022年 规划实施进展"
    assert at.selectbox(key="year").value == 2022
    assert at.selectbox(key="area").value == "500101"


def test_overview_presentation_mode_hides_controls(demo):
    at = app("overview", year="2024", area="500116", present="1")
    no_exception(at)
    assert at.title[0].value == "江津区 · 2024年 规划实施进展"
    assert len(at.selectbox) == 0
    assert len(at.sidebar.radio) == 0
    assert at.button(key="exit_present")
    at.button(key="exit_present").click().run()
    assert len(at.selectbox) == 2


def test_overview_status_counts_add_up(demo):
    at = app("overview", year="2025")
    values = [int(v) for v in _metrics(at)]
    total, binding, expected = values[0:6], values[6:12], values[12:18]
    assert sum(total) == sum(binding) + sum(expected) > 0


def test_domain_picker(demo):
    at = app("domain")
    first = at.title[0].value
    at.selectbox(key="domain").set_value("C:health").run()
    no_exception(at)
    assert at.title[0].value != first and "儿童与健康" in at.title[0].value
    assert at.query_params["domain"] in ("C:health", ["C:health"])


def test_district_page_filters_and_compare(demo):
    at = app("district", year="2023")
    no_exception(at)
    assert "2023" in at.title[0].value
    assert len(at.dataframe) == 2  # ranking table, area-vs-city table
    compare = at.dataframe[1].value
    at.selectbox(key="compare").set_value("500116").run()
    no_exception(at)
    assert "江津区" in at.dataframe[1].value.columns
    assert not at.dataframe[1].value.equals(compare)


def test_indicator_page_from_a_link(demo):
    at = app("indicator", indicator="W03", areas="500000,500116", year="2024")
    no_exception(at)
    assert at.title[0].value == "W03 孕产妇死亡率"
    assert at.multiselect(key="areas").value == ["500000", "500116"]
    values = at.dataframe[0].value
    assert set(values["地区"]) == {"重庆市", "江津区"}
    body = texts(at)
    assert "<8" in body and "低于 8" in body              # printed target and the check in words
    assert "重点任务尚未载入" in body                        # tasks section says so plainly
    at.selectbox(key="indicator").set_value("C01").run()
    assert at.title[0].value.startswith("C01 ")
    assert at.query_params["indicator"] in ("C01", ["C01"])


def test_overview_attention_links_to_indicator_pages(demo):
    at = app("overview", year="2025")
    links = at.get("page_link")
    assert links, "no attention links"
    first = links[0].proto
    assert first.page.endswith("indicator") or "indicator" in first.page
    assert "indicator=" in first.query_string


def test_tasks_pages_say_tasks_are_not_loaded(demo):
    for page, params in (("tasks", {}), ("task", {"task": "T1"})):
        at = app(page, **params)
        assert any("重点任务尚未载入" in i.value for i in at.info)
        at.sidebar.radio(key="lang").set_value("en").run()
        assert any("Work-plan tasks are not loaded yet" in i.value for i in at.info)


def test_rules_page_lists_problems_with_file_and_line(empty, tmp_path, monkeypatch):
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    monkeypatch.setenv("DASHBOARD_RULES_DIR", str(rules))
    at = app("rules")
    no_exception(at)
    assert any("没有问题" in s.value for s in at.success)
    # An edit to the YAML shows on the next rerun, without a restart.
    path = rules / "indicators" / "01_women.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('target: "≥94"', 'target: "很高"', 1), encoding="utf-8")
    at.run()
    no_exception(at)
    problems = at.dataframe[0].value
    assert list(problems["问题代码"]) == ["BAD_TARGET"]
    assert problems["文件"].iloc[0].endswith("01_women.yaml")
    assert int(problems["行"].iloc[0]) == text.splitlines().index('    target: "≥94"') + 1


def test_rules_page_area_overrides(empty, tmp_path, monkeypatch):
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    (rules / "overrides" / "500101.yaml").write_text(
        'area: "500101"\nsource: 万州区规划\ntargets:\n  W04: {target: "≥96"}\n', encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_RULES_DIR", str(rules))
    at = app("rules", area="500101")
    no_exception(at)
    at.toggle(key="only_diff").set_value(True).run()
    table = at.dataframe[-1].value
    assert list(table["代码"]) == ["W04"]
    assert table["本地区目标"].iloc[0] == "≥96" and table["规划默认目标"].iloc[0] == "≥94"


def test_history_page_rolls_back(demo):
    from dashboard.store import Store

    at = app("history")
    no_exception(at)
    assert len(at.dataframe[0].value) == 1
    at.text_input(key="rollback_user").set_value("测试员")
    at.checkbox(key="rollback_sure").check()
    at.run()
    at.button(key="rollback_go").click().run()
    no_exception(at)
    assert any("已回滚" in s.value for s in at.success)
    store = Store(os.environ["DASHBOARD_DB_URL"])
    assert store.current_values().empty and not store.has_demo_data()
    store.dispose()
    at.switch_page("app_pages/overview.py").run()
    assert not any("示例数据" in w.value for w in at.warning)   # cache follows the database


def test_upload_page_shows_report_preview_and_commits(demo):
    from dashboard.rules import load_rules
    from dashboard.store import Store
    from dashboard.template import template_frame

    frame = template_frame(load_rules(ROOT / "rules"), "500116")
    frame.loc[frame["代码"] == "W02", "2026"] = "82.6"
    good = frame.to_csv(index=False).encode("utf-8-sig")
    at = app("upload")
    no_exception(at)
    assert at.get("download_button"), "template download missing"
    if not hasattr(at, "file_uploader"):
        pytest.skip("this AppTest cannot drive st.file_uploader")
    at.file_uploader(key="upload_file").upload("jiangjin.csv", good, "text/csv").run()
    no_exception(at)
    assert any("校验通过" in s.value for s in at.success)
    assert any("新增 1 行" in m.value for m in at.markdown)
    at.text_input(key="uploader").set_value("测试员").run()
    at.button(key="confirm_upload").click().run()
    no_exception(at)
    assert any("已入库" in s.value for s in at.success)
    store = Store(os.environ["DASHBOARD_DB_URL"])
    assert len(store.current_values(years=[2026])) == 1
    store.dispose()


def test_upload_page_reports_problems(demo):
    from dashboard.rules import load_rules
    from dashboard.template import template_frame

    frame = template_frame(load_rules(ROOT / "rules"), "500116")
    frame.loc[frame["代码"] == "W04", "2025"] = "abc"
    at = app("upload")
    if not hasattr(at, "file_uploader"):
        pytest.skip("this AppTest cannot drive st.file_uploader")
    at.file_uploader(key="upload_file").upload("bad.csv", frame.to_csv(index=False).encode("utf-8-sig"),
                                                "text/csv").run()
    no_exception(at)
    assert any("发现 1 个问题" in e.value for e in at.error)
    report = at.dataframe[0].value
    assert report.iloc[0]["问题代码"] == "NOT_A_NUMBER"
    assert not at.button(key="confirm_upload") if "confirm_upload" in [b.key for b in at.button] else True
