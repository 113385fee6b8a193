"""What the real-browser tests share: a served app on a demo database, Debian's Chromium, waiting for
Streamlit to finish a run, screenshots.

``streamlit run`` starts on a free port with its own copy of the demo database (and, when asked, a
copy of the rules that a test may break); Playwright drives ``/usr/bin/chromium`` (nothing downloads
a browser). The server, the browser's settings and the wait for a finished run are the package's
(``dashboard.bench.server``, ``dashboard.bench.browser``), shared with ``bench-pages``.
Screenshots go to ``test-output/screenshots/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.bench.browser import CHROMIUM, CHROMIUM_ARGS, chromium_available, settle
from dashboard.bench.server import Server, free_port, serve

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "ROOT",
    "SHOTS",
    "Server",
    "free_port",
    "path",
    "query",
    "require_browser",
    "serve",
    "settle",
    "shot",
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
