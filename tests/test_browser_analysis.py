"""Real-browser walk of the indicator page's 分析评估 (issue 15, part 4): a city editor signs in,
opens 指标详情 from the menu, types an analysis, saves it, reloads the page and reads it back with
its author — in Chinese at 1920 px and in English at 1366 px; and an upload whose 分析 column holds a
text says so in its preview and stores it with the batch (Chinese, 1366 px)."""

from __future__ import annotations

import pytest
from browser_support import browser_page, query, require_browser, serve, settle, shot, sign_in
from sqlalchemy import create_engine

from dashboard.access import accounts
from dashboard.store.analyses import current_analyses

pytestmark = pytest.mark.browser

PASSWORD = "a long test password"
CASES = {
    # language, width, the words the page uses, the text typed
    "zh": (
        1920,
        {"signed_in": "已登录", "menu": "指标详情"},
        {"heading": "分析评估", "save": "保存分析评估", "saved": "分析评估已保存", "by": "填报：城市填报员"},
        "原因：2024 年转诊体系完善。\n措施：继续加强高危孕产妇管理。",
    ),
    "en": (
        1366,
        {"signed_in": "Signed in", "menu": "Indicator"},
        {"heading": "Analysis", "save": "Save analysis", "saved": "Analysis saved", "by": "by 城市填报员"},
        "Reasons: referrals improved. Difficulties: <b>not bold</b> *nor this*",
    ),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_browser()
    with serve(tmp_path_factory.mktemp("analysis")) as s:
        engine = create_engine(s.url)
        accounts.add_user(engine, "城市填报员", PASSWORD, "city_editor", [], by="test")
        engine.dispose()
        yield {"base": s.base, "url": s.url}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_type_save_reload_and_read_the_analysis(server, lang):
    width, words, page_words, text = CASES[lang]
    with browser_page(width, 1200, "zh-CN") as pg:
        pg.goto(server["base"] + f"/overview?year=2024&area=500116&lang={lang}")
        settle(pg, extra_ms=800)
        sign_in(pg, "城市填报员", PASSWORD, lang)
        pg.get_by_text(words["signed_in"]).first.wait_for()
        settle(pg, extra_ms=800)
        pg.locator(".st-key-app_menu").get_by_text(words["menu"], exact=True).click()
        pg.wait_for_url("**/indicator**")
        settle(pg, extra_ms=800)
        pg.get_by_text(page_words["heading"], exact=True).first.wait_for()
        assert query(pg).get("area") == "500116" and query(pg).get("year") == "2024"
        # The page opens on the first indicator (the address names it once one is picked).
        holder = pg.locator('[class*="st-key-analysis_text_500116_"]').first
        holder.wait_for()
        key = next(c for c in holder.get_attribute("class").split() if c.startswith("st-key-analysis_text_"))
        code = key.removeprefix("st-key-analysis_text_500116_").removesuffix("_2024")
        box = pg.locator(f".{key} textarea")
        box.fill(text)
        pg.get_by_role("button", name=page_words["save"]).click()
        pg.get_by_text(page_words["saved"]).first.wait_for()
        settle(pg, extra_ms=800)

        pg.reload()
        settle(pg, extra_ms=1500)
        current = pg.locator(".st-key-analysis_current")
        current.wait_for()
        first_line = text.split("\n")[0]
        current.get_by_text(first_line, exact=False).first.wait_for()
        assert page_words["by"] in current.inner_text()
        assert current.locator("b").count() == 0 and current.locator("em").count() == 0  # shown as typed
        assert box.input_value() == text  # the form edits the standing text
        current.scroll_into_view_if_needed()
        shot(pg, f"indicator_analysis_{lang}_{width}")

    stored = current_analyses(create_engine(server["url"]), areas=["500116"], years=[2024])
    assert stored.loc[stored["indicator"] == code, "text"].tolist() == [text]
    assert stored.loc[stored["indicator"] == code, "author"].tolist() == ["城市填报员"]


def test_an_upload_with_an_analysis_column_says_so_and_stores_the_texts(server, tmp_path):
    """The city editor uploads new values of 2026 (none stored yet) whose 分析 column holds one text
    (zh, 1366 px): the preview says one analysis goes in with the batch, and after 确认入库 the store
    has it, signed by the uploader."""
    from dashboard.messages import t

    upload = tmp_path / "江津区_2026_分析.csv"
    text = "2026 年新增两家危重孕产妇救治中心。"
    upload.write_text(f"区县,指标,年份,数值,分析\n江津区,W04,2026,95.1,{text}\n江津区,W05a,2026,66.0,\n", "utf-8")
    with browser_page(1366, 1400, "zh-CN") as pg:
        pg.goto(server["base"] + "/overview")
        settle(pg, extra_ms=800)
        sign_in(pg, "城市填报员", PASSWORD)
        pg.get_by_text("已登录").first.wait_for()
        settle(pg, extra_ms=800)
        pg.locator(".st-key-app_menu").get_by_text("数据上传", exact=True).click()
        settle(pg, extra_ms=800)
        pg.locator('input[type="file"]').set_input_files(str(upload))
        pg.get_by_text(t("preview_analyses", "zh", n=1)).first.wait_for()
        pg.get_by_text(t("preview_counts", "zh", new=2, corrected=0, unchanged=0)).first.wait_for()
        settle(pg, extra_ms=400)
        shot(pg, "upload_analysis_preview_zh_1366")
        pg.get_by_role("button", name=t("confirm", "zh")).click()
        pg.get_by_text("已入库").first.wait_for()
        settle(pg, extra_ms=400)

    stored = current_analyses(create_engine(server["url"]), areas=["500116"], years=[2026])
    mine = stored[stored["text"] == text]
    assert mine[["indicator", "author"]].values.tolist() == [["W04", "城市填报员"]]
    assert mine["batch_id"].notna().all()  # stored with the batch, in its transaction
