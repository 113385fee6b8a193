"""Command line: everything the app does, scriptable. ``python -m dashboard --help``.

One module per group of commands (``rules_commands``, ``engine_commands``, ``data_commands``,
``completeness_commands``, ``analysis_commands``, ``account_commands``, ``bench_commands``); each registers its sub-commands with :func:`build_parser`.
The services (rules, store) are built once in :func:`main` from the environment (``--rules``
overrides the rules directory) and reach every command as ``args.services``.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path

from ..services import Config, Services, configure_logging
from . import (
    account_commands,
    analysis_commands,
    bench_commands,
    completeness_commands,
    data_commands,
    engine_commands,
    review_commands,
    rules_commands,
)


def _stdout_utf8() -> None:
    # Windows consoles and pipes default to other encodings; Chinese must come out intact.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard",
        description="妇儿规划监测 — women's and children's plan monitoring. "
        "DASHBOARD_RULES_DIR and DASHBOARD_DB_URL point every command at other rules / another database.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens (on standard error)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (
        rules_commands,
        engine_commands,
        data_commands,
        completeness_commands,
        review_commands,
        analysis_commands,
        account_commands,
        bench_commands,
    ):
        module.register(sub)
    return parser


def needs_arrow(argv: Sequence[str]) -> bool:
    """Whether the command named in ``argv`` (``sys.argv[1:]``) may load Streamlit, and with it pyarrow.

    Only the benchmarks do (:data:`bench_commands.COMMANDS`); no other command reads or writes Arrow data.
    """
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    return command in bench_commands.COMMANDS


def main(argv: list[str] | None = None, services: Services | None = None) -> int:
    """Entry point of ``python -m dashboard``; returns the process exit code."""
    _stdout_utf8()
    args = build_parser().parse_args(argv)
    configure_logging(args.verbose)
    own = services is None
    if services is None:
        config = Config.from_env()
        if getattr(args, "rules", None):
            config = dataclasses.replace(config, rules_dir=Path(args.rules))
        services = Services(config)
    args.services = services
    try:
        return int(args.func(args) or 0)
    finally:
        if own:
            services.close()
