"""Every page through ``streamlit.testing.v1.AppTest``: renders on demo data and on an empty database,
the pickers change what is shown, the English switch changes the labels, links keep the view."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from page_names import PUBLIC
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "streamlit_app.py")
PAGES = [*PUBLIC, "upload", "history"]  # the last two refuse anonymous visitors in words
TITLES_EN = {
    "overview": "progress in",
    "domain": "Women and Health",
    "district": "By district",
    "constraint": "Binding and expected",
    "indicator": "Premarital medical examination rate",
    "tasks": "Key tasks",
    "task": "Task",
    "upload": "Upload data",
    "history": "Upload history",
    "rules": "Rules",
    "warnings": "Early warnings",
    "evaluation": "evaluation",
    "units": "Responsible units",
}
TITLES_ZH = {
    "overview": "规划实施进展",
    "domain": "妇女与健康",
    "district": "分区县",
    "constraint": "约束性指标与预期性指标",
    "indicator": "婚前医学检查率",
    "tasks": "重点任务",
    "task": "任务详情",
    "upload": "数据上传",
    "history": "上传记录",
    "rules": "规则",
    "warnings": "预警",
    "evaluation": "规划实施评估",
    "units": "责任单位",
}
WP2020 = "重庆市人民政府妇女儿童工作委员会2020年工作要点（渝府妇儿工委发〔2020〕1号）"


@pytest.fixture
def demo(demo_db, tmp_path, monkeypatch):
    db = tmp_path / "demo.db"
    db.write_bytes(demo_db.read_bytes())
    monkeypatch.setenv("DASHBOARD_DB_URL", f"sqlite:///{db}")
    return db


@pytest.fixture
def empty(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB_URL", f"sqlite:///{tmp_path / 'empty.db'}")


def app(page: str, token: str | None = None, **params) -> AppTest:
    """Run ``page``; with ``token`` (see the ``session_token`` fixture) as a signed-in user."""
    at = AppTest.from_file(APP, default_timeout=120)
    if token:
        at.session_state["_auth_token"] = token
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
    assert at.sidebar.radio(key="w_lang").value == "zh"


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_empty_database(empty, page):
    at = app(page)
    no_exception(at)
    assert TITLES_ZH[page] in at.title[0].value
    assert not any("示例数据" in w.value for w in at.warning)
    if page in ("overview", "domain", "district", "constraint", "indicator", "warnings", "evaluation", "units"):
        assert any("还没有数据" in i.value for i in at.info)


@pytest.mark.parametrize("page", PAGES)
def test_english_switch_changes_labels(demo, page):
    at = app(page)
    assert TITLES_ZH[page] in at.title[0].value
    at.sidebar.radio(key="w_lang").set_value("en").run()
    no_exception(at)
    assert TITLES_EN[page] in at.title[0].value
    body = texts(at)
    assert "demo data" in body
    assert at.query_params.get("lang") in ("en", ["en"])
    # Chinese page labels are gone (names from YAML come in English too).
    for word in ("年份", "地区", "指标数", "需要关注", "约束性指标"):
        assert word not in "\n".join([e.label for e in at.selectbox] + [e.value for e in at.subheader]), word


def test_after_a_page_has_run_the_process_s_objects_leave_the_full_collections(demo):
    # dashboard.app.heap: a full garbage collection walked every library and cached frame (0.1-0.15 s,
    # landing on a random page run); after the first page the long-lived objects are frozen.
    import gc

    at = app("overview")
    no_exception(at)
    assert gc.get_freeze_count() > 0


def test_english_from_the_link(demo):
    at = app("overview", lang="en", year="2023", area="500116")
    no_exception(at)
    assert at.title[0].value == "Jiangjin District · progress in 2023"
    labels = [m.label for m in at.metric]
    assert labels[:5] == ["All indicators", "Binding indicators", "Expected indicators", "✔ Achieved", "▲ On track"]
    assert "Needs attention" in texts(at)


# ------------------------------------------------------------------------------ pickers and links
def _metrics(at: AppTest) -> list[str]:
    return [str(m.value) for m in at.metric]


def test_overview_pickers_change_what_is_shown(demo):
    at = app("overview")
    no_exception(at)
    assert at.title[0].value == "重庆市 · 2025年 规划实施进展"
    city = _metrics(at)
    at.selectbox(key="w_area").set_value("500116").run()
    no_exception(at)
    assert at.title[0].value == "江津区 · 2025年 规划实施进展"
    assert at.query_params["area"] in ("500116", ["500116"])
    jiangjin = _metrics(at)
    at.selectbox(key="w_year").set_value(2021).run()
    assert at.title[0].value == "江津区 · 2021年 规划实施进展"
    assert at.query_params["year"] in ("2021", ["2021"])
    assert jiangjin != city  # another area: other counts
    assert _metrics(at) != jiangjin  # another year: other counts


def test_overview_link_opens_the_same_view(demo):
    at = app("overview", year="2022", area="500101")
    assert at.title[0].value == "万州区 · 2022年 规划实施进展"
    assert at.selectbox(key="w_year").value == 2022
    assert at.selectbox(key="w_area").value == "500101"


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
    # The counts by status (the 达标率 metrics are percentages): six statuses for all, binding, expected.
    values = [int(v) for v in _metrics(at) if not v.endswith("%")][:18]  # then the warnings' counts
    total, binding, expected = values[0:6], values[6:12], values[12:18]
    assert sum(total) == sum(binding) + sum(expected) > 0


def test_domain_picker(demo):
    at = app("domain")
    first = at.title[0].value
    at.selectbox(key="w_domain").set_value("C:health").run()
    no_exception(at)
    assert at.title[0].value != first and "儿童与健康" in at.title[0].value
    assert at.query_params["domain"] in ("C:health", ["C:health"])


def test_district_page_filters_and_compare(demo):
    at = app("district", year="2023")
    no_exception(at)
    assert "2023" in at.title[0].value
    # Only the open tab is drawn: the map (its colour picker), no table of the other tabs.
    assert [tab.label for tab in at.tabs] == ["地图", "区县 × 指标 状态表", "区县排名", "本地区与全市对比"]
    assert at.selectbox(key="w_map_by") is not None and len(at.dataframe) == 0
    at = app("district", year="2023", tab="ranking")
    no_exception(at)
    assert len(at.dataframe) == 1 and "排名" in at.dataframe[0].value.columns
    at = app("district", year="2023", tab="city")
    no_exception(at)
    compare = at.dataframe[0].value
    at.selectbox(key="w_compare").set_value("500116").run()
    no_exception(at)
    assert "江津区" in at.dataframe[0].value.columns
    assert not at.dataframe[0].value.equals(compare)
    assert at.query_params["tab"] in ("city", ["city"])  # the tab stays in the address


def test_indicator_page_from_a_link(demo):
    at = app("indicator", indicator="W03", areas="500000,500116", year="2024")
    no_exception(at)
    assert at.title[0].value == "W03 孕产妇死亡率"
    assert at.multiselect(key="w_areas").value == ["500000", "500116"]
    values = at.dataframe[0].value
    assert set(values["地区"]) == {"重庆市", "江津区"}
    body = texts(at)
    assert "<8" in body and "低于 8" in body  # printed target and the check in words
    at.selectbox(key="w_indicator").set_value("C01").run()
    assert at.title[0].value.startswith("C01 ")
    assert at.query_params["indicator"] in ("C01", ["C01"])


def test_overview_attention_links_to_indicator_pages(demo):
    at = app("overview", year="2025")
    links = at.get("page_link")
    assert links, "no attention links"
    first = links[0].proto
    assert first.page == "indicator", first.page
    assert "indicator=" in first.query_string


def test_tasks_pages_say_tasks_are_not_loaded(empty, tmp_path, monkeypatch):
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    shutil.rmtree(rules / "tasks")
    (rules / "units.yaml").unlink()
    monkeypatch.setenv("DASHBOARD_RULES_DIR", str(rules))
    for page, params in (("tasks", {}), ("task", {"task": "T1"}), ("units", {})):
        at = app(page, **params)
        no_exception(at)
        assert any("重点任务尚未载入" in i.value for i in at.info), page
        at.sidebar.radio(key="w_lang").set_value("en").run()
        assert any("Work-plan tasks are not loaded yet" in i.value for i in at.info), page
    at = app("indicator", indicator="W03")
    assert "重点任务尚未载入" in texts(at)


# ------------------------------------------------------------------------------ tasks and units
def _task_links(at: AppTest) -> list[str]:
    """The task codes the page links to, in order (``?task=CODE``)."""
    from urllib.parse import parse_qs

    protos = [pl.proto for pl in at.get("page_link")]
    return [parse_qs(p.query_string)["task"][0] for p in protos if "task=" in p.query_string]


def _every_task_link(at: AppTest) -> list[str]:
    """The task codes of every page of the list (the page picker walked from the first page)."""
    codes = _task_links(at)
    pages = at.selectbox(key="w_task_page").options if "w_task_page" in at.session_state else []
    for number in range(2, len(pages) + 1):
        at.selectbox(key="w_task_page").set_value(number).run()
        codes += _task_links(at)
    return codes


def test_tasks_list_filters_change_the_rows(demo):
    at = app("tasks")
    no_exception(at)
    assert at.subheader[0].value == "共 173 项任务"
    # Forty to a page, five pages: together every task once, in catalogue order.
    every = _task_links(at)
    assert len(every) == 40 and every[0] == "WP2020-01"
    picker = at.selectbox(key="w_task_page")
    assert picker.options == [
        "第 1–40 项（共 173 项）",
        "第 41–80 项（共 173 项）",
        "第 81–120 项（共 173 项）",
        "第 121–160 项（共 173 项）",
        "第 161–173 项（共 173 项）",
    ]
    for number in range(2, 6):
        at.selectbox(key="w_task_page").set_value(number).run()
        every += _task_links(at)
    assert at.query_params["task_page"] in ("5", ["5"])
    assert len(every) == len(set(every)) == 173
    at.selectbox(key="w_task_page").set_value(1).run()
    at.selectbox(key="w_task_source").set_value(WP2020).run()
    no_exception(at)
    assert _task_links(at) == [f"WP2020-{n:02d}" for n in range(1, 20)]
    sec = "二、着力攻坚克难，推进重点难点指标顺利达标"
    at.selectbox(key="w_task_section").set_value(sec).run()
    assert _task_links(at) == [f"WP2020-{n:02d}" for n in range(5, 12)]
    at.selectbox(key="w_task_section").set_value("").run()
    at.selectbox(key="w_task_unit").set_value("cq_health").run()
    no_exception(at)
    health = _task_links(at)
    assert {"WP2020-05", "WP2020-06", "WP2020-01"} <= set(health) and len(health) < 19
    at.selectbox(key="w_unit_role").set_value("lead").run()
    assert _task_links(at) == ["WP2020-05", "WP2020-06"]
    assert at.query_params["task_unit"] in ("cq_health", ["cq_health"])
    at.selectbox(key="w_task_status").set_value("done").run()
    no_exception(at)
    assert _task_links(at) == [] and any("没有符合条件的任务" in i.value for i in at.info)


def test_tasks_list_from_a_link_by_domain(demo):
    at = app("tasks", task_domain="education", lang="en")
    no_exception(at)
    codes = _task_links(at)
    assert codes and "WP2020-07" in codes and "WP2020-01" not in codes
    assert at.selectbox(key="w_task_domain").value == "education"
    link = next(pl.proto for pl in at.get("page_link") if "task=WP2020-07" in pl.proto.query_string)
    assert "lang=en" in link.query_string


def test_task_page_shows_units_indicators_and_text(demo):
    at = app("task", task="WP2020-01")
    no_exception(at)
    assert at.title[0].value == "任务详情 · WP2020-01"
    assert at.subheader[0].value == "加强统筹协调"
    unit_links = [pl.proto.label for pl in at.get("page_link") if "unit=" in pl.proto.query_string]
    assert unit_links == ["🏛️ 市妇儿工委办", "🏢 市级各成员单位"]
    body = texts(at)
    assert "代表" in body and "市卫生健康委" in body  # the group unit's members are named
    assert "充分发挥妇儿工委办统筹协调作用" in body
    assert any("该任务没有关联的监测指标" in i.value for i in at.info)
    assert any("该任务没有量化目标" in i.value for i in at.info)
    assert any("还没有该任务的进展报告" in i.value for i in at.info)

    at = app("task", task="WP2020-05", area="500116", year="2024")
    no_exception(at)
    ind = [pl.proto for pl in at.get("page_link") if "indicator=" in pl.proto.query_string]
    assert [p.label.split(" ")[1] for p in ind] == ["W03", "C02", "C04", "C07"]
    assert "area=500116" in ind[0].query_string
    assert at.selectbox(key="w_area").value == "500116" and at.selectbox(key="w_year").value == 2024
    targets = at.dataframe[0].value
    assert targets["目标项"].tolist() == ["孕产妇死亡率", "婴儿死亡率", "5岁以下儿童死亡率", "国家免疫规划的疫苗接种率"]
    assert targets["目标"].tolist() == ["≤15", "≤5", "≤6", "≥99"] and set(targets["进展状态"]) == {"未报告"}


def test_task_page_with_reports_shows_reached_values_and_history(demo):
    from dashboard.engine.task_status import latest_status
    from dashboard.intake.task_progress import read_task_progress
    from dashboard.rules import load_rules
    from dashboard.rules.workplan import load_tasks
    from dashboard.store import Store

    rules = load_rules(ROOT / "rules")
    cat = load_tasks(ROOT / "rules", rules)
    store = Store(os.environ["DASHBOARD_DB_URL"])
    csv = "任务代码,年份,状态,目标,完成值\nWP2020-11,2020,已完成,,104\n"
    store.commit_task_report(read_task_progress(csv.encode(), "p1.csv", cat, rules), "测试员")
    csv2 = "任务代码,年份,状态,目标,完成值\nWP2020-11,2020,已完成,,108\n"
    store.commit_task_report(read_task_progress(csv2.encode(), "p2.csv", cat, rules), "测试员")
    latest = latest_status(store.current_task_reports())
    store.dispose()
    at = app("task", task="WP2020-11")
    no_exception(at)
    assert any("已完成" in str(m.value) for m in at.metric)
    targets = at.dataframe[0].value
    assert targets["完成值"].tolist() == ["108个"] and targets["是否达到"].tolist() == ["✅ 达到"]
    history = at.dataframe[1].value
    assert history["完成值"].tolist() == ["104", "108"]
    assert history["当前有效"].tolist() == ["否", "是"]
    # The filter lists exactly the tasks whose latest report says done (the demo reports some too).
    at = app("tasks", task_status="done")
    done = set(latest.loc[latest["status"] == "done", "task"])
    assert "WP2020-11" in done and set(_every_task_link(at)) == done


def test_a_link_to_an_unknown_unit_says_so(demo):
    at = app("units", unit="no_such_unit")
    no_exception(at)
    assert [e.value for e in at.error] == ["链接中的单位“no\\_such\\_unit”不存在。"]
    assert not at.metric  # no other unit shown in its place


def test_units_page_for_the_health_commission(demo):
    at = app("units", unit="cq_health", year="2025")
    no_exception(at)
    assert at.title[0].value == "责任单位"
    assert at.selectbox(key="w_unit").value == "cq_health"
    assert at.subheader[0].value == "市卫生健康委"
    metrics = {m.label: int(m.value) for m in at.metric}
    assert metrics["牵头任务"] == 2 and metrics["参与任务"] >= 9
    codes = _task_links(at)
    assert codes[:2] == ["WP2020-05", "WP2020-06"] and "WP2020-01" in codes
    assert any("通过“市级各成员单位”" in c.value for c in at.caption)
    ind = [pl.proto for pl in at.get("page_link") if "indicator=" in pl.proto.query_string]
    assert len(ind) == metrics["所服务指标"] > 0
    assert any("W03" in p.label for p in ind)
    at.selectbox(key="w_unit").set_value("cq_womens_federation").run()
    no_exception(at)
    assert at.subheader[0].value == "市妇联" and at.query_params["unit"] in (
        "cq_womens_federation",
        ["cq_womens_federation"],
    )
    assert len(_task_links(at)) > 30


def test_indicator_page_lists_its_tasks(demo):
    at = app("indicator", indicator="W03")
    no_exception(at)
    tasks = [pl.proto for pl in at.get("page_link") if "task=" in pl.proto.query_string]
    assert tasks and tasks[0].label.startswith("WP2020-05 稳控妇幼健康重点指标")
    assert tasks[0].page == "task", tasks[0].page
    assert any("牵头单位：市卫生健康委" in c.value for c in at.caption)


def test_overview_attention_names_lead_units_and_shows_warnings(demo):
    at = app("overview", year="2025")
    no_exception(at)
    assert any("牵头单位：市卫生健康委" in c.value for c in at.caption)
    assert "预警" in [s.value for s in at.subheader]
    labels = [m.label for m in at.metric]
    assert "约束性指标未达到进展顺利" in labels and "较基期倒退" in labels
    more = [pl.proto for pl in at.get("page_link") if pl.proto.label == "查看全部预警 →"]
    assert more and "areas=500000" in more[0].query_string


# ------------------------------------------------------------------------------ warnings, evaluation
def _indicator_links(at: AppTest) -> list[str]:
    return [pl.proto.label for pl in at.get("page_link") if "indicator=" in pl.proto.query_string]


def test_warnings_page_filters_change_the_rows(demo):
    at = app("warnings", year="2025", areas="500000")
    no_exception(at)
    assert at.title[0].value == "预警 · 2025年"
    every = _indicator_links(at)
    n = int(at.subheader[0].value.split()[1])  # "共 N 条预警"
    assert every and len(every) == min(n, 40)  # at most 40 listed per area
    assert at.subheader[1].value == f"重庆市 ({n})"
    assert any("约束性指标" in c.value for c in at.caption)  # reasons in words
    at.toggle(key="w_binding").set_value(True).run()
    no_exception(at)
    binding = _indicator_links(at)
    assert 0 < int(at.subheader[0].value.split()[1]) < n and binding
    assert at.query_params["binding"] in ("1", ["1"])
    at.multiselect(key="w_kinds").set_value(["deterioration"]).run()
    no_exception(at)
    only = _indicator_links(at)
    assert only and all(label.endswith("较基期倒退") for label in only)
    at.multiselect(key="w_areas").set_value(["500000", "500116"]).run()
    no_exception(at)
    assert {s.value.split(" (")[0] for s in at.subheader[1:]} <= {"重庆市", "江津区"}


def test_warnings_page_from_a_link_in_english(demo):
    at = app("warnings", year="2025", areas="500116", kinds="will_miss", lang="en")
    no_exception(at)
    assert at.title[0].value == "Early warnings · 2025"
    labels = _indicator_links(at)
    assert labels and all(label.endswith("Expected to miss the 2030 target") for label in labels)
    assert any("at the current trend" in c.value for c in at.caption)


def test_evaluation_page_table_lines_and_downloads(demo):
    at = app("evaluation")
    no_exception(at)
    assert at.title[0].value == "重庆市 · 2025年 规划实施评估 · 中期评估"
    table = at.dataframe[0].value
    from dashboard.rules import load_rules

    rules = load_rules(ROOT / "rules")
    assert table["代码"].tolist() == [i.code for i in sorted(rules.indicators.values(), key=lambda i: i.order)]
    assert list(table.columns) == [
        "领域",
        "序号",
        "代码",
        "指标",
        "2030年目标",
        "指标属性",
        "基期值",
        "2025年监测值",
        "状态",
        "备注",
    ]
    assert table.iloc[0]["领域"] == "妇女与健康" and table.iloc[0]["序号"] == 1
    lines = [m.value for m in at.markdown if m.value.startswith("- ") and "项指标：" in m.value]
    assert len(lines) == len(rules.domains) and lines[0].startswith("- 妇女与健康 11 项指标：")
    # One sentence per indicator in the committee's words (against the year before and the baseline).
    said = [m.value for m in at.markdown if m.value.startswith("- **")]
    assert len(said) == 90 and all(s.endswith("。") for s in said)
    assert said[0].startswith("- **W01 婚前医学检查率**：2025年为")
    downloads = at.get("download_button")
    assert len(downloads) == 1  # the xlsx; the docx only on request
    at.button(key="make_docx").click().run()
    no_exception(at)
    keys = [d.key for d in at.get("download_button")]
    if shutil.which("soffice"):  # the PDF beside the Word file, made by LibreOffice
        assert keys == ["eval_xlsx", "eval_docx", "eval_pdf"]
    else:
        assert keys == ["eval_xlsx", "eval_docx"]
        assert any("LibreOffice" in c.value for c in at.caption)
    at.selectbox(key="w_area").set_value("500116").run()
    no_exception(at)
    assert at.title[0].value.startswith("江津区 · 2025年")
    assert len(at.get("download_button")) == 1  # another area: ask again


def test_evaluation_page_in_english(demo):
    at = app("evaluation", lang="en", eval_year="2023", area="500116")
    no_exception(at)
    assert at.title[0].value == "Jiangjin District · evaluation 2023"
    assert "Value in 2023" in at.dataframe[0].value.columns
    assert any(m.value.startswith("- Women and Health: 11 indicators") for m in at.markdown)


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
        'area: "500101"\nsource: 万州区规划\ntargets:\n  W04: {target: "≥96"}\n', encoding="utf-8"
    )
    monkeypatch.setenv("DASHBOARD_RULES_DIR", str(rules))
    at = app("rules", area="500101")
    no_exception(at)
    at.toggle(key="only_diff").set_value(True).run()
    table = at.dataframe[-1].value
    assert list(table["代码"]) == ["W04"]
    assert table["本地区目标"].iloc[0] == "≥96" and table["规划默认目标"].iloc[0] == "≥94"


def test_history_page_rolls_back(demo, session_token):
    from dashboard.store import Store

    at = app("history", token=session_token("测试员", "city_editor"))
    no_exception(at)
    assert len(at.dataframe[0].value) == 2  # the demo values and the demo task reports
    # The demo values hold approved ones: refused until an approver re-opens them (issue 15).
    at.selectbox(key="rollback_batch").set_value(1).run()
    at.checkbox(key="rollback_sure").check()
    at.run()
    at.button(key="rollback_go").click().run()
    assert any("不能撤回" in e.value for e in at.error) and not at.success
    from dashboard.store.review import Action, Actor

    store = Store(os.environ["DASHBOARD_DB_URL"])
    store.change_review(Action.REOPEN, Actor("测试员"), batch_id=1, comment="重新导入")
    store.dispose()
    for batch in (2, 1):  # newest first
        at.selectbox(key="rollback_batch").set_value(batch).run()
        at.checkbox(key="rollback_sure").check()
        at.run()
        at.button(key="rollback_go").click().run()
        no_exception(at)
        assert any("已回滚" in s.value for s in at.success)
    store = Store(os.environ["DASHBOARD_DB_URL"])
    assert store.current_values().empty and store.current_task_reports().empty and not store.has_demo_data()
    store.dispose()
    at.switch_page("app_pages/overview.py").run()
    assert not any("示例数据" in w.value for w in at.warning)  # cache follows the database


def test_upload_page_shows_report_preview_and_commits(demo, session_token):
    from dashboard.reports.templates import template_frame
    from dashboard.rules import load_rules
    from dashboard.store import Store

    frame = template_frame(load_rules(ROOT / "rules"), "500116")
    frame.loc[frame["代码"] == "W02", "2026"] = "82.6"
    good = frame.to_csv(index=False).encode("utf-8-sig")
    at = app("upload", token=session_token("测试员", "city_editor"))
    no_exception(at)
    assert at.get("download_button"), "template download missing"
    if not hasattr(at, "file_uploader"):
        pytest.skip("this AppTest cannot drive st.file_uploader")
    at.file_uploader(key="upload_file").upload("jiangjin.csv", good, "text/csv").run()
    no_exception(at)
    assert any("校验通过" in s.value for s in at.success)
    assert any("新增 1 行" in m.value for m in at.markdown)
    at.button(key="confirm_upload").click().run()
    no_exception(at)
    assert any("已入库" in s.value for s in at.success)
    store = Store(os.environ["DASHBOARD_DB_URL"])
    assert len(store.current_values(years=[2026])) == 1
    assert store.batches()["uploader"].iloc[0] == "测试员"  # the signed-in user, not a typed name
    store.dispose()


def test_upload_page_reports_problems(demo, session_token):
    from dashboard.reports.templates import template_frame
    from dashboard.rules import load_rules

    frame = template_frame(load_rules(ROOT / "rules"), "500116")
    frame.loc[frame["代码"] == "W04", "2025"] = "abc"
    at = app("upload", token=session_token("测试员", "city_editor"))
    if not hasattr(at, "file_uploader"):
        pytest.skip("this AppTest cannot drive st.file_uploader")
    at.file_uploader(key="upload_file").upload(
        "bad.csv", frame.to_csv(index=False).encode("utf-8-sig"), "text/csv"
    ).run()
    no_exception(at)
    assert any("发现 1 个问题" in e.value for e in at.error)
    report = at.dataframe[0].value
    # Where, how serious, what — in words; the code (NOT_A_NUMBER) only in the downloaded report.
    assert list(report.columns) == ["位置", "类型", "说明"], list(report.columns)
    assert report.iloc[0].tolist()[1:] == ["错误（须改正）", "“abc”不是数字"]
    assert report.iloc[0, 0].startswith("第 ") and "“2025”列" in report.iloc[0, 0]
    assert "confirm_upload" not in [b.key for b in at.button]  # a file with errors cannot be stored


# ------------------------------------------------------------------------------ a database that fails
def test_a_database_failing_after_start_up_is_said_not_shown_as_no_data(demo):
    at = app("overview")
    no_exception(at)
    assert not at.error
    # The database file is damaged while the app runs (a disk fault, a botched restore).
    demo.write_bytes(b"this is not a database any more " * 4096)
    at.run()
    no_exception(at)
    shown = [e.value for e in at.error]
    assert len(shown) == 1 and shown[0].startswith("数据库暂时无法访问（"), shown
    assert not any("还没有数据" in i.value for i in at.info)
    # In English too, and with nothing of the library's own words.
    at.query_params["lang"] = "en"
    at.run()
    shown = [e.value for e in at.error]
    assert len(shown) == 1 and shown[0].startswith("The database (") and "sqlite3" not in shown[0], shown


def test_one_district_s_new_year_does_not_move_the_city_view(demo):
    # 江津区 reports 2026 before anyone else: the city stays on 2025 (its latest year with data), and
    # 江津区 opens on 2026; the city's 2026 is listed as a year without data, never shown as if it had.
    from dashboard.store import Store

    store = Store(f"sqlite:///{demo}")
    rows = pd.DataFrame({"area": ["500116"], "indicator": ["W02"], "year": [2026], "value": [82.6]})
    store.commit_rows(rows, uploader="test", file_name="2026.csv", sha256="x")
    store.dispose()
    at = app("overview")
    no_exception(at)
    assert at.title[0].value == "重庆市 · 2025年 规划实施进展"
    assert at.selectbox(key="w_year").value == 2025
    at = app("overview", area="500116")
    assert at.title[0].value == "江津区 · 2026年 规划实施进展"
    at = app("overview", area="500000", year="2026")
    no_exception(at)
    shown = " ".join(i.value for i in at.info)
    assert "2026" in shown and "2025" in shown, shown  # "no data for 2026 yet; the latest is 2025"


def test_overview_and_evaluation_show_the_committee_s_measures(demo, rules):
    # 达标率 on the overview equals achieved ÷ (indicators − no data), counted from the same statuses.
    at = app("overview", year="2024", area="500116")
    no_exception(at)
    first = {}
    for m in at.metric:  # the first row of counts is all 90 indicators (then binding, expected)
        first.setdefault(m.label, m.value)
    achieved, no_data = int(first["✔ 已达标"]), int(first["○ 无数据"])
    shown = next(m for m in at.metric if m.label == "全部指标")
    assert shown.value == f"{achieved / (90 - no_data) * 100:.1f}%"
    line = next(c.value for c in at.caption if c.value.startswith("评估分类："))
    assert line.startswith(f"评估分类：提前达标 {achieved} · 预期可达标 ") and line.endswith(f"无法判断 {no_data}")
    # The evaluation page: the four classes add up to the 90 indicators.
    at = app("evaluation", eval_year="2025", area="500116")
    no_exception(at)
    classes = {m.label: int(m.value) for m in at.metric}
    assert list(classes) == ["提前达标", "预期可达标", "预期难以达标", "无法判断"]
    assert sum(classes.values()) == 90


def test_indicator_page_says_which_rule_judged_the_row(demo, rules):
    from sqlalchemy import create_engine

    from dashboard.engine import evaluate

    engine = create_engine(f"sqlite:///{demo}")
    values = pd.read_sql("SELECT area, indicator, year, value FROM observations WHERE is_current", engine)
    engine.dispose()
    row = evaluate(rules, values, years=[2024], areas=["500101"]).set_index("indicator").loc["C19"]
    at = app("indicator", indicator="C19", year="2024", area="500101")
    no_exception(at)
    said = [i.value for i in at.info if "增速" in i.value or "已满足目标" in i.value]
    assert len(said) == 1, [i.value for i in at.info]
    if row["status"] == "achieved":
        assert said[0] == "2024年数值已满足目标，判为已达标。"
    else:  # C19 ≥98.2 is a target to reach: the ratio R of observed to required growth decides
        assert said[0].startswith("按2020–2024年的年均增速") and f"{row['ratio']:.2f} 倍" in said[0]
