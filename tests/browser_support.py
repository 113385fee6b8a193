"""What the real-browser tests share: a served app on a demo database, Debian's Chromium, waiting for
Streamlit to finish a run, screenshots.

``streamlit run`` starts on a free port with its own copy of the demo database (and, when asked, a
copy of the rules that a test may break); Playwright drives ``/usr/bin/chromium`` (nothing downloads
a browser). The server, the browser's settings and the wait for a finished run are the package's
(``dashboard.bench.server``, ``dashboard.bench.browser``), shared with ``bench-pages``.
Screenshots go to ``test-output/screenshots/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from dashboard.bench.browser import CHROMIUM, CHROMIUM_ARGS, chromium_available, settle
from dashboard.bench.server import Server, free_port, serve
from dashboard.messages import t

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "ROOT",
    "SHOTS",
    "Server",
    "browser_page",
    "free_port",
    "path",
    "query",
    "require_browser",
    "serve",
    "settle",
    "shot",
    "sign_in",
]

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-output" / "screenshots"


def require_browser() -> None:
    if not chromium_available():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium; .ci/run does this)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("the playwright Python package is not installed (pip install -r requirements-dev.txt)")


def shot(pg, name: str) -> Path:
    """A screenshot of the whole page (the viewport is tall; Streamlit scrolls inside it)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=True)
    return path


def query(pg) -> dict[str, str]:
    """The query parameters of the page's URL."""
    from urllib.parse import parse_qsl, urlparse

    return dict(parse_qsl(urlparse(pg.url).query))


def path(pg) -> str:
    from urllib.parse import urlparse

    return urlparse(pg.url).path


def sign_in(pg, name: str, password: str, lang: str = "zh") -> None:
    """Sign in through the sidebar's form as a person does (its labels in ``lang``), then wait until
    the signed-in run is drawn (the sign-out button, in any language)."""
    form = pg.locator('[data-testid="stSidebar"] [data-testid="stForm"]')
    form.get_by_label(t("signin_name", lang), exact=True).fill(name)
    form.get_by_label(t("signin_password", lang), exact=True).fill(password)
    form.get_by_role("button", name=t("signin_button", lang)).click()
    pg.locator(".st-key-signout_go").wait_for()
    settle(pg, extra_ms=600)


@contextmanager
def browser_page(width: int, height: int, locale: str = "zh-CN", timeout_ms: int = 30_000, **options) -> Iterator:
    """A page in Debian's Chromium at ``width`` × ``height`` in ``locale`` (``options`` go to the browser
    context, e.g. ``accept_downloads=True``); closed with its browser when the block ends."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale, **options)
        pg = context.new_page()
        pg.set_default_timeout(timeout_ms)
        try:
            yield pg
        finally:
            context.close()
            browser.close()
