"""The leader's meeting, walked in a real browser by clicking: the view keeps its place.

Chromium at 1920×1080 (a projector) and 1366×768 (a laptop), through the menu, the cards, the links and
the browser's Back button, a shared link opened in a fresh browser, presentation mode, a broken rules
file while the app is serving, and a screenshot of every page in both languages at both widths.
"""

from __future__ import annotations

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, path, query, require_browser, serve, settle, shot, sign_in
from page_names import PUBLIC

pytestmark = pytest.mark.browser

PAGES = PUBLIC
EXTRA = {"task": "&task=WP2020-05", "units": "&unit=cq_health", "indicator": "&indicator=W03"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_browser()
    with serve(tmp_path_factory.mktemp("journey"), copy_rules=True) as s:
        yield s


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_page(browser, width: int = 1920, height: int = 1080):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(45_000)
    return context, page


def title(pg) -> str:
    return pg.locator("h1").first.inner_text()


def picker(pg, label: str) -> str:
    """The value a selectbox shows, found by its label."""
    # Streamlit's selectbox is a combobox whose input holds the chosen option's text.
    return pg.locator('[data-testid="stSelectbox"]').get_by_role("combobox", name=label, exact=True).first.input_value()


def assert_place(pg, page_path: str, year: str = "2024", area: str = "500116") -> None:
    assert path(pg) == page_path, pg.url
    q = query(pg)
    assert q.get("year") == year and q.get("area") == area, pg.url
    assert picker(pg, "年份") == year


def menu(pg, label: str) -> None:
    pg.locator('[data-testid="stSidebar"] [data-testid="stPageLink"]').filter(has_text=label).first.click()
    settle(pg)


def test_leaders_journey_by_clicking_and_back(server, browser):
    context, pg = open_page(browser)
    pg.goto(server.base + "/?year=2024&area=500116")
    settle(pg)
    assert title(pg) == "江津区 · 2024年 规划实施进展"
    assert picker(pg, "年份") == "2024" and picker(pg, "地区") == "江津区"
    overview = pg.locator('[data-testid="stMain"]').inner_text()
    assert "达标率" in overview and "评估分类：提前达标" in overview  # the committee's own measures
    shot(pg, "journey_1_overview")

    menu(pg, "分领域")
    assert_place(pg, "/domain")
    assert "江津区 · 2024" in title(pg)
    pg.locator('[data-testid="stPageLink"]').filter(has_text="详情 →").first.click()
    settle(pg)
    assert_place(pg, "/indicator")
    assert query(pg)["indicator"] == "W01" and title(pg).startswith("W01 ")
    said = pg.locator('[data-testid="stMain"] [data-testid="stAlert"]').all_inner_texts()
    assert any("判为" in x or "增速" in x or "年均变化" in x for x in said), said  # which rule judged it
    shot(pg, "journey_2_indicator")

    # W01 is moved by the 2020 work plan's task 6, led by the health commission.
    pg.locator('[data-testid="stMain"] [data-testid="stPageLink"]').filter(has_text="WP2020-06").first.click()
    settle(pg)
    assert_place(pg, "/task")
    task = query(pg)["task"]
    assert title(pg) == f"任务详情 · {task}"
    assert task == "WP2020-06"
    pg.locator('[data-testid="stMain"] [data-testid="stPageLink"]').filter(has_text="市卫生健康委").first.click()
    settle(pg)
    assert_place(pg, "/units")
    assert query(pg)["unit"] == "cq_health"
    shot(pg, "journey_3_unit")

    # Back: one press per page, each page as it was.
    for expected in ("/task", "/indicator", "/domain", "/"):
        pg.go_back()
        settle(pg)
        assert path(pg) == expected, pg.url
        assert query(pg).get("year") == "2024" and query(pg).get("area") == "500116", pg.url
        assert picker(pg, "年份") == "2024"
    assert title(pg) == "江津区 · 2024年 规划实施进展"
    context.close()


def test_breadcrumbs_lead_back_to_the_domain_and_the_overview(server, browser):
    context, pg = open_page(browser)
    pg.goto(server.base + "/indicator?indicator=W03&year=2024&area=500116")
    settle(pg)
    pg.locator('[data-testid="stMain"] [data-testid="stPageLink"]').filter(has_text="妇女与健康 ›").first.click()
    settle(pg)
    assert_place(pg, "/domain")
    assert query(pg)["domain"] == "W:health"
    pg.locator('[data-testid="stMain"] [data-testid="stPageLink"]').filter(has_text="总览 ›").first.click()
    settle(pg)
    assert_place(pg, "/")  # the overview is the app's default page: its address is the root
    assert title(pg) == "江津区 · 2024年 规划实施进展"
    context.close()


def test_picker_change_is_one_step_of_history(server, browser):
    context, pg = open_page(browser)
    pg.goto(server.base + "/?year=2024&area=500116")
    settle(pg)
    pg.locator('[data-testid="stSelectbox"]').filter(has_text="年份").first.click()
    pg.get_by_role("option", name="2022", exact=True).click()
    settle(pg)
    assert query(pg)["year"] == "2022" and title(pg) == "江津区 · 2022年 规划实施进展"
    menu(pg, "预警")
    assert query(pg)["year"] == "2022"
    pg.go_back()
    settle(pg)
    assert title(pg) == "江津区 · 2022年 规划实施进展"
    pg.go_back()
    settle(pg)
    assert title(pg) == "江津区 · 2024年 规划实施进展"
    context.close()


def test_shared_link_opens_the_same_view_in_a_fresh_browser(server, browser):
    context, pg = open_page(browser)
    pg.goto(server.base + "/indicator?indicator=W03&year=2024&area=500116&lang=en")
    settle(pg)
    assert title(pg) == "W03 Maternal mortality ratio"
    assert picker(pg, "Year") == "2024"
    pg.locator('[data-testid="stSidebar"] [data-testid="stPageLink"]').filter(has_text="Overview").first.click()
    settle(pg)
    q = query(pg)
    assert (q.get("lang"), q.get("year"), q.get("area")) == ("en", "2024", "500116")
    assert title(pg) == "Jiangjin District · progress in 2024"
    shot(pg, "shared_link_overview_en")
    context.close()


def test_presentation_mode_is_large_and_keeps_the_place(server, browser):
    context, pg = open_page(browser)
    pg.goto(server.base + "/?year=2024&area=500116")
    settle(pg)
    pg.get_by_role("button", name="演示模式").click()
    settle(pg)
    assert query(pg).get("present") == "1"
    assert pg.locator('[data-testid="stSidebar"] [data-testid="stPageLink"]').count() == 0  # no menu
    assert pg.locator('[data-testid="stSelectbox"]').count() == 0  # no controls
    # The size of the figure as drawn: the innermost text element, not the metric's box.
    sizes = pg.locator('[data-testid="stMetricValue"]').evaluate_all(
        "es => es.map(e => parseFloat(getComputedStyle(e.querySelector('p') || e).fontSize))"
    )
    assert sizes and min(sizes) >= 32, sizes
    shot(pg, "presentation_overview")
    pg.get_by_role("button", name="退出演示模式").click()
    settle(pg)
    assert "present" not in query(pg) and picker(pg, "年份") == "2024"
    context.close()


def test_every_page_in_both_languages_at_both_widths(server, browser):
    """Screenshots for a person to look at; at 1366 px no page runs off the right edge."""
    for width, _height in ((1920, 1080), (1366, 768)):
        context, pg = open_page(browser, width, 2200)
        for lang in ("zh", "en"):
            for page in PAGES:
                suffix = "&lang=en" if lang == "en" else ""
                pg.goto(f"{server.base}/{page}?year=2024&area=500116{EXTRA.get(page, '')}{suffix}")
                settle(pg, fresh=True)
                assert pg.locator('[data-testid="stException"]').count() == 0, (page, lang)
                assert pg.locator('[data-testid="stMain"] h1').count() >= 1, (page, lang)  # drawn, not blank
                overflow = pg.evaluate(
                    "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
                    " return m.scrollWidth - m.clientWidth; }"
                )
                assert overflow <= 2, (page, lang, width, overflow)
                # No metric's value or label is cut short ("8.4 per 10…"): each shows all its text.
                cut = pg.evaluate(
                    "() => [...document.querySelectorAll("
                    '\'[data-testid="stMetricValue"], [data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"]\')]'
                    ".filter(e => e.scrollWidth > e.clientWidth + 1 ||"
                    " [...e.querySelectorAll('*')].some(c => c.scrollWidth > c.clientWidth + 1))"
                    ".map(e => e.innerText)"
                )
                assert cut == [], (page, lang, width, cut)
                shot(pg, f"{page}_{lang}_{width}")
        context.close()
    context, pg = open_page(browser, 390, 2400)  # a phone: usable, not designed for
    pg.goto(f"{server.base}/?year=2024&area=500116")
    settle(pg)
    shot(pg, "overview_zh_390")
    context.close()


def test_a_broken_rules_file_does_not_shrink_the_view(server, browser):
    context, pg = open_page(browser)
    pg.goto(server.base + "/?year=2024&area=500116")
    settle(pg)
    assert "全部指标（共 90 项）" in pg.locator('[data-testid="stMain"]').inner_text()
    women = server.rules / "indicators" / "01_women.yaml"
    good = women.read_text(encoding="utf-8")
    broken = good.replace("\n    name_zh: 婚前医学检查率", "\n      name_zh: 婚前医学检查率", 1)
    assert broken != good
    women.write_text(broken, encoding="utf-8")
    try:
        pg.reload()
        settle(pg)
        main = pg.locator('[data-testid="stMain"]').inner_text()
        assert "全部指标（共 90 项）" in main  # the last good rules stay in use
        assert "规则正在更新" in main and "01_women.yaml" not in main  # viewers are not shown the details
        pg.goto(server.base + "/indicator?indicator=W99&year=2024&area=500116")
        settle(pg)
        assert "链接中的指标“W99”不存在" in pg.locator('[data-testid="stMain"]').inner_text()
        sign_in(pg, "demo", "demo-only-2030")
        pg.locator('[data-testid="stSidebar"] [data-testid="stPageLink"]').filter(has_text="总览").first.click()
        settle(pg)
        main = pg.locator('[data-testid="stMain"]').inner_text()
        assert "rules/indicators/01_women.yaml:" in main and "YAML_SYNTAX" in main  # the maintainer sees where
        assert "全部指标（共 90 项）" in main
        shot(pg, "rules_broken_admin_banner")
    finally:
        women.write_text(good, encoding="utf-8")
    context.close()
