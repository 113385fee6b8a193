"""Real-browser test: ``streamlit run`` on a free port, driven by Playwright with Debian's chromium.

Opens the overview and an indicator page, the tasks, task and units pages, the early-warning and
evaluation pages (and builds the Word report there); checks that an anonymous visitor opening
``/upload`` is refused; signs in with the documented demo account, uploads a file through the upload
page and confirms it, then checks the history. Screenshots go to ``test-output/screenshots/`` (look at them: the pages
must read well on a projector). Skips with a clear message when /usr/bin/chromium or the
playwright package is missing (``.ci/run`` installs chromium; requirements-dev has playwright).
"""

from __future__ import annotations

import shutil
import urllib.parse
from pathlib import Path

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, SHOTS, require_browser, serve, settle, sign_in

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_browser()
    with serve(tmp_path_factory.mktemp("browser")) as s:
        yield {"base": s.base, "url": s.url}


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1600, "height": 1800}, locale="zh-CN")
        pg = context.new_page()
        pg.set_default_timeout(30_000)
        yield pg
        context.close()
        browser.close()


def _settle(pg) -> None:
    settle(pg, extra_ms=800)


def test_overview(server, page):
    page.goto(server["base"] + "/overview")
    page.get_by_text("规划实施进展").first.wait_for()
    page.get_by_text("示例数据 / demo data").first.wait_for()
    page.locator('[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]').first.wait_for()
    _settle(page)
    page.screenshot(path=str(SHOTS / "overview.png"), full_page=True)
    assert page.get_by_text("需要关注").count() >= 1


def test_overview_presentation_link(server, page):
    page.goto(server["base"] + "/overview?year=2024&area=500116&present=1")
    page.get_by_text("江津区 · 2024年").first.wait_for()
    _settle(page)
    assert page.locator('[data-testid="stSelectbox"]').count() == 0  # controls hidden
    page.screenshot(path=str(SHOTS / "overview_presentation.png"), full_page=True)


def test_indicator_page_english(server, page):
    page.goto(server["base"] + "/indicator?indicator=W03&areas=500000,500116&lang=en")
    page.get_by_text("Maternal mortality ratio").first.wait_for()
    page.get_by_text("WP2020-05").first.wait_for()  # the linked tasks, with lead units
    _settle(page)
    page.screenshot(path=str(SHOTS / "indicator_en.png"), full_page=True)


def _chart_box(page, k: int) -> dict:
    chart = page.locator('[data-testid="stVegaLiteChart"]').nth(k)
    chart.locator("canvas, svg").first.wait_for()
    box = chart.bounding_box()
    assert box is not None and box["height"] > 200  # drawn, not an empty frame
    return box


def test_district_map_and_grid_open_an_area_by_a_click(server, page):
    page.goto(server["base"] + "/district?year=2025")
    page.get_by_text("区县 × 指标 状态表").first.wait_for()
    _settle(page)
    page.screenshot(path=str(SHOTS / "district.png"), full_page=True)
    # The map: a click on a district opens that district's overview.
    box = _chart_box(page, 0)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.45)
    _settle(page)
    assert "area=" in page.url and "/district" not in page.url, page.url
    page.go_back()
    _settle(page)
    # The grid: a click on a row opens that area's overview.
    # Only the open tab is drawn: the grid's tab puts itself in the address and draws the grid alone.
    page.get_by_role("tab", name="区县 × 指标 状态表").click()
    _settle(page)
    assert "tab=grid" in page.url, page.url
    box = _chart_box(page, 0)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + 230)
    _settle(page)
    assert "area=" in page.url and "/district" not in page.url, page.url
    area = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)["area"][0]
    page.get_by_text("规划实施进展").first.wait_for()
    assert area != "500000"  # a district's row, not the city's
    # Back returns to the grid's tab, not to the map.
    page.go_back()
    _settle(page)
    assert "tab=grid" in page.url, page.url
    assert page.get_by_role("tab", name="区县 × 指标 状态表").get_attribute("aria-selected") == "true"


def test_tasks_task_and_units_pages(server, page):
    source = "重庆市人民政府妇女儿童工作委员会2020年工作要点（渝府妇儿工委发〔2020〕1号）"
    page.goto(server["base"] + "/tasks?" + urllib.parse.urlencode({"task_source": source}))
    page.get_by_text("共 19 项任务").first.wait_for()
    _settle(page)
    page.screenshot(path=str(SHOTS / "tasks.png"), full_page=True)
    page.get_by_text("WP2020-05 稳控妇幼健康重点指标").first.click()
    page.get_by_text("任务详情 · WP2020-05").first.wait_for()
    page.get_by_text("量化目标与完成情况").first.wait_for()
    _settle(page)
    assert "task=WP2020-05" in page.url
    page.screenshot(path=str(SHOTS / "task.png"), full_page=True)
    page.goto(server["base"] + "/units?unit=cq_health&year=2025")
    page.get_by_text("所服务指标的状态").first.wait_for()
    page.get_by_text("WP2020-05 稳控妇幼健康重点指标").first.wait_for()
    _settle(page)
    page.screenshot(path=str(SHOTS / "units.png"), full_page=True)


def test_warnings_page(server, page):
    page.goto(server["base"] + "/warnings?year=2025&areas=500000,500116&binding=1")
    page.get_by_text("预警 · 2025年").first.wait_for()
    page.get_by_text("江津区 (").first.wait_for()
    _settle(page)
    page.screenshot(path=str(SHOTS / "warnings.png"), full_page=True)


def test_evaluation_page_and_word_report(server, page):
    page.goto(server["base"] + "/evaluation")
    page.get_by_text("规划实施评估 · 中期评估").first.wait_for()
    page.get_by_text("分领域小结").first.wait_for()
    _settle(page)
    page.screenshot(path=str(SHOTS / "evaluation.png"), full_page=True)
    page.get_by_role("button", name="生成 Word 报告").click()
    button = page.get_by_role("button", name="下载 Word 报告")
    button.wait_for(timeout=60_000)
    with page.expect_download() as info:
        button.click()
    path = info.value.path()
    assert info.value.suggested_filename == "report_500000_2025_zh.docx"
    assert Path(path).read_bytes()[:2] == b"PK"
    if shutil.which("soffice"):  # the PDF beside it, made by LibreOffice on the server
        with page.expect_download() as info:
            page.get_by_role("button", name="下载 PDF 报告").click()
        assert info.value.suggested_filename == "report_500000_2025_zh.pdf"
        assert Path(info.value.path()).read_bytes()[:5] == b"%PDF-"
    # The committee's measures, then each indicator's change, opened by a click.
    main = page.locator('[data-testid="stMain"]')
    assert "提前达标" in main.inner_text() and "达标率：" in main.inner_text()
    page.get_by_text("逐项说明（90 项指标").click()
    page.get_by_text("W01 婚前医学检查率").first.wait_for()
    assert "2025年为" in main.inner_text() and "比2020年" in main.inner_text()


def test_anonymous_upload_url_is_refused(server, page):
    page.goto(server["base"] + "/upload")
    page.get_by_text("数据上传").first.wait_for()
    page.get_by_text("未登录用户（查看者）无权上传数据").first.wait_for()
    _settle(page)
    assert page.locator('input[type="file"]').count() == 0
    menu = page.locator(".st-key-app_menu")
    assert menu.get_by_text("总览").count() == 1  # the menu is there …
    assert menu.get_by_text("数据上传").count() == 0  # … without the upload page
    page.screenshot(path=str(SHOTS / "upload_refused.png"), full_page=True)


def test_upload_through_the_page(server, page):
    from dashboard.reports.templates import template_frame
    from dashboard.rules import load_rules
    from dashboard.store import Store

    rules = load_rules(ROOT / "rules")
    frame = template_frame(rules, "500116")
    frame.loc[frame["代码"] == "W02", "2026"] = "82.6"
    frame.loc[frame["代码"] == "W04", "2026"] = "95.1"
    upload = SHOTS.parent / "browser_upload.csv"
    upload.write_bytes(frame.to_csv(index=False).encode("utf-8-sig"))

    page.goto(server["base"] + "/upload")
    page.get_by_text("未登录用户").first.wait_for()  # refused until signed in
    sign_in(page, "demo", "demo-only-2030")
    page.get_by_text("演示账号 demo account — 仅限本机演示").first.wait_for()
    page.get_by_text("下载填报模板").first.wait_for()
    page.get_by_text("上传人：demo").first.wait_for()
    page.locator('input[type="file"]').set_input_files(str(upload))
    page.get_by_text("校验通过").first.wait_for()
    page.get_by_text("变更预览").first.wait_for()
    _settle(page)
    page.screenshot(path=str(SHOTS / "upload_preview.png"), full_page=True)
    page.get_by_role("button", name="确认入库").click()
    page.get_by_text("已入库").first.wait_for()
    _settle(page)
    page.screenshot(path=str(SHOTS / "upload_done.png"), full_page=True)

    store = Store(server["url"])
    values = store.current_values(areas=["500116"], years=[2026])
    store.dispose()
    assert sorted(values["indicator"]) == ["W02", "W04"]

    # Through the menu, as a reader does (a full page load would stay signed in: the session cookie).
    page.locator(".st-key-app_menu").get_by_text("上传记录").click()
    page.get_by_text("每次上传都是一个批次").first.wait_for()
    page.get_by_text("browser_upload.csv").first.wait_for(state="attached")  # grid cells are drawn on canvas
    _settle(page)
    page.screenshot(path=str(SHOTS / "history.png"), full_page=True)


def test_admin_pages_for_the_demo_account(server, page):
    page.context.clear_cookies()  # the session cookie would keep the upload test's sign-in
    page.goto(server["base"] + "/overview")  # a new browser session, signed out
    page.get_by_text("规划实施进展").first.wait_for()
    sign_in(page, "demo", "demo-only-2030")
    nav = page.locator(".st-key-app_menu")
    nav.get_by_text("用户", exact=True).click()
    page.get_by_text("用户列表").first.wait_for()
    page.get_by_text("重设密码").first.wait_for()
    _settle(page)
    page.screenshot(path=str(SHOTS / "users.png"), full_page=True)
    nav.get_by_text("审计日志").click()
    page.get_by_text("每次登录、上传、回滚和用户变更的记录").first.wait_for()
    _settle(page)
    page.screenshot(path=str(SHOTS / "audit.png"), full_page=True)
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="退出登录").click()
    page.get_by_text("已退出登录").first.wait_for()
    _settle(page)
    assert "无权查看审计日志" in page.locator('[data-testid="stMain"]').inner_text()
