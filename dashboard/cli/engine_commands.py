"""``evaluate`` and ``report``: the engine's judgement as a table, and the documents a committee sends."""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import area_code, err, rules_or_exit, say, write_frame

EVALUATE_COLUMNS = [
    "area_code",
    "area_name",
    "indicator",
    "year",
    "value",
    "value_used",
    "value_year",
    "baseline",
    "baseline_year",
    "baseline_source",
    "target_text",
    "check_kind",
    "target_value",
    "target_source",
    "attribute",
    "met",
    "margin",
    "progress_pct",
    "projected_2030",
    "ratio",
    "status",
    "flags",
    "plan_period",
]


def cmd_evaluate(args: argparse.Namespace) -> int:
    from ..engine import flags_text
    from ..engine.periods import evaluate_by_plan
    from ..intake.indicator_values import read_upload
    from ..rules import PUBLISHED_METHOD

    rules = rules_or_exit(args)
    if rules is None:
        return 1
    if args.data:
        path = Path(args.data)
        report = read_upload(path.read_bytes(), path.name, rules)
        if not report.ok:
            for p in report.problems:
                err(p.format())
            return 1
        obs = report.rows
    else:
        # The approved values, as the dashboards show them; --unreviewed: the submitted ones too.
        obs = args.services.store.shown_values(unreviewed=args.unreviewed)
    area = area_code(rules, args.area)
    method = PUBLISHED_METHOD if args.method == "published" else None
    if args.period is not None and args.period not in {p.period_key for p in rules.all_plans()}:
        err(say("cli_unknown_period", period=args.period, known=[p.period_key for p in rules.all_plans()]))
        return 1
    # Each year is judged by the plan whose years contain it (2020: the 2011-2020 plan, if there is one).
    out = evaluate_by_plan(
        rules,
        obs,
        years=[args.year] if args.year else None,
        areas=[area] if area else None,
        method=method,
        period=args.period,
    )
    out["flags"] = flags_text(out)
    write_frame(out[EVALUATE_COLUMNS], args.format, args.out)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from ..reports.documents import area_report

    rules = rules_or_exit(args)
    if rules is None:
        return 1
    area = area_code(rules, args.area) or rules.city.code
    services = args.services
    content = area_report(
        services.store, rules, services.catalogue, area, args.year, args.format, args.lang, unreviewed=args.unreviewed
    )
    if content is None:
        err(say("cli_pdf_unavailable"))
        return 1
    Path(args.out).write_bytes(content)
    print(
        say("cli_report_written", path=args.out, n=len(content), area=rules.area_name(area, args.lang), year=args.year)
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="progress status per area × indicator × year")
    p.add_argument("--data", help="a long CSV/Excel file to evaluate instead of the database")
    p.add_argument(
        "--unreviewed",
        action="store_true",
        help="from the database: the current values whatever their review state (default: approved values only)",
    )
    p.add_argument("--year", type=int)
    p.add_argument("--area")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument(
        "--method",
        choices=["adapted", "published"],
        default="adapted",
        help="adapted: the committee's rules (settings.yaml method:, docs/method.md part B); "
        "published: Open SDG's method unadapted, for comparison",
    )
    p.add_argument("--out", help="write to this file instead of standard output")
    p.add_argument(
        "--period",
        help="judge against this plan (2011-2020, 2021-2030; default: the plan whose years contain --year)",
    )
    p.add_argument("--rules")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("report", help="the annual monitoring report (.docx) or tables (.xlsx) for an area and year")
    p.add_argument("--area", help="area code or name (default: the city)")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--format", choices=["docx", "pdf", "xlsx"], default="docx")
    p.add_argument("--lang", choices=["zh", "en"], default="zh")
    p.add_argument("--out", required=True)
    p.add_argument(
        "--unreviewed",
        action="store_true",
        help="include values not yet approved, marked as such (default: approved values only; the report says which)",
    )
    p.add_argument("--rules")
    p.set_defaults(func=cmd_report)
