"""Debian's Chromium driven by Playwright, and knowing when Streamlit has finished a run.

Shared by ``bench-pages`` and the real-browser tests (``tests/browser_support.py``). Playwright is a
development dependency (``requirements-dev.txt``): nothing here imports it at module level, and
nothing ever downloads a browser — :data:`CHROMIUM` is the system's.

The page is idle when Streamlit's app element reports that the script is not running
(``data-test-script-state="notRunning"``) and no element is stale (``data-stale="true"``: drawn
by the previous run and not yet confirmed or removed by this one). The tests' :func:`settle` waits
for that (and then some); the benchmark's :func:`wait_finished` also needs the server to have
gone quiet, and notes in the page when the last run was drawn.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

_STATE = "document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state')"
IDLE_JS = (
    "() => {"
    f" const state = {_STATE};"
    ' const drawn = document.querySelector(\'[data-testid="stMain"] [data-testid="stElementContainer"]\');'
    " return state === 'notRunning' && !!drawn && !document.querySelector('[data-stale=\"true\"]')"
    "   && !document.querySelector('[data-testid=\"stSkeleton\"]'); }"
)
"""True when the page is drawn and idle: no run going on, nothing stale, no placeholder skeleton."""

# Installed in every document of a browser context (before Streamlit's own scripts). It notes, in ms
# since navigation start (``performance.now()``), the server's messages (Streamlit's WebSocket: a run
# sends its elements and its end there) and when the page was next idle after the last one — the run
# finished and drawn. The script-state attribute alone is not enough: when a run is quick, the
# browser can take its start and its end in one render and the attribute never changes. Noted in the
# page, the times carry no delay of the polling from Python.
RUN_PROBE_JS = """
(() => {
  const probe = {
    origin: performance.timeOrigin, messages: 0, firstMessage: null, lastMessage: null, pending: false,
    finishedAt: null, clickAt: null, clickMessage: null,
  };
  window.__dashboardRuns = probe;
  const attr = 'data-test-script-state';
  probe.isIdle = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    return !!app && app.getAttribute(attr) === 'notRunning' && !document.querySelector('[data-stale="true"]');
  };
  addEventListener('click', () => { probe.clickAt = performance.now(); probe.clickMessage = null; }, true);
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', () => {
        const now = performance.now();
        probe.messages++;
        probe.lastMessage = now;
        probe.pending = true;
        if (probe.firstMessage === null) probe.firstMessage = now;
        if (probe.clickAt !== null && probe.clickMessage === null) probe.clickMessage = now;
      });
    }
  };
  // The first change of the page that leaves it idle after a message is that message drawn.
  new MutationObserver(() => {
    if (probe.pending && probe.isIdle()) {
      probe.finishedAt = performance.now();
      probe.pending = false;
    }
  }).observe(document, {
    subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: [attr, 'data-stale'],
  });
})();
"""


def chromium_available() -> bool:
    """Whether Debian's Chromium is installed (``apt-get install chromium``; ``.ci/run`` does)."""
    return Path(CHROMIUM).exists()


def launch(playwright: Any) -> Any:
    """Headless Chromium from ``/usr/bin/chromium`` (never a downloaded browser)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def settle(pg: Any, extra_ms: int = 600, fresh: bool = False) -> None:
    """Wait until Streamlit has finished the run (the tests' wait, generous rather than exact).

    ``fresh``: the page was just loaded by its address, so its main area starts empty and "drawn"
    alone tells that the run got going; after a click the old page is still there and idle, so the
    new run must be given a moment to start first.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    pg.wait_for_selector('[data-testid="stApp"]')
    if fresh:
        pg.wait_for_selector('[data-testid="stMain"] h1', timeout=60_000)  # every page has a title
    else:
        # A check made before the click's run started would see the old page, idle.
        with contextlib.suppress(PlaywrightTimeout):
            pg.wait_for_function(f"() => {_STATE} !== 'notRunning'", timeout=1500)
    pg.wait_for_function(IDLE_JS, timeout=60_000)
    # On a busy machine a rerun can still be drawing: wait until the page's text stops changing.
    previous = None
    for _ in range(40):
        now = pg.evaluate("() => document.querySelector('[data-testid=\"stApp\"]').innerText.length")
        if now == previous:
            break
        previous = now
        pg.wait_for_timeout(250)
    pg.wait_for_timeout(extra_ms)


def install_run_probe(context: Any) -> None:
    """Count runs and note when each page became idle, in every page the context opens."""
    context.add_init_script(RUN_PROBE_JS)


def probe(pg: Any) -> dict[str, Any]:
    """The page's run probe now: ``messages`` (from the server so far), ``idle``, ``pending`` (a message
    not drawn yet) and, in ms since navigation start, ``firstMessage``, ``lastMessage``, ``finishedAt``
    (the page idle after the last message), ``clickAt`` and ``clickMessage`` (the first message after
    the last click); ``origin`` tells documents apart."""
    return dict(
        pg.evaluate(
            "() => { const p = window.__dashboardRuns; const {isIdle, ...figures} = p;"
            " return {...figures, idle: isIdle()}; }"
        )
    )


def wait_finished(
    pg: Any, after: int, quiet_ms: int = 500, timeout_ms: int = 60_000, origin: float | None = None
) -> dict[str, Any]:
    """Wait until the server sent more than ``after`` messages, then nothing for ``quiet_ms``, and the page is idle.

    A page may start another run right after one ends (a rerun it asks for): only when the server
    stays silent for the quiet period is the last run the last. Returns the probe then; its
    ``finishedAt`` is when the last run was finished and drawn, in ms since navigation start.
    ``origin``: the document meant (a click that should rerun this page): a new document is an error,
    not a wait until the timeout.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        pg.wait_for_function(
            "([n, quiet, origin]) => { const p = window.__dashboardRuns;"
            " if (!p) return false;"
            " if (origin !== null && p.origin !== origin) return true;"
            " return p.messages > n && performance.now() - p.lastMessage >= quiet && p.isIdle(); }",
            arg=[after, quiet_ms, origin],
            timeout=timeout_ms,
            polling=50,
        )
    except PlaywrightTimeout as exc:
        raise RuntimeError(f"{pg.url}: no finished run after {timeout_ms} ms (probe {probe(pg)})") from exc
    done = probe(pg)
    if origin is not None and done["origin"] != origin:
        raise RuntimeError(f"{pg.url}: the browser loaded a new page instead of rerunning this one")
    if done["pending"]:  # the last message changed nothing on the page: it was drawn when it came
        done["finishedAt"] = done["lastMessage"]
    return done
