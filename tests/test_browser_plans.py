"""Real-browser walk: a district whose own plan defines an indicator otherwise (issue 13).

The shipped rules plus ``overrides/wanzhou.yaml`` (the file ``test_area_definitions`` uses): 万州区
measures W34 as a coverage rate in % where the catalogue counts women enrolled in 万人, and does not
monitor W35. A leader opens 万州区's overview, clicks the menu to the indicator page, picks W34 in the
indicator list, and sees 万州区's own name, unit and the notice that its plan defines the row
otherwise; the city's view of the same indicator is the catalogue's; Back and Forward step through
the picks; the rules page shows the override with its note. In Chinese at 1920 px and in English at
1366 px; screenshots go to ``test-output/screenshots/``.
"""

from __future__ import annotations

import shutil

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, query, require_browser, serve, settle, shot
from test_area_definitions import PROJECT, WANZHOU

pytestmark = pytest.mark.browser

WORDS = {
    "zh": {
        "indicator_page": "指标详情",
        "rules_page": "规则",
        "picker": "指标",
        "own": "W34 女性基本养老保险参保率",
        "catalogue": "W34 基本养老保险女性参保人数",
        "differs": "万州区的规划对这项指标的定义与全市目录不同",
        "not_monitored": "万州区的规划不监测这项指标：万州区规划未列此项",
    },
    "en": {
        "indicator_page": "Indicator",
        "rules_page": "Rules",
        "picker": "Indicator",
        "own": "W34 Basic pension insurance coverage of women",
        "catalogue": "W34 Women enrolled in basic pension insurance",
        "differs": "plan defines this indicator otherwise than the catalogue",
        "not_monitored": "plan does not monitor this indicator",
    },
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_browser()
    folder = tmp_path_factory.mktemp("plans")
    rules = folder / "rules"
    shutil.copytree(PROJECT / "rules", rules)
    (rules / "overrides" / "wanzhou.yaml").write_text(WANZHOU, encoding="utf-8")
    with serve(folder, rules_dir=rules) as s:
        yield s


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _title(pg) -> str:
    return pg.locator("h1").first.inner_text()


def _menu(pg, label: str) -> None:
    pg.locator('[data-testid="stSidebar"] [data-testid="stPageLink"]').filter(has_text=label).first.click()
    settle(pg)


def _pick_indicator(pg, label: str, code: str) -> None:
    box = pg.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    box.click()
    pg.keyboard.type(code)
    pg.get_by_role("option").filter(has_text=code).first.click()
    settle(pg)


@pytest.mark.parametrize(("lang", "width"), [("zh", 1920), ("en", 1366)])
def test_a_district_s_own_definition_by_clicking(server, browser, lang, width):
    w = WORDS[lang]
    context = browser.new_context(viewport={"width": width, "height": 1000}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(45_000)
    suffix = "&lang=en" if lang == "en" else ""
    pg.goto(server.base + f"/?year=2024&area=500101{suffix}")
    settle(pg)
    _menu(pg, w["indicator_page"])
    assert query(pg).get("area") == "500101", pg.url
    _pick_indicator(pg, w["picker"], "W34")
    assert query(pg)["indicator"] == "W34", pg.url
    assert _title(pg) == w["own"]
    body = pg.locator('[data-testid="stMain"]').inner_text()
    assert w["differs"] in body and "%" in body
    shot(pg, f"plans_own_definition_{lang}_{width}")
    # The indicator it does not monitor says so, with the plan's reason.
    _pick_indicator(pg, w["picker"], "W35")
    assert query(pg)["indicator"] == "W35", pg.url
    assert w["not_monitored"] in pg.locator('[data-testid="stMain"]').inner_text()
    # Back: one pick undone, the district's W34 again; Forward: W35.
    pg.go_back()
    settle(pg)
    assert query(pg)["indicator"] == "W34" and _title(pg) == w["own"]
    pg.go_forward()
    settle(pg)
    assert query(pg)["indicator"] == "W35"
    assert w["not_monitored"] in pg.locator('[data-testid="stMain"]').inner_text()
    # The city's view of W34 is the catalogue's: its name, no notice.
    pg.goto(server.base + f"/indicator?year=2024&area=500000&indicator=W34{suffix}")
    settle(pg)
    assert _title(pg) == w["catalogue"]
    assert w["differs"] not in pg.locator('[data-testid="stMain"]').inner_text()
    # The rules page, for 万州区 (the table itself is drawn on a canvas: its rows are checked by
    # test_area_definitions; here the click path, and the screenshot to look at).
    pg.goto(server.base + f"/?year=2024&area=500101{suffix}")
    settle(pg)
    _menu(pg, w["rules_page"])
    assert query(pg).get("area") == "500101", pg.url
    pg.locator('[data-testid="stDataFrame"]').last.scroll_into_view_if_needed()
    settle(pg)
    shot(pg, f"plans_rules_page_{lang}_{width}")
    context.close()
