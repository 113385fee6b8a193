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
    # Warnings (a doubtful but possible entry): printed like problems, the exit stays 0.
    for p in [*rules.problems, *cat.problems]:
        print(p.format())
    if cat.ok:
        if getattr(args, "area", None):
            _print_area_changes(rules, area_code(rules, args.area))
        print(
            say(
                "cli_rules_ok",
                indicators=sum(1 for i in rules.indicators.values() if i.area is None),
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


def _print_area_changes(rules, area: str | None) -> None:
    """What ``area``'s file changes, one line per change next to the catalogue:
    ``file:line: W03 孕产妇死亡率: 目标 target: <8 → <10``."""
    from ..messages import Name

    if area is None:
        return
    name = Name(rules.area_name(area), rules.area_name(area, "en"))
    changes = sorted(rules.area_changes.get(area, []), key=lambda c: c.line or 0)
    if area not in rules.area_files:
        print(say("cli_area_no_file", area=name, code=area))
        return
    file, source = rules.area_files[area]
    print(say("cli_area_file", area=name, code=area, file=file, source=source, n=len(changes)))
    for c in changes:
        ind = rules.indicator_for(area, c.indicator)
        what = say(f"field_{c.field}")
        where = f"{c.file}:{c.line}" if c.line else c.file
        arrow = f"{c.before} → {c.after}" if c.before else c.after
        print(f"{where}: {c.indicator} {ind.name_zh} / {ind.name_en}: {what}: {arrow}")


def cmd_indicators(args: argparse.Namespace) -> int:
    rules = rules_or_exit(args)
    if rules is None:
        return 1
    write_frame(rules.catalogue(area_code(rules, args.area)), args.format, None)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check-rules", help="validate rules/ and print every problem as path:line: CODE: message")
    p.add_argument("--rules", help="rules directory (default: DASHBOARD_RULES_DIR or rules/)")
    p.add_argument("--area", help="also print what this area's file changes, line by line, next to the catalogue")
    p.set_defaults(func=cmd_check_rules)

    p = sub.add_parser("indicators", help="the indicator catalogue with the targets that apply to an area")
    p.add_argument("--area", help="area code or Chinese name (default: the plans' own targets)")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument("--rules")
    p.set_defaults(func=cmd_indicators)
