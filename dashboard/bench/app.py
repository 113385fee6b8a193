"""Warm-rerun benchmark of the app: the overview and the district grid on the demo data.

    python -m dashboard.app_bench            # prints seconds per warm rerun
    python -m dashboard.app_bench --json

Uses a throw-away SQLite database filled with the seeded demo data (all areas, all indicators,
2020–2025), runs each page once through ``streamlit.testing.v1.AppTest`` to warm the caches,
then times ``repeat`` further reruns and reports the median. Goal: under 1 s each on 2 cores.
"""

from __future__ import annotations

import logging
import os
import statistics
import tempfile
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ..demo import load_demo
from ..rules import RuleSet
from ..store import Store

ROOT = Path(__file__).resolve().parent.parent.parent
APP = str(ROOT / "streamlit_app.py")
PAGES = {"overview": "app_pages/overview.py", "district_grid": "app_pages/district.py"}


def run_app_bench(rules: RuleSet, repeat: int = 5, db_url: str | None = None) -> dict:
    """Median warm rerun seconds per page (and the data size), as a dict."""

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        url = db_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        os.environ["DASHBOARD_DB_URL"] = url
        store = Store(url)
        if store.is_empty():
            load_demo(store, rules)
        n_values = len(store.current_values())
        store.dispose()
        result: dict = {"values": n_values, "repeat": repeat}
        for name, page in PAGES.items():
            at = AppTest.from_file(APP, default_timeout=300)
            at.switch_page(page)
            t0 = time.perf_counter()
            at.run()
            result[f"{name}_first_s"] = round(time.perf_counter() - t0, 3)
            if at.exception:
                raise RuntimeError(f"{name}: {[e.value for e in at.exception]}")
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                at.run()
                times.append(time.perf_counter() - t0)
            result[f"{name}_warm_s"] = round(statistics.median(times), 3)
    return result
