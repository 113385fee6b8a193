"""Back, Forward, the menu and a reload in a real browser: what a page shows is what its address says.

The indicator page opened from the menu (no ``indicator=`` in the address) shows the first
indicator; W04 picked writes ``?indicator=W04``; Back shows the first indicator again (the view that
was there, not the choice just made), Forward W04; the menu to the overview and back opens the
indicator page with ``indicator=W04`` in the address (the indicator last looked at), and a reload
keeps it. The same for the tasks page's unit filter. In Chinese at 1920 px and in English at 1366 px;
screenshots go to ``test-output/screenshots/``.
"""

from __future__ import annotations

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, path, query, require_browser, serve, settle, shot

pytestmark = pytest.mark.browser

WORDS = {
    "zh": {
        "overview": "总览",
        "indicator_page": "指标详情",
        "tasks_page": "重点任务",
        "picker": "指标",
        "unit": "单位",
        "all": "全部",
        "health": "市卫生健康委",
        "first": "W01 婚前医学检查率",
        "chosen": "W04 孕产妇系统管理率",
    },
    "en": {
        "overview": "Overview",
        "indicator_page": "Indicator",
        "tasks_page": "Key tasks",
        "picker": "Indicator",
        "unit": "Unit",
        "all": "All",
        "health": "Chongqing Municipal Health Commission",
        "first": "W01 Premarital medical examination rate",
        "chosen": "W04 Systematic maternal health management rate",
    },
}
HEIGHT = {1920: 1080, 1366: 768}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_browser()
    with serve(tmp_path_factory.mktemp("selection")) as s:
        yield s


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _settle(pg) -> None:
    settle(pg, extra_ms=150)


def _menu(pg, label: str) -> None:
    pg.locator('[data-testid="stSidebar"] [data-testid="stPageLink"]').filter(has_text=label).first.click()
    _settle(pg)


def _combobox(pg, label: str):
    return pg.locator('[data-testid="stSelectbox"]').get_by_role("combobox", name=label, exact=True).first


def _pick(pg, label: str, typed: str, option: str) -> None:
    _combobox(pg, label).click()
    pg.keyboard.type(typed)
    pg.get_by_role("option").filter(has_text=option).first.click()
    _settle(pg)


def _title(pg) -> str:
    return pg.locator("h1").first.inner_text()


def _back(pg) -> None:
    pg.go_back()
    _settle(pg)


def _forward(pg) -> None:
    pg.go_forward()
    _settle(pg)


@pytest.mark.parametrize(("lang", "width"), [("zh", 1920), ("en", 1366)])
def test_back_forward_menu_and_reload_show_what_the_address_says(server, browser, lang, width):
    w = WORDS[lang]
    context = browser.new_context(viewport={"width": width, "height": HEIGHT[width]}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(45_000)
    pg.goto(server.base + "/?year=2024" + ("&lang=en" if lang == "en" else ""))
    settle(pg, fresh=True, extra_ms=150)

    # The indicator page from the menu: no indicator in the address, the first one shown.
    _menu(pg, w["indicator_page"])
    assert path(pg) == "/indicator" and "indicator" not in query(pg), pg.url
    assert _title(pg) == w["first"]
    _pick(pg, w["picker"], "W04", "W04")
    assert query(pg)["indicator"] == "W04" and _title(pg) == w["chosen"], pg.url
    _back(pg)  # the first change undone
    assert "indicator" not in query(pg) and _title(pg) == w["first"], pg.url
    assert _combobox(pg, w["picker"]).input_value() == w["first"]
    shot(pg, f"selection_back_{lang}_{width}")
    _forward(pg)
    assert query(pg)["indicator"] == "W04" and _title(pg) == w["chosen"], pg.url
    # Away through the menu and back: the indicator last looked at, in the address.
    _menu(pg, w["overview"])
    assert path(pg) == "/" and "indicator" not in query(pg), pg.url
    _menu(pg, w["indicator_page"])
    assert path(pg) == "/indicator" and query(pg)["indicator"] == "W04", pg.url
    assert _title(pg) == w["chosen"]
    pg.reload()
    settle(pg, fresh=True, extra_ms=150)
    assert query(pg)["indicator"] == "W04" and _title(pg) == w["chosen"], pg.url
    shot(pg, f"selection_menu_back_{lang}_{width}")

    # The tasks page's unit filter: the same rule.
    _menu(pg, w["tasks_page"])
    assert path(pg) == "/tasks" and "task_unit" not in query(pg), pg.url
    assert _combobox(pg, w["unit"]).input_value() == w["all"]
    everything = pg.locator('[data-testid="stMain"] h3').first.inner_text()
    _pick(pg, w["unit"], w["health"][:4], w["health"])
    assert query(pg)["task_unit"] == "cq_health", pg.url
    filtered = pg.locator('[data-testid="stMain"] h3').first.inner_text()
    assert filtered != everything
    _back(pg)
    assert "task_unit" not in query(pg), pg.url
    assert _combobox(pg, w["unit"]).input_value() == w["all"]
    assert pg.locator('[data-testid="stMain"] h3').first.inner_text() == everything
    _forward(pg)
    assert query(pg)["task_unit"] == "cq_health" and _combobox(pg, w["unit"]).input_value() == w["health"]
    _menu(pg, w["indicator_page"])
    assert query(pg)["indicator"] == "W04", pg.url  # each page keeps its own choices
    _menu(pg, w["tasks_page"])
    assert query(pg)["task_unit"] == "cq_health", pg.url
    assert pg.locator('[data-testid="stMain"] h3').first.inner_text() == filtered
    pg.reload()
    settle(pg, fresh=True, extra_ms=150)
    assert _combobox(pg, w["unit"]).input_value() == w["health"]
    shot(pg, f"selection_tasks_{lang}_{width}")
    context.close()
