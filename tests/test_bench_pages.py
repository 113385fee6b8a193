"""``python -m dashboard bench-pages`` as a smoke: every page loaded and switched to in Chromium.

Only the shape of the figures is checked — one entry per page, positive numbers, the app's run-times
log naming the app's pages — never a time: timings belong to the machine (README, Benchmarks).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browser_support import require_browser
from page_names import PAGES, SIGNED_IN_ONLY

from dashboard.bench.pages import RunLog
from dashboard.cli import main
from dashboard.services import Config


def test_run_times_are_logged_only_when_asked():
    assert Config.from_env({}).run_times is None
    assert Config.from_env({"DASHBOARD_RUN_TIMES": " "}).run_times is None
    assert Config.from_env({"DASHBOARD_RUN_TIMES": "/tmp/runs.jsonl"}).run_times == Path("/tmp/runs.jsonl")


def test_the_run_log_is_read_a_whole_line_at_a_time(tmp_path):
    path = tmp_path / "runs.jsonl"
    log = RunLog(path)
    assert log.take() == []  # the app has not written yet
    path.write_text('{"page": "overview", "seconds": 0.1}\n{"page": "dom')
    assert log.take() == [{"page": "overview", "seconds": 0.1}]  # a line being written waits
    with path.open("a") as f:
        f.write('ain", "seconds": 0.2}\n')
    assert log.take() == [{"page": "domain", "seconds": 0.2}]
    assert log.take() == []


@pytest.mark.browser
def test_bench_pages_measures_every_page(tmp_path, capsys):
    require_browser()
    log = tmp_path / "run_times.jsonl"
    assert main(["bench-pages", "--repeat", "1", "--json", "--run-log", str(log)]) == 0
    result = json.loads(capsys.readouterr().out)

    pages = {key: figures for key, figures in result.items() if isinstance(figures, dict)}
    assert list(pages) == list(PAGES) and result["pages"] == len(PAGES)
    for key, figures in pages.items():
        assert figures["load_s"] > 0 and figures["server_s"] > 0 and figures["runs"] >= 1, key
    # Every page of the admin's menu was switched to; only a page outside the menu has no switch figure.
    switched = [key for key, figures in pages.items() if figures["switch_s"] is not None]
    assert all(pages[key]["switch_s"] > 0 for key in switched)
    assert len(switched) >= len(PAGES) - 2 and "overview" in switched and set(SIGNED_IN_ONLY) <= set(switched)
    # A sign-in survives a reload (the session cookie): no page had to be signed into on its load.
    assert {key for key, figures in pages.items() if figures.get("load_signs_in")} == set()
    for name in ("cold_load_s", "bootstrap_s", "switch_start_s", "load_median_s", "switch_median_s"):
        assert result[name] > 0, name

    runs = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert {run["page"] for run in runs} == set(PAGES)  # the app logs each run under its registry key
    assert all(run["seconds"] > 0 for run in runs)
