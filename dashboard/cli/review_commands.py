"""``review``: the review of reported values — the queue, approve / return / re-open, the history.

The same server-side checks as the review page (``access.authorization.review_as``): the operator
(no ``--as``) has an administrator's rights; ``--as NAME`` acts as that account, with its role.
"""

from __future__ import annotations

import argparse

from .account_commands import acting_user, add_as_arguments
from .common import area_code, cli_origin, err, rules_or_exit, say, write_frame

_ACTIONS = ("approve", "return", "reopen")


def _value_key(rules, text: str) -> tuple[str, str, int]:
    """``AREA,INDICATOR,YEAR`` (area by code or name) → a key; SystemExit with a clear line if not."""
    parts = [p.strip() for p in text.replace("，", ",").split(",")]
    if len(parts) != 3 or not parts[2].isdigit():
        raise SystemExit(say("cli_review_bad_value", value=text))
    area = area_code(rules, parts[0])
    assert area is not None
    if rules.indicator_for(area, parts[1]) is None:
        raise SystemExit(say("cli_review_unknown_indicator", indicator=parts[1]))
    return area, parts[1], int(parts[2])


def cmd_review_change(args: argparse.Namespace) -> int:
    from ..access.authorization import Refused, review_as
    from ..store.review import Action

    rules = rules_or_exit(args)
    if rules is None:
        return 1
    if (args.batch is None) == (not args.value):
        err(say("cli_review_batch_or_values"))
        return 1
    keys = [_value_key(rules, v) for v in args.value] if args.value else None
    store = args.services.store
    user = acting_user(args, store.engine)
    if user is None:
        return 1
    action = Action(args.review_action)
    try:
        n = review_as(user, store, action, batch_id=args.batch, keys=keys, comment=args.comment, origin=cli_origin())
    except Refused as exc:  # refused and audited by the same rules as the page's
        for p in exc.problems:
            err(p.format())
        return 1
    print(say(f"cli_review_done_{action.value}", n=n))
    return 0


def cmd_review_list(args: argparse.Namespace) -> int:
    from ..views.review_queue import queue_table

    rules = rules_or_exit(args)
    if rules is None:
        return 1
    area = area_code(rules, args.area)
    store = args.services.store
    states = store.review_states(areas=[area] if area else None, years=[args.year] if args.year else None)
    frame = queue_table(states, rules, args.state, args.lang)
    write_frame(frame, args.format, args.out)
    err(say("cli_review_listed", n=len(frame)))
    return 0


def cmd_review_history(args: argparse.Namespace) -> int:
    from ..views.review_queue import history_table

    rules = rules_or_exit(args)
    if rules is None:
        return 1
    area = area_code(rules, args.area)
    events = args.services.store.review_events(area=area, indicator=args.indicator, limit=args.limit)
    write_frame(history_table(events, rules, args.lang), args.format, args.out)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "review", help="the review of reported values: the queue, approve / return / re-open, the history"
    )
    review_sub = p.add_subparsers(dest="review_command", required=True, metavar="STEP")

    q = review_sub.add_parser("list", help="current values with their review state (default: those waiting)")
    q.add_argument("--year", type=int)
    q.add_argument("--area", help="area code or name")
    q.add_argument("--state", choices=["submitted", "returned", "approved", "all"], default="submitted")
    q.add_argument("--format", choices=["csv", "json"], default="csv")
    q.add_argument("--lang", choices=["zh", "en"], default="zh")
    q.add_argument("--out")
    q.add_argument("--rules")
    q.set_defaults(func=cmd_review_list)

    helps = {
        "approve": "approve submitted values (they appear on the dashboards and are locked)",
        "return": "return submitted values to their unit with a comment (--comment is required)",
        "reopen": "re-open approved values so that they can be corrected (--comment gives the reason, required)",
    }
    for name in _ACTIONS:
        a = review_sub.add_parser(name, help=helps[name])
        a.add_argument("--batch", type=int, help="every current value of this batch")
        a.add_argument(
            "--value",
            action="append",
            metavar="AREA,INDICATOR,YEAR",
            help="one value (area by code or name), e.g. 万州区,W04,2024; repeat for several",
        )
        a.add_argument("--comment", help="the comment (return) or reason (re-open) the unit reads")
        a.add_argument("--rules")
        add_as_arguments(a)
        a.set_defaults(func=cmd_review_change, review_action=name)

    h = review_sub.add_parser("history", help="every change of review state, newest first")
    h.add_argument("--area", help="area code or name")
    h.add_argument("--indicator")
    h.add_argument("--limit", type=int, default=500)
    h.add_argument("--format", choices=["csv", "json"], default="csv")
    h.add_argument("--lang", choices=["zh", "en"], default="zh")
    h.add_argument("--out")
    h.add_argument("--rules")
    h.set_defaults(func=cmd_review_history)
