"""``completeness``: the values due for a year that are still missing — the chase list a clerk sends out."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..messages import t
from .common import err, rules_or_exit, say, services


def cmd_completeness(args: argparse.Namespace) -> int:
    from ..reports.chase_list import chase_list_bytes
    from ..views import completeness as view

    rules = rules_or_exit(args)
    if rules is None:
        return 1
    svc = services(args)
    cat = svc.catalogue
    lang = args.lang
    if cat.reporting.file is None:
        err(say("COMPLETENESS_NO_REPORTING"))
        return 1
    try:
        unit = view.unit_code(cat, args.unit)
        view.check_year(rules, args.year)
    except view.CompletenessError as exc:
        err(exc.problem.format())
        return 1
    values = svc.store.current_values(years=[args.year])
    frame = view.completeness(values, rules, cat, args.year, unit, lang)
    s = view.summary(frame)
    chase = view.chase_list(frame, lang)
    title = f"{args.year} {t('completeness_chase_list', lang)}"
    data = chase_list_bytes(chase, args.format, title)
    if args.out:
        Path(args.out).write_bytes(data)
    elif args.format == "xlsx":
        err(say("cli_completeness_xlsx_needs_out"))
        return 1
    else:
        sys.stdout.write(data.decode("utf-8-sig").replace("\r\n", "\n"))
    # The counts on standard error: the chase list alone on standard output (pipe it, redirect it).
    err(
        say(
            "cli_completeness_summary",
            year=args.year,
            due=s["due"],
            reported=s["reported"],
            missing=s["missing"],
            rate=view.rate_text(s["rate"]),
        )
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "completeness",
        help="the values due for a year that are still missing, with their reporting unit (the chase list)",
    )
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--unit", help="only this unit's values (its code or name, as in rules/units.yaml)")
    p.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the headers and names")
    p.add_argument("--out", help="write to this file (required for xlsx) instead of standard output")
    p.add_argument("--rules")
    p.set_defaults(func=cmd_completeness)
