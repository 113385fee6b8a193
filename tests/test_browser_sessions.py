"""Real browser: a sign-in survives a reload (the signed, expiring HttpOnly session cookie), a
sign-out ends it, and a cookie that was edited, is too old, was signed with another key or belongs
to an ended session signs nobody in.

The app is served as ``manage.py run`` serves it (``serve.py``: ``streamlit_app.py`` plus the cookie
route) with a known ``server.cookieSecret``, so that the test can sign a cookie as the server
would — with an old timestamp — and show that age alone refuses it. Chromium is Debian's
(``/usr/bin/chromium``); every test has a browser context of its own (its own cookies).
"""

from __future__ import annotations

import time

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, require_browser, serve, settle, shot, sign_in
from itsdangerous import TimestampSigner

from dashboard.access import accounts, session_cookie
from dashboard.access.accounts import DEMO_PASSWORD, DEMO_USER
from dashboard.store import Store, audit

pytestmark = pytest.mark.browser

SECRET = "browser-test cookie secret, not a real one"
HOURS = 8.0  # DASHBOARD_SESSION_HOURS's default
CLERK_PASSWORD = "Violet-Harbor-Lantern-42"
REFUSED = "未登录用户（查看者）无权上传数据"
EXPIRED = "登录已过期或已失效，请重新登录。"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_browser()
    with serve(tmp_path_factory.mktemp("sessions"), env={"STREAMLIT_SERVER_COOKIE_SECRET": SECRET}) as s:
        yield s


@pytest.fixture(scope="module")
def engine(server):
    store = Store(server.url)
    yield store.engine
    store.dispose()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


def _open(pg, url: str) -> None:
    pg.goto(url)
    settle(pg, extra_ms=400, fresh=True)


def _sidebar(pg) -> str:
    return pg.locator('[data-testid="stSidebar"]').inner_text()


def _main(pg) -> str:
    return pg.locator('[data-testid="stMain"]').inner_text()


def _signed_in(pg) -> bool:
    return pg.locator(".st-key-signout_go").count() > 0


def _cookie(context) -> dict | None:
    found = [c for c in context.cookies() if c["name"] == session_cookie.COOKIE_NAME]
    return found[0] if found else None


def _wait_cookie(context, present: bool, seconds: float = 15) -> dict | None:
    """The session cookie once the page's request for it has been answered (or its absence)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        cookie = _cookie(context)
        if (cookie is not None) == present:
            return cookie
        time.sleep(0.1)
    raise AssertionError(f"the session cookie is {'missing' if present else 'still there'}")


def _put_cookie(context, server, value: str) -> None:
    context.clear_cookies()
    context.add_cookies([{"name": session_cookie.COOKIE_NAME, "value": value, "url": server.base + "/"}])


def _assert_refused_and_cleared(pg, context) -> None:
    """Signed out, told so, refused the upload page, and the browser told to drop the cookie."""
    assert not _signed_in(pg)
    assert REFUSED in _main(pg)
    assert EXPIRED in _sidebar(pg)
    assert pg.locator('input[type="file"]').count() == 0
    _wait_cookie(pg.context, present=False)


def test_a_sign_in_survives_a_reload_and_a_sign_out_ends_it(server, engine, context):
    pg = context.new_page()
    _open(pg, server.base + "/upload")
    assert REFUSED in _main(pg)
    sign_in(pg, DEMO_USER, DEMO_PASSWORD)

    cookie = _wait_cookie(context, present=True)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert HOURS * 3600 - 120 < cookie["expires"] - time.time() <= HOURS * 3600 + 5
    assert DEMO_PASSWORD not in cookie["value"]
    token = cookie["value"].rsplit(".", 2)[0]
    assert accounts.user_for_session(engine, token).name == DEMO_USER  # the server-side session's own token
    # HttpOnly: no script in the page can read it.
    assert session_cookie.COOKIE_NAME not in pg.evaluate("() => document.cookie")

    pg.reload()
    settle(pg, extra_ms=400, fresh=True)
    assert _signed_in(pg), _sidebar(pg)
    assert pg.locator('input[type="file"]').count() == 1  # the upload page works as the demo administrator
    assert REFUSED not in _main(pg) and EXPIRED not in _sidebar(pg)
    shot(pg, "session_after_reload")

    other = context.new_page()  # a new tab of the same browser
    _open(other, server.base + "/audit")
    assert _signed_in(other) and "每次登录、上传、回滚和用户变更的记录" in _main(other)
    other.close()

    pg.locator(".st-key-signout_go button").click()
    pg.get_by_text("已退出登录").first.wait_for()
    _wait_cookie(context, present=False)
    assert accounts.user_for_session(engine, token) is None  # ended on the server, not only in the browser
    pg.reload()
    settle(pg, extra_ms=400, fresh=True)
    assert not _signed_in(pg) and REFUSED in _main(pg)
    assert EXPIRED not in _sidebar(pg)  # no cookie: nothing to refuse

    # A copy of the cookie kept from before the sign-out is worth nothing.
    _put_cookie(context, server, cookie["value"])
    pg.reload()
    settle(pg, extra_ms=400, fresh=True)
    _assert_refused_and_cleared(pg, context)

    lines = audit.entries(engine, user=DEMO_USER)
    assert lines["action"].tolist()[:2] == ["sign_out", "sign_in"]  # one sign-in: the reload did not sign in again


def _signed_long_ago(token: str) -> str:
    """What the server would have set for ``token`` one minute more than a session ago."""

    class LongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - HOURS * 3600 - 60)

    return LongAgo(SECRET, salt=session_cookie.SALT).sign(token).decode()


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(
            lambda value, token: value.replace(token, token[:-2] + ("AA" if token[-2:] != "AA" else "BB")),
            id="token-edited",
        ),
        pytest.param(
            lambda value, token: value[:-3] + ("xyz" if value[-3:] != "xyz" else "abc"), id="signature-edited"
        ),
        pytest.param(lambda value, token: token, id="bare-token"),
        pytest.param(lambda value, token: session_cookie.sign(token, "someone else's secret"), id="other-secret"),
        pytest.param(lambda value, token: _signed_long_ago(token), id="expired"),
    ],
)
def test_an_edited_or_expired_cookie_is_refused(server, engine, context, forge):
    pg = context.new_page()
    _open(pg, server.base + "/upload")
    sign_in(pg, DEMO_USER, DEMO_PASSWORD)
    genuine = _wait_cookie(context, present=True)["value"]
    token = genuine.rsplit(".", 2)[0]

    _put_cookie(context, server, forge(genuine, token))
    pg.reload()
    settle(pg, extra_ms=400, fresh=True)
    _assert_refused_and_cleared(pg, context)
    # The session itself is still live (only that cookie was refused): the genuine cookie signs in.
    assert accounts.user_for_session(engine, token) is not None
    _put_cookie(context, server, genuine)
    pg.reload()
    settle(pg, extra_ms=400, fresh=True)
    assert _signed_in(pg) and pg.locator('input[type="file"]').count() == 1
    accounts.sign_out(engine, token, DEMO_USER)


def test_disabling_the_user_ends_the_remembered_sign_in(server, engine, context):
    accounts.add_user(engine, "clerk", CLERK_PASSWORD, "city_editor", by="test")
    pg = context.new_page()
    _open(pg, server.base + "/upload")
    sign_in(pg, "clerk", CLERK_PASSWORD)
    _wait_cookie(context, present=True)
    pg.reload()
    settle(pg, extra_ms=400, fresh=True)
    assert _signed_in(pg) and "clerk" in _sidebar(pg)

    accounts.change_user(engine, "clerk", disabled=True, by="test")
    pg.reload()
    settle(pg, extra_ms=400, fresh=True)
    _assert_refused_and_cleared(pg, context)
