"""``python -m dashboard`` as a process: what it does to start up quickly changes no result.

``dashboard/__main__.py`` keeps pyarrow out of every command but the benchmarks and builds no pydantic
validator the command does not use. These tests run the real process (``python -X importtime`` lists
every module it loads on standard error) and compare what it prints with the same command run
in-process by ``main``, where pyarrow is loaded (Streamlit's tests import it).
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
from pathlib import Path

import openpyxl

from dashboard.cli import bench_commands, main, needs_arrow
from dashboard.rules import PUBLISHED_METHOD, MethodSettings, Settings

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -X importtime -m dashboard ARGS`` with the test's environment, from the checkout."""
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "dashboard", *args],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def _loaded(stderr: str) -> set[str]:
    """The modules ``-X importtime`` says the process imported (its last column).

    A refused import is listed too (pandas tries ``pyarrow``): that pyarrow was loaded shows in its
    compiled core, ``pyarrow.lib``.
    """
    return {line.rsplit("|", 1)[1].strip() for line in stderr.splitlines() if line.startswith("import time:")}


def test_the_benchmarks_are_named_as_registered():
    sub = argparse.ArgumentParser().add_subparsers()
    bench_commands.register(sub)
    assert tuple(sub.choices) == bench_commands.COMMANDS


def test_only_a_benchmark_needs_arrow_wherever_the_command_stands():
    assert needs_arrow(["bench-app", "--repeat", "1"]) and needs_arrow(["-v", "bench-pages"])
    assert not needs_arrow(["evaluate", "--data", "bench.csv"]) and not needs_arrow(["-v", "check-rules"])
    assert not needs_arrow([]) and not needs_arrow(["--help"])


def test_evaluate_runs_without_pyarrow_and_prints_what_main_prints(tmp_path, capsys):
    data = tmp_path / "values.csv"
    # GBK, as Excel on Chinese Windows saves it.
    data.write_text(
        "区县,指标,年份,数值\n万州区,W04,2021,93.5\n万州区,W04,2023,95\n万州区,C19,2025,96\n", encoding="gbk"
    )
    args = ["evaluate", "--data", str(data), "--year", "2025", "--area", "万州区"]
    process = _run(*args)
    assert process.returncode == 0, process.stderr[-2000:]
    loaded = _loaded(process.stderr)
    assert "pandas" in loaded and "pyarrow.lib" not in loaded
    assert main(args) == 0
    in_process = capsys.readouterr().out
    assert "pyarrow" in sys.modules  # the comparison is between the two configurations
    assert process.stdout == in_process and process.stdout.count("\n") == 91  # a header and 90 indicators


def test_a_refused_file_is_refused_alike_without_pyarrow(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("区县,指标,年份,数值\n万州区,C19,2019,95\n万州区,W04,2021,九十\n", encoding="utf-8")
    process = _run("evaluate", "--data", str(bad))
    assert process.returncode == 1
    assert main(["evaluate", "--data", str(bad)]) == 1
    in_process = capsys.readouterr().err
    problems = [line for line in process.stderr.splitlines() if not line.startswith("import time:")]
    assert problems == in_process.splitlines()
    assert any("row 2, column 年份: YEAR_OUT_OF_RANGE" in line for line in problems)


def test_the_report_tables_are_the_same_without_pyarrow(tmp_path, monkeypatch, demo_db):
    db = tmp_path / "demo.db"
    db.write_bytes(demo_db.read_bytes())
    monkeypatch.setenv("DASHBOARD_DB_URL", f"sqlite:///{db}")
    args = ["report", "--area", "江津区", "--year", "2024", "--format", "xlsx", "--out"]
    process = _run(*args, str(tmp_path / "process.xlsx"))
    assert process.returncode == 0, process.stderr[-2000:]
    assert "pyarrow.lib" not in _loaded(process.stderr)
    assert main([*args, str(tmp_path / "in_process.xlsx")]) == 0

    def cells(path: Path) -> dict[str, list[tuple]]:
        book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
        return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}

    made, expected = cells(tmp_path / "process.xlsx"), cells(tmp_path / "in_process.xlsx")
    assert made == expected and sum(len(rows) for rows in made.values()) > 90


def test_a_benchmark_runs_with_every_library_the_app_has():
    process = _run("bench", "--areas", "3", "--repeat", "1", "--json")
    assert process.returncode == 0, process.stderr[-2000:]
    assert "pyarrow.lib" in _loaded(process.stderr)


def test_loading_the_commands_builds_no_validator_and_no_pandas():
    # Validating at import (a model instance as a default) built eight validators and loaded
    # pydantic's plugin registry in every command, used or not.
    process = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-c",
            "import dashboard.cli, dashboard.rules as r; print(type(r.Settings.__pydantic_validator__).__name__)",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert process.stdout.strip() == "MockValSer"
    loaded = _loaded(process.stderr)
    assert "pydantic" in loaded and "pydantic.plugin._loader" not in loaded
    assert "pandas" not in loaded and "pyarrow.lib" not in loaded


def test_settings_defaults_are_those_the_yaml_would_give():
    assert Settings() == Settings.model_validate({}) == Settings.model_validate(Settings().model_dump())
    assert (
        MethodSettings.model_validate(
            {
                "strict_boundary": False,
                "smoothing": False,
                "aim": "centre",
                "rise_dip_cap": False,
                "deadline_rule": False,
            }
        )
        == PUBLISHED_METHOD
    )
