"""``completeness``: every value due for a year with its state, and the chase list a clerk sends out;
``not-obtainable``: state (or withdraw) that a due value cannot be obtained (无法取得).

``completeness`` prints the chase list (missing and returned values) by default; ``--state`` lists
the values in the states named instead (``all``: every value due). The counts go to standard error.
``not-obtainable`` runs through ``access.authorization.declare_not_obtainable_as`` — the app's own
check: as the operating-system user (an administrator's rights) or, with ``--as NAME``, as that
account after its password (area editors for their own areas only).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from ..messages import t
from .account_commands import acting_user, add_as_arguments
from .common import cli_origin, err, rules_or_exit, say, services

STATE_CHOICES = ("missing", "submitted", "approved", "returned", "not_obtainable", "all")


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
    values = view.stored_states(svc.store, args.year)
    frame = view.completeness(values, rules, cat, args.year, unit, lang, today=args.today)
    s = view.summary(frame)
    if args.state:
        states = None if "all" in args.state else list(dict.fromkeys(args.state))
        table = view.state_table(frame, lang, states)
        title = f"{args.year} {t('completeness_states_heading', lang)}"
    else:
        table = view.chase_list(frame, lang)
        title = f"{args.year} {t('completeness_chase_list', lang)}"
    data = chase_list_bytes(table, args.format, title)
    if args.out:
        Path(args.out).write_bytes(data)
    elif args.format == "xlsx":
        err(say("cli_completeness_xlsx_needs_out"))
        return 1
    else:
        sys.stdout.write(data.decode("utf-8-sig").replace("\r\n", "\n"))
    # The counts on standard error: the list alone on standard output (pipe it, redirect it).
    err(
        say(
            "cli_completeness_summary",
            year=args.year,
            **{k: v for k, v in s.items() if k not in ("rate", "review_rate")},
            rate=view.rate_text(s["rate"]),  # type: ignore[arg-type]
            review_rate=view.rate_text(s["review_rate"]),  # type: ignore[arg-type]
        )
    )
    return 0


def cmd_not_obtainable(args: argparse.Namespace) -> int:
    from ..access.authorization import Refused, declare_not_obtainable_as
    from ..intake.matching import match_area, match_indicator
    from ..messages import Code, Problem
    from ..store import StoreError
    from ..views import completeness as view

    rules = rules_or_exit(args)
    if rules is None:
        return 1
    area, indicator = match_area(rules, args.area), match_indicator(rules, args.indicator)
    if area is None or indicator is None or not rules.applies(area, indicator):
        err(Problem(Code.NOT_OBTAINABLE_UNKNOWN, {"area": args.area, "indicator": args.indicator}).format())
        return 1
    try:
        view.check_year(rules, args.year, Code.NOT_OBTAINABLE_YEAR)
    except view.CompletenessError as exc:
        err(exc.problem.format())
        return 1
    store = args.services.store
    user = acting_user(args, store.engine)
    if user is None:
        return 1
    reason = (args.reason or "").strip()
    try:
        declare_not_obtainable_as(user, store, area, indicator, args.year, reason, origin=cli_origin())
    except Refused as exc:  # refused and audited by the same rules as the app's
        for p in exc.problems:
            err(p.format())
        return 1
    except StoreError as exc:  # the store busy: nothing stored
        err(exc.problem.format())
        return 1
    key = "cli_not_obtainable_saved" if reason else "cli_not_obtainable_withdrawn"
    print(say(key, area=rules.area_name(area), indicator=indicator, year=args.year, reason=reason))
    return 0


def _day(text: str) -> date:
    """``--today``'s value; a text that is no date is refused in our words (exit 2, before any work)."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(say("cli_not_a_day", text=text)) from None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "completeness",
        help="the values due for a year with their reporting unit and state; by default the chase list "
        "(missing and returned values)",
    )
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--unit", help="only this unit's values (its code or name, as in rules/units.yaml)")
    p.add_argument(
        "--state",
        nargs="+",
        choices=STATE_CHOICES,
        help="list the values in these states instead of the chase list ('all': every value due)",
    )
    p.add_argument(
        "--today",
        type=_day,
        help="judge which values are late as on this day, YYYY-MM-DD (default: today): "
        "a list for a meeting's date, or a run that gives the same answer every day",
    )
    p.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the headers and names")
    p.add_argument("--out", help="write to this file (required for xlsx) instead of standard output")
    p.add_argument("--rules")
    p.set_defaults(func=cmd_completeness)

    n = sub.add_parser(
        "not-obtainable",
        help="state that a due value cannot be obtained (无法取得), with the reason; --reason '' withdraws it",
    )
    n.add_argument("--area", required=True, help="area code or name")
    n.add_argument("--indicator", required=True, help="indicator code or name")
    n.add_argument("--year", type=int, required=True)
    n.add_argument("--reason", required=True, help="why the value cannot be obtained ('' withdraws the statement)")
    add_as_arguments(n)
    n.add_argument("--rules")
    n.set_defaults(func=cmd_not_obtainable)
