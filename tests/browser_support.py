"""What the real-browser tests share: a served app on a demo database, Debian's Chromium, waiting for
Streamlit to finish a run, screenshots.

``streamlit run`` starts on a free port with its own copy of the demo database (and, when asked, a
copy of the rules that a test may break); Playwright drives ``/usr/bin/chromium`` (nothing downloads
a browser). Screenshots go to ``test-output/screenshots/``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_browser() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium; .ci/run does this)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("the playwright Python package is not installed (pip install -r requirements-dev.txt)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    base: str
    url: str
    rules: Path


def _wait_health(port: int, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r,
        ):
            if r.status == 200:
                return
        time.sleep(0.3)
    raise RuntimeError("streamlit did not become healthy in time")


@contextlib.contextmanager
def serve(folder: Path, copy_rules: bool = False) -> Iterator[Server]:
    """The app on a fresh demo database under ``folder`` (with the documented demo account)."""
    from dashboard.access.accounts import ensure_demo_account
    from dashboard.demo import load_demo
    from dashboard.rules import load_rules
    from dashboard.store import Store

    rules = ROOT / "rules"
    if copy_rules:
        shutil.copytree(rules, folder / "rules")
        rules = folder / "rules"
    url = f"sqlite:///{folder / 'dashboard.db'}"
    store = Store(url)
    load_demo(store, load_rules(rules))
    ensure_demo_account(store.engine)  # as `manage.py run` does on a fresh install
    store.dispose()
    port = free_port()
    env = {**os.environ, "DASHBOARD_DB_URL": url, "DASHBOARD_RULES_DIR": str(rules)}
    with open(folder / "streamlit.log", "w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(ROOT / "streamlit_app.py"),
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_health(port, proc)
            yield Server(f"http://127.0.0.1:{port}", url, rules)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def settle(pg, extra_ms: int = 600, fresh: bool = False) -> None:
    """Wait until Streamlit has finished the run: no "running" indicator and no placeholder skeletons.

    ``fresh``: the page was just loaded by its address, so its main area starts empty and "drawn"
    alone tells that the run got going; after a click the old page is still there, so the status
    widget must be given a moment to appear first.
    """
    pg.wait_for_selector('[data-testid="stApp"]')
    # A run shows the status widget ("Running… Stop") shortly after it starts: let it appear first,
    # or a check made too early sees an empty page that is "not running" yet.
    if fresh:
        pg.wait_for_selector('[data-testid="stMain"] h1', timeout=60_000)  # every page has a title
    else:
        with contextlib.suppress(PlaywrightTimeout):
            pg.wait_for_selector('[data-testid="stStatusWidget"]', timeout=1500)
    pg.wait_for_function(
        "() => { const s = document.querySelector('[data-testid=\"stStatusWidget\"]');"
        " const running = s && /Running|运行|Stop/.test(s.innerText);"
        ' const drawn = document.querySelector(\'[data-testid="stMain"] [data-testid="stElementContainer"]\');'
        " return !running && drawn && !document.querySelector('[data-testid=\"stSkeleton\"]'); }",
        timeout=60_000,
    )
    # On a busy machine a rerun can still be drawing: wait until the page's text stops changing.
    previous = None
    for _ in range(40):
        now = pg.evaluate("() => document.querySelector('[data-testid=\"stApp\"]').innerText.length")
        if now == previous:
            break
        previous = now
        pg.wait_for_timeout(250)
    pg.wait_for_timeout(extra_ms)


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
