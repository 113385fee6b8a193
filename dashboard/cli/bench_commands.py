"""``bench``, ``bench-import``, ``bench-app``: figures to rerun on any machine, never assertions."""

from __future__ import annotations

import argparse

from .common import print_figures


def cmd_bench(args: argparse.Namespace) -> int:
    from ..bench.engine import run_bench  # the benchmark's data generator is not needed by other commands

    print_figures(run_bench(args.services.rules, areas=args.areas, seed=args.seed), args.json)
    return 0


def cmd_bench_import(args: argparse.Namespace) -> int:
    from ..bench.imports import run_import_bench

    print_figures(run_import_bench(args.services.config.rules_dir, args.areas, args.db_url), args.json)
    return 0


def cmd_bench_app(args: argparse.Namespace) -> int:
    from ..bench.app import run_app_bench  # Streamlit's test harness: only this command needs it

    print_figures(run_app_bench(args.services.rules, repeat=args.repeat), args.json)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="time the engine on a synthetic national-scale data set")
    p.add_argument("--areas", type=int, default=2844, help="number of county-level areas (default 2844)")
    p.add_argument("--seed", type=int, default=20211)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("bench-import", help="time validating and storing a national one-year file")
    p.add_argument("--areas", type=int, default=2844)
    p.add_argument("--db-url", help="database to store into (default: a temporary SQLite file)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench_import)

    p = sub.add_parser("bench-app", help="warm rerun time of the overview and the district grid (AppTest, demo data)")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench_app)
