"""Every page in a real browser: full-load time, menu-switch time and the server's script time.

    python -m dashboard bench-pages            # one line per page
    python -m dashboard bench-pages --json

Serves the app (``streamlit run serve.py`` on 127.0.0.1, a free port) on a throw-away copy of the demo
database, with ``DASHBOARD_RUN_TIMES`` set so that the app logs the wall time of every script run
(``dashboard.app.timing``), and drives Debian's Chromium (``/usr/bin/chromium``) with Playwright:

- **full load**: each page opened by its address, ``repeat`` times: navigation start → the last
  Streamlit run finished and drawn (the server's last message drawn, the page idle: no run going on,
  no stale element; see ``dashboard.bench.browser``). The demo account signs in once (the sidebar's
  form); its session cookie keeps it signed in on every later load, as for someone opening a
  bookmarked link. A load that finds itself signed out all the same signs in on the page, its
  figure then includes the sign-in's rerun and says so (``load_signs_in``).
- **menu switch**: signed in as the demo administrator, a click on the sidebar menu's link to the
  next page → the run finished, around the whole menu, ``repeat`` times;
- **bootstrap**: navigation start → the server's first message (the browser loading Streamlit's
  page and connecting; the run has started), and **switch start**: click → the server's first
  message, both medians over every page;
- **server**: the script time the app logged for the run that drew the page (median over its loads
  and switches): ``streamlit_app.py`` from its first line to the page's end — not a widget's
  callback before it (signing in) nor Streamlit's own work after it; ``runs`` is how many runs a
  full load took.

Goals (issue 16): a full load within 1.0 s, a menu switch within 0.3 s. Figures only, never asserted.
"""

from __future__ import annotations

import json
import statistics
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..access.accounts import DEMO_PASSWORD, DEMO_USER
from ..services import Services
from . import browser
from .server import serve

GOAL_LOAD_S = 1.0
GOAL_SWITCH_S = 0.3
_MENU_LINKS = ".st-key-app_menu a[data-testid='stPageLink-NavLink']"


class BenchUnavailable(RuntimeError):
    """What the page benchmark needs is not installed (Chromium, or the playwright package)."""


class RunLog:
    """The app's run-times file (JSON lines), read a piece at a time: the runs since the last read."""

    def __init__(self, path: Path):
        self.path = path
        self._offset = 0

    def take(self) -> list[dict[str, Any]]:
        """The runs logged since the previous call (only whole lines: a line being written waits)."""
        if not self.path.exists():
            return []
        with self.path.open("rb") as f:
            f.seek(self._offset)
            chunk = f.read()
        whole = chunk[: chunk.rfind(b"\n") + 1]
        self._offset += len(whole)
        return [json.loads(line) for line in whole.decode("utf-8").splitlines() if line.strip()]


@dataclass
class _Figures:
    """What was measured for one page, before the medians."""

    loads: list[float] = field(default_factory=list)
    runs: list[int] = field(default_factory=list)
    switches: list[float] = field(default_factory=list)
    server: list[float] = field(default_factory=list)
    signs_in: bool = False


def _median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def _menu_paths(pg: Any) -> list[str]:
    """The URL paths of the sidebar menu's links, in menu order."""
    return list(
        pg.evaluate(f'() => [...document.querySelectorAll("{_MENU_LINKS}")].map((a) => new URL(a.href).pathname)')
    )


def _sign_in(pg: Any) -> None:
    """The demo account through the sidebar's form (found by the widgets' keys: any language)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        pg.locator(".st-key-signin_name input").wait_for(timeout=15_000)
    except PlaywrightTimeout as exc:
        said = pg.evaluate("() => document.querySelector('[data-testid=\"stApp\"]')?.innerText ?? ''")
        raise RuntimeError(f"{pg.url}: no sign-in form; the page says {said[:300]!r}") from exc
    pg.locator(".st-key-signin_name input").fill(DEMO_USER)
    pg.locator(".st-key-signin_password input").fill(DEMO_PASSWORD)
    pg.locator(".st-key-signin_go button").click()


def _check_page(pg: Any, what: str) -> None:
    """A page that raised is a failure, not a figure."""
    if pg.locator('[data-testid="stException"]').count():
        raise RuntimeError(f"{what}: the page shows an exception")


def _drawn_by(runs: list[dict[str, Any]], expected: str | None, what: str) -> dict[str, Any]:
    """The last run of a visit — the one that drew the page — checked against the page meant."""
    if not runs:
        raise RuntimeError(f"{what}: the app logged no run (is DASHBOARD_RUN_TIMES reaching the server?)")
    last = runs[-1]
    if expected is not None and last["page"] != expected:
        raise RuntimeError(f"{what}: the app ran {last['page']!r}, not {expected!r}")
    return last


def run_pages_bench(
    services: Services,
    pages: Sequence[str],
    repeat: int = 3,
    run_log: Path | None = None,
    quiet_ms: int = 500,
) -> dict[str, Any]:
    """Median full-load, menu-switch and server script seconds of every page, as a dict.

    ``pages``: the app's page keys (``dashboard.app.widgets.PAGES``, menu order); a page in the menu
    is loaded at the menu link's address, any other at ``/<key>``. ``run_log``: where the app's
    run times go (a temporary file by default); the file is emptied first. ``quiet_ms``: how long a
    page must stay idle before its last run counts as the last.
    """
    if not browser.chromium_available():
        raise BenchUnavailable(f"{browser.CHROMIUM} is not installed (apt-get install chromium; .ci/run does)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise BenchUnavailable("the playwright package is not installed (pip install -r requirements-dev.txt)") from exc

    extra = _extra_queries(services)
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        folder = Path(tmp)
        log_path = run_log or folder / "run_times.jsonl"
        log_path.write_text("")
        env = {"DASHBOARD_RUN_TIMES": str(log_path), "DASHBOARD_ALLOW_ANONYMOUS": "1"}
        with serve(folder, rules_dir=services.config.rules_dir, env=env) as server, sync_playwright() as p:
            chromium = browser.launch(p)
            try:
                # One context: its HTTP cache keeps Streamlit's scripts after the first load, as a
                # returning reader's browser does. Each address opened is still a new Streamlit session.
                context = chromium.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
                browser.install_run_probe(context)
                pg = context.new_page()
                pg.set_default_timeout(120_000)
                bench = _PageBench(pg, server.base, RunLog(log_path), quiet_ms)
                return bench.run(list(pages), extra, repeat)
            finally:
                chromium.close()


def _extra_queries(services: Services) -> dict[str, str]:
    """Pages that show one thing named in their link: the task page, on the catalogue's first task."""
    tasks = list(services.catalogue.tasks)
    return {"task": f"?task={tasks[0]}"} if tasks else {}


class _PageBench:
    """One browser tab on the served app, and the figures it collects."""

    def __init__(self, pg: Any, base: str, log: RunLog, quiet_ms: int):
        self.pg, self.base, self.log, self.quiet_ms = pg, base, log, quiet_ms
        self.bootstrap: list[float] = []  # navigation start → the server's first message, every full load
        self.switch_start: list[float] = []  # click → the server's first message, every menu switch

    def _open(self, address: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Open an address; the probe once the page is idle, and the runs the app logged meanwhile."""
        self.log.take()
        self.pg.goto(self.base + address, wait_until="commit")
        done = browser.wait_finished(self.pg, 0, self.quiet_ms)
        return done, self.log.take()

    def _is_signed_in(self) -> bool:
        return self.pg.locator(".st-key-signout_go").count() > 0

    def _signed_in(self, done: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Sign in on the open page unless it is already (the session cookie keeps a sign-in across
        loads); the probe once the sign-in's run is done, and the runs it took."""
        if self._is_signed_in():
            return done, []
        _sign_in(self.pg)
        done = browser.wait_finished(self.pg, done["messages"], self.quiet_ms)
        if not self.pg.locator(".st-key-signout_go").count():
            raise RuntimeError("signing in with the demo account failed")
        return done, self.log.take()

    def run(self, pages: list[str], extra: dict[str, str], repeat: int) -> dict[str, Any]:
        # The first load after start-up fills the process's caches (rules, evaluation): shown, not counted.
        cold, cold_runs = self._open("/")
        home = _drawn_by(cold_runs, None, "/")["page"]  # the default page, at the root address
        anonymous_menu = _menu_paths(self.pg)
        self._signed_in(cold)
        menu = _menu_paths(self.pg)

        def key_of(path: str) -> str:
            return path.strip("/") or home

        menu_keys = [key_of(path) for path in menu]
        # The pages only the signed-in menu has: a load signs in on the page if it finds itself signed
        # out (the session cookie should keep the first sign-in; `load_signs_in` says when it did not).
        protected = set(menu_keys) - {key_of(path) for path in anonymous_menu}
        addresses = dict(zip(menu_keys, menu))
        order = [*pages, *[k for k in menu_keys if k not in pages]]  # and a menu page the caller did not name
        figures = {k: _Figures() for k in order}

        for _ in range(repeat):
            for key in order:
                self._load(key, addresses.get(key, f"/{key}") + extra.get(key, ""), key in protected, figures[key])
            self._menu_round(menu, menu_keys, figures)
        return self._result(figures, cold["finishedAt"] / 1000, repeat)

    def _load(self, key: str, address: str, sign_in: bool, fig: _Figures) -> None:
        """One full load of a page by its address (signed into on the page when it must be and is not)."""
        done, runs = self._open(address)
        self.bootstrap.append(done["firstMessage"] / 1000)
        if sign_in and not self._is_signed_in():
            done, more = self._signed_in(done)
            runs += more
            fig.signs_in = True
        _check_page(self.pg, address)
        fig.loads.append(done["finishedAt"] / 1000)
        fig.runs.append(len(runs))
        fig.server.append(_drawn_by(runs, key, address)["seconds"])

    def _menu_round(self, menu: list[str], keys: list[str], figures: dict[str, _Figures]) -> None:
        """Signed in on the first menu page, click each next menu link in turn, back round to the first."""
        done, _ = self._open(menu[0])
        done, _ = self._signed_in(done)
        links = self.pg.locator(_MENU_LINKS)
        for i in [*range(1, len(menu)), 0]:
            what = f"menu → {menu[i]}"
            links.nth(i).click()
            done = browser.wait_finished(self.pg, done["messages"], self.quiet_ms, origin=done["origin"])
            _check_page(self.pg, what)
            fig = figures[keys[i]]
            fig.switches.append((done["finishedAt"] - done["clickAt"]) / 1000)
            fig.server.append(_drawn_by(self.log.take(), keys[i], what)["seconds"])
            self.switch_start.append((done["clickMessage"] - done["clickAt"]) / 1000)

    def _result(self, figures: dict[str, _Figures], cold_s: float, repeat: int) -> dict[str, Any]:
        per_page: dict[str, dict[str, Any]] = {}
        for key, fig in figures.items():
            entry: dict[str, Any] = {
                "load_s": _median(fig.loads),
                "switch_s": _median(fig.switches),
                "server_s": _median(fig.server),
                "runs": statistics.median(fig.runs) if fig.runs else None,
            }
            if fig.signs_in:
                entry["load_signs_in"] = True
            per_page[key] = entry
        loads = [e["load_s"] for e in per_page.values() if e["load_s"] is not None]
        switches = [e["switch_s"] for e in per_page.values() if e["switch_s"] is not None]
        servers = [e["server_s"] for e in per_page.values() if e["server_s"] is not None]
        return {
            "repeat": repeat,
            "pages": len(per_page),
            "goal_load_s": GOAL_LOAD_S,
            "goal_switch_s": GOAL_SWITCH_S,
            "cold_load_s": round(cold_s, 3),
            "bootstrap_s": _median(self.bootstrap),
            "switch_start_s": _median(self.switch_start),
            "load_median_s": _median(loads),
            "switch_median_s": _median(switches),
            "server_median_s": _median(servers),
            "over_goal_load": [k for k, e in per_page.items() if (e["load_s"] or 0) > GOAL_LOAD_S],
            "over_goal_switch": [k for k, e in per_page.items() if (e["switch_s"] or 0) > GOAL_SWITCH_S],
            **per_page,
        }


def quiet_streamlit_logs() -> None:
    """Only errors from Streamlit's loggers in this process.

    ``bench-pages`` reads the app's page registry, whose module declares Streamlit caches; outside a
    server each declaration logs "No runtime found" — noise around the figures.
    """
    import streamlit.logger

    streamlit.logger.set_log_level("error")
