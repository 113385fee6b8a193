"""``bench-limits``: every worst case of the hostile-upload corpus, up to the upload limits, timed.

Each case of :mod:`.hostile` (built with ``full=True``: a file as large or as many-rowed as
``settings.yaml`` ``upload:`` admits, or just over the limit it tests) goes through the real intake
as an upload does — read and validate (``read_any_upload``), the preview against the store when it
is accepted (``preview_any``), the problem table rendered in both languages (``views.upload``) —
against a throw-away SQLite database holding the demo data. Each case runs in a fresh process,
warmed the way a serving app is (rules loaded, database opened, openpyxl imported), and reports its
wall time from the bytes to the rendered report, and its peak resident memory (``VmHWM`` of the
process). The goal of issue 14 is printed beside each figure: any file up to the upload limit
accepted or refused in at most 5 s and 300 MB. Figures, never assertions.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from ..services import Config, Services
from .hostile import CASE_NAMES, Case, cases

GOAL_SECONDS = 5.0
GOAL_RSS_MB = 300.0
_CHILD = "dashboard.bench.limits"


def _peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _rss_mb() -> float:
    """This process's resident set now (VmRSS), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def measure_one(path: Path, name: str, limits: dict) -> dict:
    """In this (fresh) process: one upload from bytes to rendered report; its figures.

    The configuration comes from the environment (``DASHBOARD_DB_URL``, ``DASHBOARD_RULES_DIR``)
    through :class:`Config`, as in every process of the product.
    """
    import openpyxl  # noqa: F401  (a serving app has imported it at its first workbook upload)

    from ..intake import preview_any, read_any_upload
    from ..views.upload import problem_table

    services = Services(Config.from_env())
    rules = services.rules
    if limits:
        upload = rules.settings.upload.model_copy(update=limits)
        rules = dataclasses.replace(rules, settings=rules.settings.model_copy(update={"upload": upload}))
    store = services.store
    store.data_version()  # the database is open, as in a serving app
    content = path.read_bytes()  # the upload's bytes, as the server holds them
    base_mb = _rss_mb()
    start = time.perf_counter()
    kind, report = read_any_upload(content, name, rules)
    preview = preview_any(kind, report, store) if report.ok else None
    for lang in ("zh", "en"):
        problem_table(report.problems, lang)
    seconds = time.perf_counter() - start
    errors = [p.message_id.value for p in report.errors]
    services.close()
    return {
        "outcome": f"refused {errors[0]}" if errors else f"accepted {len(report.rows):,} rows",
        "code": errors[0] if errors else "",
        "listed": len(report.problems),
        "counted": report.n_unlisted,
        "preview_rows": 0 if preview is None else len(preview),
        "seconds": round(seconds, 3),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "base_rss_mb": round(base_mb, 1),
    }


def _run_child(case: Case, path: Path, env: dict[str, str], timeout: float) -> dict:
    command = [sys.executable, "-m", _CHILD, str(path), case.name, json.dumps(case.limits)]
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"outcome": f"timeout after {timeout:g} s", "code": "timeout"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"outcome": f"crashed ({last[:120]})", "code": "crash"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _line(case: Case, figures: dict) -> str:
    """One case as a line: outcome, time and peak memory each beside its goal, and what the file is."""
    if "seconds" not in figures:
        return f"{figures['outcome']}  — {case.what}"
    expected = case.code or "accepted"
    got = figures["code"] or "accepted"
    mismatch = "" if got == expected else f" (expected {expected})"
    seconds, rss = figures["seconds"], figures["peak_rss_mb"]
    time_mark = "✓" if seconds <= GOAL_SECONDS else "✗"
    rss_mark = "✓" if rss <= GOAL_RSS_MB else "✗"
    return (
        f"{figures['outcome']}{mismatch}; {seconds:.2f} s (goal ≤ {GOAL_SECONDS:g} s {time_mark}); "
        f"peak RSS {rss:.0f} MB (goal ≤ {GOAL_RSS_MB:g} MB {rss_mark}; {figures['base_rss_mb']:.0f} MB before the "
        f"upload); {figures['listed']} problems listed, {figures['counted']:,} counted; "
        f"{len(case.content) / 1048576:.1f} MB — {case.what}"
    )


def run_limits_bench(
    config: Config, *, full: bool = True, only: Iterable[str] | None = None, timeout: float = 120.0
) -> dict:
    """The figures of every case (or of ``only``): one line each, plus the machine and the goal.

    ``full=False`` runs the small corpus of the tests instead (a smoke run of the command).
    """
    names = list(only) if only is not None else list(CASE_NAMES)
    unknown = set(names) - set(CASE_NAMES)
    if unknown:
        raise ValueError(f"unknown cases: {', '.join(sorted(unknown))} (known: {', '.join(CASE_NAMES)})")
    result: dict = {
        "machine": f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
        "goal": f"any file up to the upload limit accepted or refused in ≤ {GOAL_SECONDS:g} s and "
        f"≤ {GOAL_RSS_MB:g} MB peak RSS",
    }
    with tempfile.TemporaryDirectory(prefix="bench-limits-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        services = Services(dataclasses.replace(config, db_url=url))
        try:
            from ..demo import load_demo

            rules = services.rules
            load_demo(services.store, rules)
        finally:
            services.close()
        env = dict(os.environ, DASHBOARD_DB_URL=url, DASHBOARD_RULES_DIR=str(config.rules_dir))
        env["DASHBOARD_CACHE_DIR"] = str(config.cache_dir) if config.cache_dir else "off"
        built = time.perf_counter()
        corpus = cases(rules, full=full, only=names)
        result["corpus_built_s"] = round(time.perf_counter() - built, 1)
        for case in corpus:
            path = Path(tmp) / case.name
            path.write_bytes(case.content)
            result[case.name] = _line(case, _run_child(case, path, env, timeout))
            path.unlink()
    return result


def _main(argv: list[str]) -> int:
    """The child process: ``python -m dashboard.bench.limits FILE NAME LIMITS_JSON`` prints one JSON line."""
    path, name, limits = argv
    print(json.dumps(measure_one(Path(path), name, json.loads(limits)), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
