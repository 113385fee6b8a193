"""Real-browser walk of the completeness page (issue 15): signed in as the demo account, the menu
opens 填报完整性, a unit is picked (the link follows), and the chase list downloads as the CSV a
clerk sends out — only that unit's missing values, each absent from the database, and its returned
values, each stored as returned."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from browser_support import SHOTS, browser_page, query, require_browser, serve, settle, sign_in

from dashboard.messages import t
from dashboard.store import Store

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_browser()
    with serve(tmp_path_factory.mktemp("completeness")) as s:
        yield {"base": s.base, "url": s.url}


def test_menu_unit_filter_and_chase_list_download(server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with browser_page(1600, 1800, "zh-CN", accept_downloads=True) as pg:
        pg.goto(server["base"] + "/overview?year=2024")
        pg.get_by_text("规划实施进展").first.wait_for()
        menu = pg.locator(".st-key-app_menu")
        assert menu.get_by_text("填报完整性").count() == 0  # not for anonymous readers
        sign_in(pg, "demo", "demo-only-2030")
        pg.get_by_text("已登录").first.wait_for()
        settle(pg, extra_ms=800)
        # The overview's reminder for the office, then the page through the menu.
        pg.get_by_text("2024 年还有").first.wait_for()
        menu.get_by_text("填报完整性").click()
        pg.get_by_text("催报清单（未报、退回）").first.wait_for()
        settle(pg, extra_ms=800)
        assert query(pg).get("year") == "2024"

        pg.locator('[data-testid="stSelectbox"]').filter(has_text="单位").first.click()
        pg.get_by_role("option", name="市卫生健康委", exact=True).click()
        pg.wait_for_url("**unit=cq_health**")
        settle(pg, extra_ms=800)
        pg.screenshot(path=str(SHOTS / "completeness_unit.png"), full_page=True)
        with pg.expect_download() as info:
            pg.get_by_role("button", name="下载催报清单（CSV）").click()
        assert info.value.suggested_filename == "chase_list_2024_cq_health.csv"
        raw = Path(info.value.path()).read_bytes()
        # The files are made when the button is clicked (not on every run): the Excel one too.
        with pg.expect_download() as info_xlsx:
            pg.get_by_role("button", name="下载催报清单（Excel）").click()
        assert info_xlsx.value.suggested_filename == "chase_list_2024_cq_health.xlsx"
        workbook = Path(info_xlsx.value.path()).read_bytes()

    assert raw[:3] == b"\xef\xbb\xbf"  # UTF-8 with BOM: Excel on Chinese Windows opens it
    chase = pd.read_csv(io.BytesIO(raw), dtype=str, encoding="utf-8-sig")
    assert len(chase) > 0 and set(chase["单位代码"]) == {"cq_health"} and set(chase["状态"]) <= {"未报", "退回"}
    sheet = pd.read_excel(io.BytesIO(workbook), dtype=str)
    assert sheet.fillna("").values.tolist() == chase.fillna("").values.tolist()  # the same list in both files
    store = Store(server["url"])
    stored = store.current_values(years=[2024])
    store.dispose()
    review = dict(zip(zip(stored["area"].astype(str), stored["indicator"].astype(str)), stored["review"]))
    for area, indicator, state in zip(chase["区县代码"], chase["指标代码"], chase["状态"]):
        assert review.get((area, indicator)) == (None if state == "未报" else "returned")


def test_stating_a_value_not_obtainable_by_clicking_in_english(server):
    """The demo account (a city editor) opens the form under the tables, picks the first missing value,
    types the reason and states it: the value leaves the chase list and is stored as a statement; the
    English page at 1366 px."""
    store = Store(server["url"])
    before = len(store.not_obtainable(years=[2024]))
    store.dispose()
    with browser_page(1366, 1400, "en-GB") as pg:
        pg.goto(server["base"] + "/completeness?year=2024&lang=en")
        settle(pg, fresh=True)
        sign_in(pg, "demo", "demo-only-2030", "en")
        pg.get_by_text("Signed in").first.wait_for()
        settle(pg, extra_ms=800)
        pg.get_by_text("State that a value cannot be obtained").first.click()
        settle(pg, extra_ms=400)
        picked = pg.locator('[data-testid="stSelectbox"]').filter(has_text="Missing value").first
        picked.wait_for()
        reason = pg.get_by_label("Reason (required)")
        reason.fill("No survey was run this year")
        reason.press("Enter")
        settle(pg, extra_ms=400)
        pg.get_by_role("button", name="State it cannot be obtained").click()
        done = pg.get_by_text("Stated as not obtainable:").first
        done.wait_for()
        choice = done.inner_text()  # names the value picked
        settle(pg, extra_ms=600)
        pg.screenshot(path=str(SHOTS / "completeness_not_obtainable_en_1366.png"), full_page=True)
    store = Store(server["url"])
    stated = store.not_obtainable(years=[2024])
    store.dispose()
    assert len(stated) == before + 1
    mine = stated[stated["reason"] == "No survey was run this year"]
    assert len(mine) == 1
    assert mine["indicator"].iloc[0] in choice, choice  # the value picked


def test_withdrawing_a_statement_by_clicking_in_chinese(server):
    """The demo account withdraws one of the demo's statements for 2025 (zh, 1920 px): the statement
    is gone from the store, and the page names the value it withdrew."""
    store = Store(server["url"])
    before = store.not_obtainable(years=[2025])
    store.dispose()
    assert len(before) >= 1  # the demo states some values of its latest year not obtainable
    with browser_page(1920, 1400, "zh-CN") as pg:
        pg.goto(server["base"] + "/completeness?year=2025")
        settle(pg, fresh=True)
        sign_in(pg, "demo", "demo-only-2030")
        pg.get_by_text("已登录").first.wait_for()
        settle(pg, extra_ms=800)
        pg.locator('[data-testid="stExpander"]').filter(has_text="声明无法取得").first.locator("summary").click()
        settle(pg, extra_ms=400)
        pg.locator('[data-testid="stSelectbox"]').filter(has_text="已声明无法取得的数值").first.wait_for()
        pg.get_by_role("button", name="撤回声明").click()
        done = pg.get_by_text("已撤回无法取得的声明：").first
        done.wait_for()
        message = done.inner_text()
        settle(pg, extra_ms=600)
        pg.screenshot(path=str(SHOTS / "completeness_withdraw_zh_1920.png"), full_page=True)
    store = Store(server["url"])
    after = store.not_obtainable(years=[2025])
    store.dispose()
    assert len(after) == len(before) - 1
    gone = set(zip(before["area"], before["indicator"])) - set(zip(after["area"], after["indicator"]))
    assert len(gone) == 1 and next(iter(gone))[1] in message, (gone, message)


def test_the_english_page_by_the_menu_and_a_state_picked_by_clicking(server):
    """A clerk reading English (1366 px) opens 填报完整性 from the menu: its figures and headings are
    labels in sentence case, like every other page's, none of them cut; picking a state in the filter
    puts it in the address, and the options read as labels too."""
    with browser_page(1366, 1400, "en-GB") as pg:
        pg.goto(server["base"] + "/overview?year=2024&lang=en")
        settle(pg, fresh=True)
        sign_in(pg, "demo", "demo-only-2030", "en")
        pg.locator(".st-key-app_menu").get_by_text(t("page_completeness", "en"), exact=True).click()
        pg.get_by_text(t("completeness_chase_list", "en")).first.wait_for()
        settle(pg, extra_ms=800)
        assert query(pg).get("year") == "2024"
        labels = pg.locator('[data-testid="stMetricLabel"]').all_inner_texts()
        assert {"Due", "Completeness rate", "Approved share", "Returned"} <= {s.strip() for s in labels}, labels
        for heading in ("By unit", "By area"):
            assert pg.get_by_role("heading", name=heading).count() == 1, heading
        cut = pg.evaluate(
            '() => [...document.querySelectorAll(\'[data-testid="stMetricLabel"], [data-testid="stMetricValue"]\')]'
            ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"
        )
        assert cut == [], cut

        states = pg.locator(".st-key-w_state").get_by_role("combobox")
        assert states.input_value() == "All states"
        states.click()
        pg.get_by_role("option", name="Returned", exact=True).click()
        pg.wait_for_url("**state=returned**")
        settle(pg, extra_ms=800)
        assert pg.locator(".st-key-w_state").get_by_role("combobox").input_value() == "Returned"
        pg.screenshot(path=str(SHOTS / "completeness_state_en_1366.png"), full_page=True)
