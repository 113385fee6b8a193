"""The app served for a browser: ``streamlit run`` on 127.0.0.1, a free port, a throw-away demo database.

Shared by ``bench-pages`` and the real-browser tests (``tests/browser_support.py``): the database is a
fresh SQLite file filled with the seeded demo data and the documented demo account (an administrator,
marked as demo), as ``manage.py run`` leaves a fresh install.
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
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..access.accounts import ensure_demo_account
from ..demo import load_demo
from ..rules import load_rules
from ..services import PROJECT_ROOT
from ..store import Store

APP = PROJECT_ROOT / "serve.py"
"""``streamlit_app.py`` with the session-cookie route, as ``manage.py run`` serves it."""


@dataclass
class Server:
    """A running app: its address, its database URL and the rules directory it reads."""

    base: str
    url: str
    rules: Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
def serve(
    folder: Path,
    copy_rules: bool = False,
    rules_dir: Path | None = None,
    env: Mapping[str, str] | None = None,
    options: Sequence[str] = (),
) -> Iterator[Server]:
    """The app on a fresh demo database under ``folder`` (with the documented demo account).

    ``copy_rules``: serve a copy of the rules under ``folder`` (a test may break it). ``env``: variables
    for the server on top of this process's environment (``DASHBOARD_RUN_TIMES`` for the bench). The
    server's output goes to ``folder/streamlit.log``; it is stopped when the block ends. ``options``:
    more of Streamlit's command-line options (``--secrets.files F``).
    """
    rules = rules_dir or PROJECT_ROOT / "rules"
    if copy_rules:
        shutil.copytree(rules, folder / "rules")
        rules = folder / "rules"
    url = f"sqlite:///{folder / 'dashboard.db'}"
    store = Store(url)
    load_demo(store, load_rules(rules))
    ensure_demo_account(store.engine)  # as `manage.py run` does on a fresh install
    store.dispose()
    port = free_port()
    # The child inherits this environment (PATH, locale); the database and rules are this server's own.
    child_env = {**os.environ, **(env or {}), "DASHBOARD_DB_URL": url, "DASHBOARD_RULES_DIR": str(rules)}
    with open(folder / "streamlit.log", "w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(APP),
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
                *options,
            ],
            cwd=PROJECT_ROOT,
            env=child_env,
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
