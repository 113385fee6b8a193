"""``python -m dashboard analysis set|show``: the responsible unit's analysis (分析评估) of an indicator's year.

``set`` writes (an empty ``--text`` withdraws) the analysis of one area, indicator and year through
``access.authorization.write_analysis_as`` — the app's own check: as the operating-system user (an
administrator's rights, no account) or, with ``--as NAME``, as that account after its password
(area editors only for their areas). ``show`` prints the standing analyses of an area and indicator
and, with ``--history``, every text ever written (withdrawals too), newest first.
"""

from __future__ import annotations

import argparse

from ..messages import t
from .account_commands import acting_user, add_as_arguments
from .common import area_code, cli_origin, err, rules_or_exit, say


def _indicator(rules, text: str) -> str:
    """An indicator given by code or name (as the upload reads it); SystemExit when unknown."""
    from ..intake.matching import match_indicator

    code = match_indicator(rules, text)
    if code is None:
        raise SystemExit(say("cli_analysis_unknown_indicator", indicator=text))
    return code


def cmd_analysis_set(args: argparse.Namespace) -> int:
    from ..access.authorization import Refused, write_analysis_as
    from ..store import StoreError

    rules = rules_or_exit(args)
    if rules is None:
        return 1
    area, indicator = area_code(rules, args.area), _indicator(rules, args.indicator)
    assert area is not None
    store = args.services.store
    user = acting_user(args, store.engine)
    if user is None:
        return 1
    try:
        stored = write_analysis_as(user, store, rules, area, indicator, args.year, args.text, origin=cli_origin())
    except Refused as exc:  # refused and audited by the same rules as the app's
        for p in exc.problems:
            err(p.format())
        return 1
    except StoreError as exc:  # too long, or the store busy: nothing stored
        err(exc.problem.format())
        return 1
    key = "cli_analysis_saved" if stored else "cli_analysis_withdrawn"
    print(say(key, area=rules.area_name(area), indicator=indicator, year=args.year, n=len(stored)))
    return 0


def cmd_analysis_show(args: argparse.Namespace) -> int:
    from ..store.analyses import analysis_history, current_analyses
    from ..views.common import local_time

    rules = rules_or_exit(args)
    if rules is None:
        return 1
    area, indicator = area_code(rules, args.area), _indicator(rules, args.indicator)
    assert area is not None
    engine = args.services.store.engine
    if args.history:
        frame = analysis_history(engine, area, indicator, args.year)
    else:
        frame = current_analyses(engine, areas=[area], years=[args.year] if args.year is not None else None)
        frame = frame.loc[frame["indicator"] == indicator]
    if frame.empty:
        print(say("cli_analysis_none", args.lang, area=rules.area_name(area, args.lang), indicator=indicator))
        return 0
    frame = frame.assign(at=local_time(frame["at"]))  # the reader's clock, as the app shows it
    for r in frame.itertuples(index=False):
        at = r.at
        text = r.text or t("analysis_withdrawn_mark", args.lang)
        print(say("cli_analysis_entry", args.lang, year=int(r.year), at=at, author=r.author, text=text))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``analysis set`` and ``analysis show`` to the ``python -m dashboard`` sub-parser."""
    p = sub.add_parser("analysis", help="the responsible unit's analysis (分析评估) of an indicator's year")
    commands = p.add_subparsers(dest="analysis_command", required=True, metavar="ACTION")

    s = commands.add_parser("set", help="write an analysis (an empty --text withdraws it)")
    s.add_argument("--area", required=True, help="area code or name")
    s.add_argument("--indicator", required=True, help="indicator code or name")
    s.add_argument("--year", type=int, required=True)
    s.add_argument("--text", required=True, help="the analysis: reasons, measures, difficulties ('' withdraws it)")
    add_as_arguments(s)
    s.add_argument("--rules")
    s.set_defaults(func=cmd_analysis_set)

    w = commands.add_parser("show", help="an area and indicator's analyses (with --history: every text written)")
    w.add_argument("--area", required=True, help="area code or name")
    w.add_argument("--indicator", required=True, help="indicator code or name")
    w.add_argument("--year", type=int, help="only this year")
    w.add_argument("--history", action="store_true", help="every text ever written, withdrawals too, newest first")
    w.add_argument("--lang", choices=["zh", "en"], default="zh")
    w.add_argument("--rules")
    w.set_defaults(func=cmd_analysis_show)
