"""``bench-report``: how long one area's annual report takes — in a warm process, as a command, and in the app.

For one area and year (default: the city, the latest year with data) on a throw-away SQLite file
filled with the seeded demo data (or the database ``--db-url`` names), the median of ``repeat`` runs:

* ``<format>_in_process_s``: :func:`~dashboard.reports.documents.area_report` in this process, its
  imports done and services built — the area's values read and judged, the document built;
* ``<format>_cli_wall_s``: ``python -m dashboard report --format <format> …`` as a new process, from
  its start to the file written (after one untimed run, so the loaded-rules cache is warm as in use);
* ``docx_app_s``: the evaluation page (``streamlit.testing.v1.AppTest``): from the click on "make the
  Word report" to the end of that run, with the report built afresh (caches emptied before each
  round). The page offers the Word file before it asks LibreOffice for the PDF, so LibreOffice is
  hidden during that run and the PDF is timed by ``pdf_in_process_s`` (``--formats pdf``);
  ``app_page_s`` is the page's own warm run, without the click, for comparison.

Figures, never assertions: they belong to the machine (README, Benchmarks).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from ..demo import load_demo
from ..reports import pdf
from ..reports.documents import FORMATS, area_report
from ..services import Config, Services

ROOT = Path(__file__).resolve().parent.parent.parent
APP = str(ROOT / "streamlit_app.py")
PAGE = "app_pages/evaluation.py"


def _median(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times), 3)


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """``os.environ`` with ``values`` for the duration (the app reads its configuration from it)."""
    before = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextmanager
def _quiet() -> Iterator[None]:
    """No warnings logged meanwhile: outside a server Streamlit warns of its missing runtime, noise
    among the figures."""
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


def _cli(env: dict[str, str], area: str, year: int, fmt: str, lang: str, out: Path) -> Callable[[], object]:
    command = [sys.executable, "-m", "dashboard", "report", "--area", area, "--year", str(year)]
    command += ["--format", fmt, "--lang", lang, "--out", str(out)]
    return lambda: subprocess.run(command, env=env, check=True, capture_output=True, cwd=ROOT)


def _app_figures(area: str, year: int, lang: str, repeat: int) -> dict[str, float]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    def page() -> AppTest:
        at = AppTest.from_file(APP, default_timeout=300)
        at.switch_page(PAGE)
        for name, value in (("area", area), ("eval_year", str(year)), ("lang", lang)):
            at.query_params[name] = value
        return at

    def check(at: AppTest) -> None:
        if at.exception:
            raise RuntimeError(f"evaluation page: {[e.value for e in at.exception]}")

    clicks, reruns = [], []
    for _ in range(repeat):
        st.cache_data.clear()  # the report is built afresh, not handed back from the last round
        at = page().run()  # the page, its evaluation cached (untimed)
        check(at)
        t0 = time.perf_counter()
        at.run()
        reruns.append(time.perf_counter() - t0)
        at.button(key="make_docx").click()
        with mock.patch.object(pdf, "office_program", return_value=None):
            t0 = time.perf_counter()
            at.run()
            clicks.append(time.perf_counter() - t0)
        check(at)
        if "eval_docx" not in [d.key for d in at.get("download_button")]:
            raise RuntimeError("evaluation page: no Word report after the click")
    return {"docx_app_s": round(statistics.median(clicks), 3), "app_page_s": round(statistics.median(reruns), 3)}


def run_report_bench(
    config: Config,
    area: str | None = None,
    year: int | None = None,
    lang: str = "zh",
    formats: tuple[str, ...] = ("docx", "xlsx"),
    repeat: int = 5,
    app: bool = True,
    db_url: str | None = None,
) -> dict:
    """The figures described in the module's docstring, as one dict (``config``: the rules and their cache)."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown formats: {', '.join(sorted(unknown))}")
    if "pdf" in formats and not pdf.available():
        formats = tuple(f for f in formats if f != "pdf")  # no LibreOffice: no PDF figures
    with tempfile.TemporaryDirectory() as tmp:
        url = db_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        services = Services(dataclasses.replace(config, db_url=url))
        try:
            rules, store = services.rules, services.store
            if store.is_empty():
                load_demo(store, rules)
            values = store.current_values()
            area = area or rules.city.code
            year = year or int(values["year"].max())
            result: dict = {"area": area, "year": year, "lang": lang, "values": len(values), "repeat": repeat}

            env = dict(os.environ, DASHBOARD_DB_URL=url, DASHBOARD_RULES_DIR=str(config.rules_dir))
            env["DASHBOARD_CACHE_DIR"] = str(config.cache_dir) if config.cache_dir else "off"
            for fmt in formats:

                def build(fmt: str = fmt) -> object:
                    return area_report(store, rules, services.catalogue, area, year, fmt, lang)

                build()  # warm: fonts found, first-call caches filled
                result[f"{fmt}_in_process_s"] = _median(build, repeat)
                command = _cli(env, area, year, fmt, lang, Path(tmp) / f"report.{fmt}")
                command()  # warm: the loaded-rules cache written, the files in the page cache
                result[f"{fmt}_cli_wall_s"] = _median(command, repeat)
            if app:  # the app reads its configuration from the environment
                names = ("DASHBOARD_DB_URL", "DASHBOARD_RULES_DIR", "DASHBOARD_CACHE_DIR")
                with _environment({name: env[name] for name in names}), _quiet():
                    result.update(_app_figures(area, year, lang, repeat))
        finally:
            services.close()
    return result
