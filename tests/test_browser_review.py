"""Real-browser walk of the review cycle (issue 15) in Debian's Chromium: an area editor uploads a value
for their area by clicking and confirms it (a submission) → a reviewer opens 审核 from the menu and
returns it with a comment → the editor uploads the correction → the reviewer approves the batch →
the indicator page, reached by clicking, shows the value. Back, Forward and a reload keep the review
page's filters. Chinese at 1920 px, then English at 1366 px with the switch 含未审核.
Screenshots: ``test-output/screenshots/review/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import SHOTS as ALL_SHOTS
from browser_support import browser_page, query, require_browser, serve, settle, sign_in

from dashboard.access import accounts
from dashboard.messages import t
from dashboard.store import Store

pytestmark = pytest.mark.browser

SHOTS = ALL_SHOTS / "review"
PASSWORD = "a long test password"
JJ = "500116"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_browser()
    folder = tmp_path_factory.mktemp("review")
    with serve(folder) as s:
        store = Store(s.url)
        accounts.add_user(store.engine, "jj_clerk", PASSWORD, "area_editor", [JJ], by="test")
        accounts.add_user(store.engine, "reviewer1", PASSWORD, "reviewer", [], by="test")
        accounts.add_user(store.engine, "office", PASSWORD, "city_editor", [], by="test")
        store.dispose()
        yield {"base": s.base, "url": s.url, "folder": folder}


def _shot(pg, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _sign_out(pg) -> None:
    pg.locator(".st-key-signout_go button").click()
    pg.get_by_text("已退出登录").first.wait_for()
    settle(pg, extra_ms=400)


def _menu(pg, label: str) -> None:
    pg.locator(".st-key-app_menu").get_by_text(label, exact=True).click()
    settle(pg, extra_ms=600)


def _pick(pg, label: str, option: str) -> None:
    """Choose ``option`` in the main area's selectbox whose label is ``label``."""
    box = pg.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').filter(has_text=label).first
    box.click()
    pg.keyboard.type(option)  # the list is virtual: a long one shows only its first options
    pg.get_by_role("option", name=option, exact=True).click()
    settle(pg, extra_ms=600)


def _upload(pg, folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    _menu(pg, "数据上传")
    pg.locator('input[type="file"]').set_input_files(str(path))
    pg.get_by_text("校验通过").first.wait_for()
    # Told before confirming: an area editor's upload is a submission, shown after review.
    pg.get_by_text("作为“已报待审”报送").first.wait_for()
    settle(pg, extra_ms=600)


def _tick_first_row(pg, table_index: int = 1) -> None:
    """Tick the first row of a selectable table (the grid is drawn on a canvas: click its row marker)."""
    grid = pg.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').nth(table_index)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    pg.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
    settle(pg, extra_ms=600)


def _review_filters(pg) -> None:
    _pick(pg, "地区", "江津区")
    _pick(pg, "年份", "2026")
    assert query(pg).get("review_area") == JJ and query(pg).get("review_year") == "2026"
    pg.get_by_text("已报待审 1 个").first.wait_for()


def _values(server) -> dict:
    store = Store(server["url"])
    states = store.review_states(areas=[JJ], years=[2026])
    store.dispose()
    return {
        r.indicator: (r.value, r.review, r.comment if isinstance(r.comment, str) else None) for r in states.itertuples()
    }


def test_upload_return_correct_approve_then_the_indicator_page_shows_it(server):
    with browser_page(1920, 1400, "zh-CN", timeout_ms=45_000) as pg:
        pg.goto(server["base"] + "/overview")
        pg.get_by_text("规划实施进展").first.wait_for()
        settle(pg, fresh=True)

        # 1. The area editor uploads 江津区 W02 2026 and confirms: a submission.
        sign_in(pg, "jj_clerk", PASSWORD)
        assert pg.locator(".st-key-app_menu").get_by_text("审核", exact=True).count() == 0
        _upload(pg, server["folder"], "jj_2026.csv", "区县,指标,年份,数值\n江津区,W02,2026,82.6\n")
        _shot(pg, "01_editor_preview_zh_1920")
        pg.get_by_role("button", name="确认入库").click()
        pg.get_by_text("已入库").first.wait_for()
        assert _values(server) == {"W02": (82.6, "submitted", None)}
        _sign_out(pg)

        # 2. The reviewer opens 审核 from the menu, filters, and returns the value with a comment.
        sign_in(pg, "reviewer1", PASSWORD)
        _menu(pg, "审核")
        pg.get_by_text("退回和重新打开必须填写意见或原因").first.wait_for()
        _review_filters(pg)
        # Back and Forward step through the filters; a reload keeps them.
        pg.go_back()
        settle(pg, extra_ms=800)
        assert "review_year" not in query(pg) and query(pg).get("review_area") == JJ
        # Every year again: more than the one value of 2026 waits (the demo's submissions too).
        pg.get_by_text("已报待审 1 个").wait_for(state="detached")
        pg.get_by_text("（当前筛选的年份和地区）").first.wait_for()
        pg.go_forward()
        settle(pg, extra_ms=800)
        assert query(pg).get("review_year") == "2026"
        pg.reload()
        settle(pg, fresh=True, extra_ms=800)
        assert query(pg).get("review_year") == "2026" and query(pg).get("review_area") == JJ
        pg.get_by_text("已报待审 1 个").first.wait_for()
        _tick_first_row(pg)
        pg.get_by_text("已选 1 个数值").first.wait_for()
        pg.locator('[data-testid="stMain"] textarea').first.fill("与卫健委年报不符，请核对后重报")
        pg.keyboard.press("Tab")  # the text area's value reaches the server when it loses focus
        settle(pg, extra_ms=400)
        _shot(pg, "02_reviewer_returns_zh_1920")
        pg.get_by_role("button", name="退回所选").click()
        pg.get_by_text("“退回”完成：1 个数值").first.wait_for()
        settle(pg, extra_ms=400)
        _shot(pg, "03_returned_zh_1920")
        assert _values(server) == {"W02": (82.6, "returned", "与卫健委年报不符，请核对后重报")}
        _sign_out(pg)

        # 3. The area editor uploads the correction (submitted again).
        sign_in(pg, "jj_clerk", PASSWORD)
        _upload(pg, server["folder"], "jj_2026_fixed.csv", "区县,指标,年份,数值\n江津区,W02,2026,82.8\n")
        pg.get_by_role("button", name="确认入库").click()
        pg.get_by_text("已入库").first.wait_for()
        assert _values(server)["W02"][:2] == (82.8, "submitted")
        _sign_out(pg)

        # 4. The reviewer approves the batch.
        sign_in(pg, "reviewer1", PASSWORD)
        _menu(pg, "审核")
        settle(pg, extra_ms=600)
        if query(pg).get("review_year") != "2026":  # the menu carries the page's last filters
            _review_filters(pg)
        pg.get_by_text("已报待审 1 个").first.wait_for()
        pg.get_by_role("button", name="通过整批").click()
        pg.get_by_text("“审核通过”完成：1 个数值").first.wait_for()
        settle(pg, extra_ms=400)
        _shot(pg, "04_approved_with_history_zh_1920")
        assert _values(server)["W02"][:2] == (82.8, "approved")

        # 5. The indicator page, by clicking: the overview's area picker, the menu, the indicator picker.
        _menu(pg, "总览")
        _pick(pg, "地区", "江津区")
        _menu(pg, "指标详情")
        box = pg.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').filter(has_text="指标").first
        box.click()
        pg.keyboard.type("W02")
        pg.keyboard.press("Enter")
        settle(pg, extra_ms=800)
        assert query(pg).get("indicator") == "W02"
        pg.get_by_text("仅显示已审核数值").first.wait_for()
        _pick(pg, "年份", "2026")
        # The approved value, as the page's latest value of 江津区 in 2026 (a metric, not a grid cell).
        pg.locator('[data-testid="stMetricValue"]').filter(has_text="82.80岁").first.wait_for()
        _shot(pg, "05_indicator_zh_1920")


def test_review_page_and_the_switch_in_english(server):
    with browser_page(1366, 1100, "en-GB", timeout_ms=45_000) as pg:
        pg.goto(server["base"] + "/review?lang=en")
        settle(pg, fresh=True)
        pg.get_by_text("anonymous users (Viewer) may not").first.wait_for()
        sign_in(pg, "reviewer1", PASSWORD, "en")
        pg.get_by_text("Returning and re-opening need a comment").first.wait_for()
        settle(pg, extra_ms=600)
        _shot(pg, "06_review_en_1366")

        # The switch: into the address, carried by the menu's links, said on the page.
        pg.locator('[data-testid="stSidebar"]').get_by_text("Include unreviewed").click()
        settle(pg, extra_ms=800)
        assert query(pg).get("unreviewed") == "1"
        _menu(pg, "Indicator")
        assert query(pg).get("unreviewed") == "1" and query(pg).get("lang") == "en"
        pg.get_by_text('Including unreviewed values (marked "unreviewed")').first.wait_for()
        _shot(pg, "07_indicator_switch_en_1366")
        pg.go_back()
        settle(pg, extra_ms=800)
        assert query(pg).get("unreviewed") == "1"  # Back to the review page, still with the switch


def _counts(url: str, year: int, area: str | None = None) -> dict[str, int]:
    """How many current values of ``year`` (and ``area``) are in each review state, counted in the table."""
    from sqlalchemy import create_engine, text

    where = "is_current AND year = :y" + (" AND area = :a" if area else "")
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(f"SELECT review, COUNT(*) FROM observations WHERE {where} GROUP BY review"), {"y": year, "a": area}
        ).all()
    engine.dispose()
    return {str(state): int(n) for state, n in rows}


@pytest.mark.parametrize("lang, width", [("zh", 1366), ("en", 1920)])
def test_the_overview_reminds_the_office_and_its_link_opens_the_queue(server, lang, width):
    """A city editor signs in on the overview: the reminder counts the demo's values of 2025 that wait
    for review and were returned (counted by SQL here); its link opens 审核 filtered to that year
    with the same count; Back returns to the overview."""
    counts = _counts(server["url"], 2025)
    waiting, returned = counts.get("submitted", 0), counts.get("returned", 0)
    assert waiting and returned  # the demo's mix of states
    suffix = "&lang=en" if lang == "en" else ""
    with browser_page(width, 1100, "en-US", timeout_ms=45_000) as pg:
        pg.goto(server["base"] + f"/?year=2025{suffix}")
        settle(pg, fresh=True)
        sign_in(pg, "office", PASSWORD, lang)
        reminder = " · ".join(
            [
                t("review_reminder_waiting", lang, year=2025, n=waiting),
                t("review_reminder_returned", lang, year=2025, n=returned),
            ]
        )
        link = pg.get_by_role("link", name=reminder)
        link.wait_for()
        _shot(pg, f"08_overview_reminder_{lang}_{width}")
        link.click()
        settle(pg, extra_ms=800)
        assert pg.url.split("?")[0].endswith("/review") and query(pg).get("review_year") == "2025"
        # The queue's count line names the same numbers waiting and returned.
        line = t("review_counts", lang, submitted=waiting, returned=returned, approved="")
        pg.locator('[data-testid="stMain"]').get_by_text(line.split(str(returned))[0]).first.wait_for()
        _shot(pg, f"09_review_from_reminder_{lang}_{width}")
        pg.go_back()
        settle(pg, extra_ms=800)
        assert not pg.url.split("?")[0].endswith("/review")
        pg.get_by_role("link", name=reminder).wait_for()


def test_a_reviewer_reopens_an_approved_value_with_a_reason_in_english(server):
    """The reviewer filters 审核 to the approved values of 江津区 in 2024 (en, 1366 px), ticks one,
    gives the reason and re-opens it: it waits for review again, and the history keeps the reason."""
    from dashboard.views import review as review_view

    before = _counts(server["url"], 2024, JJ)
    reason = "The bureau's yearbook revised this figure"
    with browser_page(1366, 1400, "en-GB", timeout_ms=45_000) as pg:
        pg.goto(server["base"] + "/review?lang=en")
        settle(pg, fresh=True)
        sign_in(pg, "reviewer1", PASSWORD, "en")
        _pick(pg, t("review_filter_state", "en"), review_view.state_label("approved", "en"))
        _pick(pg, t("review_filter_area", "en"), "Jiangjin District")
        _pick(pg, t("review_filter_year", "en"), "2024")
        assert (query(pg).get("review_state"), query(pg).get("review_area"), query(pg).get("review_year")) == (
            "approved",
            JJ,
            "2024",
        )
        _tick_first_row(pg)
        pg.get_by_text(t("review_selected", "en", n=1)).first.wait_for()
        pg.locator('[data-testid="stMain"] textarea').first.fill(reason)
        pg.keyboard.press("Tab")  # the text area's value reaches the server when it loses focus
        settle(pg, extra_ms=400)
        pg.get_by_role("button", name=t("review_reopen_selected", "en")).click()
        pg.get_by_text(t("review_done", "en", action=t("review_action_reopen", "en"), n=1)).first.wait_for()
        settle(pg, extra_ms=400)
        _shot(pg, "09_reopened_en_1366")
    after = _counts(server["url"], 2024, JJ)
    assert after.get("approved", 0) == before.get("approved", 0) - 1
    assert after.get("submitted", 0) == before.get("submitted", 0) + 1
    store = Store(server["url"])
    events = store.review_events(area=JJ, limit=5)
    store.dispose()
    newest = events.iloc[0]
    assert (newest["action"], newest["before"], newest["after"], newest["comment"]) == (
        "reopen",
        "approved",
        "submitted",
        reason,
    )
    assert int(newest["year"]) == 2024 and newest["user"] == "reviewer1"
