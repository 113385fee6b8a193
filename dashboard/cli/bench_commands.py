"""``bench``, ``bench-import``, ``bench-app``, ``bench-pages``, ``bench-report``, ``bench-limits``: figures to
rerun on any machine, never assertions."""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import area_code, err, print_figures

# The commands ``register`` adds. They run with every library the app loads (Streamlit, and pyarrow
# beneath pandas), so that what they time is what the app does; ``python -m dashboard`` leaves pyarrow
# out of every other command (``dashboard/__main__.py``). A test checks this names what ``register`` adds.
COMMANDS = ("bench", "bench-import", "bench-app", "bench-pages", "bench-report", "bench-limits")


def cmd_bench(args: argparse.Namespace) -> int:
    from ..bench.engine import run_bench  # the benchmark's data generator is not needed by other commands

    print_figures(run_bench(args.services.rules, areas=args.areas, seed=args.seed, repeat=args.repeat), args.json)
    return 0


def cmd_bench_import(args: argparse.Namespace) -> int:
    from ..bench.imports import run_import_bench

    try:
        figures = run_import_bench(args.services.config.rules_dir, args.areas, args.db_url, args.db)
    except (ValueError, RuntimeError) as exc:  # a mismatched --db-url, a database not empty, no server
        err(f"bench-import: {exc}")
        return 1
    print_figures(figures, args.json)
    return 0


def cmd_bench_app(args: argparse.Namespace) -> int:
    from ..bench.app import run_app_bench  # Streamlit's test harness: only this command needs it

    print_figures(run_app_bench(args.services.rules, repeat=args.repeat), args.json)
    return 0


def _pairs(figures: dict) -> str:
    return "  ".join(f"{name}={value}" for name, value in figures.items())


def cmd_bench_pages(args: argparse.Namespace) -> int:
    from ..bench.pages import BenchUnavailable, quiet_streamlit_logs, run_pages_bench

    quiet_streamlit_logs()
    from ..app.widgets import PAGES  # the app's page registry (imports Streamlit: only this command needs it)

    try:
        result = run_pages_bench(args.services, list(PAGES), repeat=args.repeat, run_log=args.run_log)
    except BenchUnavailable as exc:
        err(f"bench-pages: {exc}")
        return 1
    if not args.json:  # one line per page: its figures as name=value
        result = {key: _pairs(value) if isinstance(value, dict) else value for key, value in result.items()}
    print_figures(result, args.json)
    return 0


def cmd_bench_report(args: argparse.Namespace) -> int:
    from ..bench.report import run_report_bench

    rules = args.services.rules
    area = area_code(rules, args.area)
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    try:
        figures = run_report_bench(
            args.services.config, area, args.year, args.lang, formats, args.repeat, not args.no_app, args.db_url
        )
    except ValueError as exc:  # an unknown format
        err(f"bench-report: {exc}")
        return 1
    print_figures(figures, args.json)
    return 0


def cmd_bench_limits(args: argparse.Namespace) -> int:
    from ..bench.limits import run_limits_bench

    only = [c.strip() for c in args.cases.split(",") if c.strip()] if args.cases else None
    try:
        figures = run_limits_bench(args.services.config, full=not args.small, only=only, timeout=args.timeout)
    except ValueError as exc:  # an unknown case name
        err(f"bench-limits: {exc}")
        return 1
    print_figures(figures, args.json)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="time the engine on a synthetic national-scale data set")
    p.add_argument("--areas", type=int, default=2844, help="number of county-level areas (default 2844)")
    p.add_argument("--seed", type=int, default=20211)
    p.add_argument("--repeat", type=int, default=5, help="timed runs of the engine; the median is printed")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("bench-import", help="time validating and storing a national one-year file")
    p.add_argument("--areas", type=int, default=2844)
    p.add_argument(
        "--db",
        choices=("sqlite", "postgresql", "both"),
        help="back-end: a temporary SQLite file (the default), a throw-away PostgreSQL server started for the "
        "run (the newest /usr/lib/postgresql/*/bin), or both one after the other, with the PostgreSQL/SQLite ratios",
    )
    p.add_argument(
        "--db-url",
        help="an empty database to store into instead of the throw-away one of its back-end (emptied again after)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench_import)

    p = sub.add_parser("bench-app", help="warm rerun time of the overview and the district grid (AppTest, demo data)")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench_app)

    p = sub.add_parser(
        "bench-pages", help="full-load and menu-switch time of every page in Chromium, and the server's script time"
    )
    p.add_argument("--repeat", type=int, default=3, help="loads of each page and rounds of the menu (median printed)")
    p.add_argument("--run-log", type=Path, help="keep the app's run times (JSON lines) in this file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench_pages)

    p = sub.add_parser(
        "bench-report", help="time one area's report (docx, xlsx, pdf): in a warm process, as a command, in the app"
    )
    p.add_argument("--area", help="area code or name (default: the city)")
    p.add_argument("--year", type=int, help="default: the latest year with data")
    p.add_argument("--lang", choices=["zh", "en"], default="zh")
    p.add_argument("--formats", default="docx,xlsx", help="comma-separated: docx, xlsx, pdf (default docx,xlsx)")
    p.add_argument("--repeat", type=int, default=5, help="timed runs of each; the median is printed")
    p.add_argument("--no-app", action="store_true", help="leave out the app's figures (Streamlit's AppTest)")
    p.add_argument("--db-url", help="a database with data to use instead of a temporary one with the demo data")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_bench_report)

    p = sub.add_parser(
        "bench-limits",
        help="feed every hostile upload, up to the upload limits, through the intake: outcome, time, peak memory",
    )
    p.add_argument("--cases", help="comma-separated case names (default: all), e.g. huge_cell.csv,many_rows.csv")
    p.add_argument("--small", action="store_true", help="the small corpus of the tests instead of the worst cases")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds a case may take before it is stopped")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_bench_limits)
