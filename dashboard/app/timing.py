"""The server-side wall time of each script run, for ``python -m dashboard bench-pages``.

``streamlit_app.py`` calls :func:`start` first thing and :func:`finish` once the page has run. Only
when ``DASHBOARD_RUN_TIMES`` names a file (``Config.run_times``, read in ``dashboard.services``) is
one JSON line appended per run, ``{"page": "overview", "seconds": 0.1234}``; otherwise
:func:`start` returns ``None`` and :func:`finish` returns at once, so a deployment pays nothing.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from . import state as app_state

_log = logging.getLogger(__name__)
# Every browser session runs its script in its own thread of the one server process: one writer at a time
# keeps the lines whole.
_write_lock = threading.Lock()


@dataclass(frozen=True)
class RunClock:
    """When this run started, and the file its time goes to."""

    path: Path
    started: float


def start() -> RunClock | None:
    """Start timing this script run; ``None`` (nothing timed) unless run times are asked for."""
    started = time.perf_counter()  # before the configuration lookup: the run's whole time counts
    path = app_state.services().config.run_times
    return None if path is None else RunClock(path, started)


def finish(clock: RunClock | None, page: str) -> None:
    """Append this run's wall time for ``page`` (a key of ``widgets.PAGES``) to the run-times file."""
    if clock is None:
        return
    line = json.dumps({"page": page, "seconds": round(time.perf_counter() - clock.started, 4)}) + "\n"
    try:
        with _write_lock, clock.path.open("a", encoding="utf-8") as out:
            out.write(line)
    except OSError:
        # A benchmark aid must never break the page a reader is looking at: the bench sees the gap.
        _log.warning("could not append the run time to %s", clock.path, exc_info=True)
