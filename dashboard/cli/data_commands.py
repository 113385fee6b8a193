"""Data commands: import, export, history, rollback, demo, template, template-tasks, task-status.

The app's upload page uses the same functions (``intake.read_any_upload``, ``intake.preview_any``,
``access.authorization``, ``Store``), so the command line and the app cannot disagree. ``import``
takes indicator files and task-progress files alike. ``import`` and ``rollback`` run as the
operating-system user (an administrator's rights, no owner account) or, with ``--as NAME``, as
that account after its password (``account_commands.acting_user``); their audit lines carry
``os_user@host`` either way.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .account_commands import acting_user, add_as_arguments
from .common import cli_origin, err, rules_or_exit, say, write_frame

if TYPE_CHECKING:  # imported where used: a command loads only what it needs (fast start-up)
    import pandas as pd

    from ..rules import RuleSet


def _fmt(x: object) -> str:
    import pandas as pd

    return "" if x is None or (isinstance(x, float) and pd.isna(x)) else f"{x:g}"


def _preview_line(preview: pd.DataFrame, n_skipped: int, lang: str) -> str:
    from ..intake import preview_counts

    c = preview_counts(preview)
    return say(
        "cli_preview", lang, new=c["new"], corrected=c["correction"], unchanged=c["unchanged"], skipped=n_skipped
    )


def report_lines(
    report, preview: pd.DataFrame | None = None, lang: str = "both", rules: RuleSet | None = None
) -> list[str]:
    """The import report of an indicator file as text lines: summary, problems, skipped cells, corrections."""
    fmt = "both" if lang == "both" else lang
    lines = [
        say(
            "cli_file_values",
            lang,
            name=report.file_name,
            layout=report.layout or "?",
            encoding=report.encoding or "?",
            n=report.n_bytes,
        )
    ]
    lines.extend(p.format(fmt) for p in report.problems)
    for r in report.skipped.itertuples(index=False):
        lines.append(f"row {r.row}, column {r.column}: SKIPPED: " + say("cli_skipped_cell", lang, text=r.text))
    if preview is not None and len(preview):
        lines.append(_preview_line(preview, report.n_skipped, lang))
        if report.n_analyses:
            lines.append(say("cli_preview_analyses", lang, n=report.n_analyses))
        for r in preview.loc[preview["kind"] == "correction"].itertuples(index=False):
            area = rules.area_name(r.area) if rules else r.area
            lines.append(
                f"row {r.source_row}: CORRECTION: {area} {r.indicator} {r.year}: {_fmt(r.old)} → {_fmt(r.new)}"
            )
    return lines


def task_report_lines(report, preview: pd.DataFrame | None = None, lang: str = "both") -> list[str]:
    """The import report of a task-progress file as text lines, in the style of :func:`report_lines`."""
    from ..engine.task_status import task_status_label

    def label(code: object) -> str:
        return task_status_label(code, "zh" if lang == "both" else lang) if isinstance(code, str) else "—"

    fmt = "both" if lang == "both" else lang
    lines = [say("cli_file_tasks", lang, name=report.file_name, encoding=report.encoding or "?", n=report.n_bytes)]
    lines.extend(p.format(fmt) for p in report.problems)
    if report.n_skipped:
        lines.append(say("cli_unfilled_rows", lang, n=report.n_skipped))
    if preview is not None and len(preview):
        lines.append(_preview_line(preview, report.n_skipped, lang))
        for r in preview.loc[preview["kind"] == "correction"].itertuples(index=False):
            target = f" #{int(r.target_no)}" if int(r.target_no) else ""
            old = " ".join(x for x in (label(r.old_status), _fmt(r.old_reached)) if x)
            new = " ".join(x for x in (label(r.status), _fmt(r.reached)) if x)
            if (r.old_note or "") != (r.note or ""):
                old, new = f"{old} ({r.old_note or ''})", f"{new} ({r.note or ''})"
            lines.append(f"row {r.source_row}: CORRECTION: {r.task}{target} {r.year}: {old} → {new}")
    return lines


def cmd_import(args: argparse.Namespace) -> int:
    """Indicator values and task progress share one path: read, report every problem, preview, store."""
    from ..access.authorization import Refused, upload_any_as
    from ..intake import TASKS, preview_any, read_any_upload_path

    rules = rules_or_exit(args)
    if rules is None:
        return 1
    path = Path(args.file)
    if not path.is_file():
        err(say("cli_file_not_found", path=str(path)))
        return 1
    kind, report = read_any_upload_path(path, rules, sheet=args.sheet)
    store = args.services.store if report.ok else None
    preview = preview_any(kind, report, store) if store is not None else None
    lines = (
        task_report_lines(report, preview, args.lang)
        if kind == TASKS
        else report_lines(report, preview, args.lang, rules)
    )
    for line in lines:
        print(line)
    if store is None:
        print(say("cli_rejected", args.lang, n=report.n_errors))  # listed or only counted
        return 1
    earlier = store.batches_with_sha256(report.sha256)
    if earlier:
        print(say("cli_same_file_before", batches=", ".join(map(str, earlier))))
    if args.dry_run:
        print(say("cli_dry_run_tasks" if kind == TASKS else "cli_dry_run_values", n=len(report.rows)))
        return 0
    user = acting_user(args, store.engine)
    if user is None:
        return 1
    try:
        batch_id = upload_any_as(
            user, store, kind, report, args.services.catalogue, origin=cli_origin(), reason=args.reason
        )
    except Refused as exc:  # the account may not upload, or not these rows: nothing stored
        for p in exc.problems:
            err(p.format())
        print(say("cli_rejected", args.lang, n=len(exc.problems)))
        return 1
    b = store.batch(batch_id) or {}
    print(
        say(
            "cli_stored_tasks" if kind == TASKS else "cli_stored",
            batch=batch_id,
            new=b.get("n_new", 0),
            corrected=b.get("n_corrected", 0),
            unchanged=b.get("n_unchanged", 0),
        )
    )
    return 0


def cmd_task_status(args: argparse.Namespace) -> int:
    from ..reports.exports import task_status_table

    rules = rules_or_exit(args)
    if rules is None:
        return 1
    frame = task_status_table(args.services.store, rules, args.year, args.lang)
    write_frame(frame, args.format, args.out)
    if args.out:
        err(say("cli_exported", path=args.out))
    return 0


def cmd_template_tasks(args: argparse.Namespace) -> int:
    from ..intake.task_progress import default_template_year
    from ..reports.templates import make_task_template

    rules = rules_or_exit(args)
    if rules is None:
        return 1
    start, end = rules.settings.plan_period.start, rules.settings.plan_period.end
    year = args.year if args.year is not None else default_template_year(rules)
    if not start <= year <= end:
        err(say("cli_year_outside_plan", year=year, start=start, end=end))
        return 1
    fmt = args.format or ("xlsx" if args.out and args.out.lower().endswith(".xlsx") else "csv")
    current = args.services.store.current_task_reports(years=[year]) if args.filled else None
    data = make_task_template(args.services.catalogue, year, fmt, current=current, all_tasks=args.all_tasks)
    out = args.out or f"task_template_{year}.{fmt}"
    Path(out).write_bytes(data)
    print(say("cli_task_template_written", path=out, year=year))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from ..reports.exports import export_csv

    rules = rules_or_exit(args)
    if rules is None:
        return 1
    data = export_csv(args.services.store, rules, unreviewed=args.unreviewed)
    if args.out:
        Path(args.out).write_bytes(data)
        err(say("cli_exported", path=args.out))
    else:
        sys.stdout.write(data.decode("utf-8-sig"))
    return 0


HISTORY_COLUMNS = [
    "id",
    "created_at",
    "kind",
    "uploader",
    "owner_id",
    "file_name",
    "n_rows",
    "n_new",
    "n_corrected",
    "n_unchanged",
    "n_skipped",
    "status",
    "rolled_back_at",
    "rolled_back_by",
    "sha256",
]


def cmd_history(args: argparse.Namespace) -> int:
    frame = args.services.store.batches()
    write_frame(frame[HISTORY_COLUMNS], args.format, None)
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    from ..access.authorization import Refused, rollback_as
    from ..store import StoreError, audit

    store = args.services.store
    user = acting_user(args, store.engine)
    if user is None:
        return 1
    origin = cli_origin()
    try:
        result = rollback_as(user, store, args.batch, origin=origin)
    except Refused as exc:  # refused and audited by the same rules as the app's
        for p in exc.problems:
            err(p.format())
        return 1
    except StoreError as exc:
        audit.record(store.engine, user.name, "rollback_refused", f"batch {args.batch}", **origin)
        err(exc.problem.format())
        return 1
    print(
        say(
            "cli_rolled_back",
            batch=result["batch_id"],
            removed=result["removed"],
            restored=result["restored"],
            kept=result["kept"],
        )
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from ..demo import demo_batches, load_demo

    rules = rules_or_exit(args)
    if rules is None:
        return 1
    store = args.services.store
    if not store.is_empty():
        if args.if_empty:
            print(say("cli_demo_not_empty_ok"))
            return 0
        err(say("cli_demo_not_empty"))
        return 1
    batch_id = load_demo(store, rules, seed=args.seed)
    demo = demo_batches(store)  # newest first, as rollbacks must go
    n = int(demo.loc[demo["id"] == batch_id, "n_rows"].sum())
    tasks = int(demo.loc[demo["id"] != batch_id, "n_rows"].sum())
    order = " ".join(f"rollback {b}" for b in demo["id"])
    print(say("cli_demo_loaded", batch=batch_id, n=n, tasks=tasks, order=order))
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from ..intake.matching import match_area
    from ..reports.templates import make_template

    rules = rules_or_exit(args)
    if rules is None:
        return 1
    code = match_area(rules, args.area)
    if code is None:
        err(say("cli_unknown_area", area=args.area))
        return 1
    values = args.services.store.current_values(areas=[code]) if args.filled else None
    data = make_template(rules, code, args.format, values=values)
    out = args.out or f"template_{code}.{args.format}"
    Path(out).write_bytes(data)
    print(say("cli_template_written", path=out))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the data commands to the ``python -m dashboard`` sub-parser."""
    p = sub.add_parser(
        "import",
        help="validate a yearly data file (indicator values or task progress) and store it "
        "as one batch (exit 1 if rejected)",
    )
    p.add_argument("file")
    p.add_argument(
        "--sheet", help="of a workbook with several sheets, the one to read (its name as the sheet tab shows it)"
    )
    p.add_argument("--dry-run", action="store_true", help="validate and preview only; store nothing")
    p.add_argument(
        "--reason",
        help="an approver's reason for changing approved values (re-opens them; without it such rows are refused)",
    )
    add_as_arguments(p)
    p.add_argument("--lang", choices=["zh", "en", "both"], default="both")
    p.add_argument("--rules")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="all approved values as CSV (UTF-8 with BOM, Chinese headers)")
    p.add_argument("--out", help="write to this file instead of standard output")
    p.add_argument(
        "--unreviewed",
        action="store_true",
        help="the current values whatever their review state, with a 审核状态 column (default: approved values)",
    )
    p.add_argument("--rules")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("history", help="list upload batches, newest first")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("rollback", help="undo a batch; the values it replaced become current again")
    p.add_argument("batch", type=int)
    add_as_arguments(p)
    p.set_defaults(func=cmd_rollback)

    p = sub.add_parser("demo", help="fill an empty database with seeded, labelled demo data")
    p.add_argument("--if-empty", action="store_true", help="do nothing (exit 0) when the database has data")
    p.add_argument("--seed", type=int, default=20211)
    p.add_argument("--rules")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("template", help="the wide yearly template for one area (CSV or Excel)")
    p.add_argument("--area", required=True, help="area code or Chinese name")
    p.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    p.add_argument("--out", help="output file (default template_<code>.<format>)")
    p.add_argument("--filled", action="store_true", help="pre-fill the values already stored")
    p.add_argument("--rules")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("template-tasks", help="the fillable yearly task-progress sheet (CSV or Excel)")
    p.add_argument("--out", help="output file (default task_template_<year>.<format>)")
    p.add_argument("--format", choices=["csv", "xlsx"], help="default: from --out's extension, else csv")
    p.add_argument("--year", type=int, help="the year reported on (default: last year, within the plan period)")
    p.add_argument("--all-tasks", action="store_true", help="every task, not only those running in --year")
    p.add_argument("--filled", action="store_true", help="pre-fill the reports already stored for --year")
    p.add_argument("--rules")
    p.set_defaults(func=cmd_template_tasks)

    p = sub.add_parser("task-status", help="every task target with its reported status, reached number and met")
    p.add_argument("--year", type=int, help="this year only (default: each task's latest reported year)")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of unit names and status labels")
    p.add_argument("--out", help="write to this file instead of standard output")
    p.add_argument("--rules")
    p.set_defaults(func=cmd_task_status)
