"""``check-rules`` and ``indicators``: the maintainer's commands."""

from __future__ import annotations

import argparse

from ..rules.cache import load_cached
from .common import area_code, err, rules_or_exit, say, write_frame


def cmd_check_rules(args: argparse.Namespace) -> int:
    config = args.services.config
    # Read as it is on disk now (the cache answers when nothing changed since the last read).
    rules, cat = load_cached(config.rules_dir, config.cache_dir)
    if not rules.ok:
        # Task files are checked once the rules load (against broken rules they would only repeat
        # the same mistakes as false "unknown indicator" lines).
        for p in rules.problems:
            print(p.format())
        err(say("cli_rules_fix_first", n=len(rules.problems)))
        return 1
    for p in cat.problems:
        print(p.format())
    if cat.ok:
        print(
            say(
                "cli_rules_ok",
                indicators=len(rules.indicators),
                areas=len(rules.areas),
                files=len(rules.overrides),
                targets=sum(len(v) for v in rules.overrides.values()),
                tasks=len(cat.tasks),
                units=len(cat.units),
            )
        )
        return 0
    err(say("cli_problems", n=len(cat.problems)))
    return 1


def cmd_indicators(args: argparse.Namespace) -> int:
    rules = rules_or_exit(args)
    if rules is None:
        return 1
    write_frame(rules.catalogue(area_code(rules, args.area)), args.format, None)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check-rules", help="validate rules/ and print every problem as path:line: CODE: message")
    p.add_argument("--rules", help="rules directory (default: DASHBOARD_RULES_DIR or rules/)")
    p.set_defaults(func=cmd_check_rules)

    p = sub.add_parser("indicators", help="the indicator catalogue with the targets that apply to an area")
    p.add_argument("--area", help="area code or Chinese name (default: the plans' own targets)")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument("--rules")
    p.set_defaults(func=cmd_indicators)
