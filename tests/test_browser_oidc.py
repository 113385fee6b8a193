"""Real browser: signing in through an OpenID Connect provider with Streamlit's ``st.login``.

A provider is started in the test (``oidc-provider-mock``, requirements-dev.txt) with two people who
have verified addresses; the app is served as ``manage.py run`` serves it with an ``[auth]``
section in a secrets file of the test's own (``--secrets.files``). An administrator links one
address to an account from the command line (``user add … --oidc``). In Chromium, that person
signs in by clicking through the provider's form and lands with the account's role (the upload page
works), stays signed in across a reload, and signs out; the other person gets no role and is told
whom to ask. Each person has a browser context of their own.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import urllib.parse

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port, require_browser, serve, settle, shot

from dashboard.store import Store, audit

pytestmark = pytest.mark.browser

REFUSED = "未登录用户（查看者）无权上传数据"
AMY = "amy@example.org"
ZOE = "zoe@example.org"


@pytest.fixture(scope="module")
def provider():
    require_browser()
    mock = pytest.importorskip("oidc_provider_mock", reason="pip install -r requirements-dev.txt")
    people = [
        mock.User(sub="amy-0001", claims={"email": AMY, "email_verified": True, "name": "Amy Lee"}),
        mock.User(sub="zoe-0002", claims={"email": ZOE, "email_verified": True, "name": "Zoe"}),
    ]
    with mock.run_server_in_thread(port=free_port(), user_claims=people) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def server(tmp_path_factory, provider):
    folder = tmp_path_factory.mktemp("oidc")
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'  # Streamlit fills in its port
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "dashboard-test"\n'
        f'client_secret = "{secrets.token_hex(16)}"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    with serve(folder, options=["--secrets.files", str(secrets_file)]) as s:
        # The administrator's command: amy's address signs in as the city editor "amy".
        cli = subprocess.run(
            [sys.executable, "-m", "dashboard", "user", "add", "amy", "--role", "city_editor", "--oidc", AMY],
            cwd=ROOT,
            env={**os.environ, "DASHBOARD_DB_URL": s.url},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert cli.returncode == 0, cli.stderr
        yield s


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
    # The provider's page asks a CDN for its stylesheet: nothing leaves this machine.
    ctx.route("**/cdn.jsdelivr.net/**", lambda route: route.abort())
    yield ctx
    ctx.close()


def _open(pg, url: str) -> None:
    pg.goto(url)
    settle(pg, extra_ms=400, fresh=True)


def _sidebar(pg) -> str:
    return pg.locator('[data-testid="stSidebar"]').inner_text()


def _sign_in_at_the_provider(pg, server, provider, subject: str) -> None:
    """Click the app's button, then the person on the provider's form; back in the app, settled."""
    pg.locator('[data-testid="stSidebar"]').get_by_role("button", name="通过统一身份认证登录").click()
    pg.wait_for_url(f"{provider}/oauth2/authorize*")
    pg.get_by_role("button", name=subject).click()
    pg.wait_for_url(f"{server.base}/**")
    settle(pg, extra_ms=600, fresh=True)


def test_a_linked_identity_signs_in_with_its_account_s_role(server, provider, context):
    pg = context.new_page()
    _open(pg, server.base + "/")
    assert pg.locator(".st-key-signout_go").count() == 0
    _sign_in_at_the_provider(pg, server, provider, "amy-0001")

    side = _sidebar(pg)
    assert "已登录" in side and "amy" in side and "全市填报员" in side, side
    assert "数据上传" in pg.locator(".st-key-app_menu").inner_text()
    shot(pg, "oidc_signed_in")
    _open(pg, server.base + "/upload")
    assert pg.locator('input[type="file"]').count() == 1 and REFUSED not in pg.inner_text("body")
    assert "上传人：amy" in pg.locator('[data-testid="stMain"]').inner_text()

    pg.reload()  # Streamlit's identity cookie keeps the sign-in; the role is looked up again
    settle(pg, extra_ms=400, fresh=True)
    assert "amy" in _sidebar(pg) and pg.locator('input[type="file"]').count() == 1

    store = Store(server.url)
    try:
        line = audit.entries(store.engine, user="amy", action="sign_in").iloc[0]
        assert '"via": "oidc"' in line["details"] and AMY in line["details"]
    finally:
        store.dispose()

    # Sign out: Streamlit ends the provider's session too (the provider asks to confirm).
    pg.locator(".st-key-signout_go button").click()
    pg.wait_for_url(f"{provider}/oauth2/end_session*")
    pg.get_by_role("button", name="End session").click()
    pg.wait_for_url(f"{server.base}/**")
    settle(pg, extra_ms=400, fresh=True)
    _open(pg, server.base + "/upload")
    assert REFUSED in pg.locator('[data-testid="stMain"]').inner_text()
    assert pg.locator(".st-key-signout_go").count() == 0


def test_an_identity_without_an_account_gets_no_role(server, provider, context):
    pg = context.new_page()
    _open(pg, server.base + "/upload?" + urllib.parse.urlencode({"lang": "en"}))
    pg.locator('[data-testid="stSidebar"]').get_by_role("button", name="Sign in with single sign-on").click()
    pg.wait_for_url(f"{provider}/oauth2/authorize*")
    pg.get_by_role("button", name="zoe-0002").click()
    pg.wait_for_url(f"{server.base}/**")
    settle(pg, extra_ms=600, fresh=True)
    assert "统一身份 zoe@example.org 没有对应的账号" in _sidebar(pg)  # Streamlit returns to the home page, in 中文

    _open(pg, server.base + "/?lang=en")
    side = _sidebar(pg)
    assert f"the identity {ZOE} has no account here, so you have no role" in side, side
    assert f"--oidc {ZOE}" in side  # whom to ask and what they would run
    assert pg.locator(".st-key-signout_go").count() == 0
    assert "Upload" not in pg.locator(".st-key-app_menu").inner_text()
    _open(pg, server.base + "/upload?lang=en")
    main = pg.locator('[data-testid="stMain"]').inner_text()
    assert "may not upload data" in main and pg.locator('input[type="file"]').count() == 0
    shot(pg, "oidc_no_account")

    store = Store(server.url)
    try:
        failed = audit.entries(store.engine, action="sign_in_failed")
        assert failed["user"].tolist()[:1] == [ZOE]
    finally:
        store.dispose()
