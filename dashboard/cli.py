"""Command line: everything the app does, scriptable. ``python -m dashboard --help``.

Each command is a small function taking the parsed arguments and returning an exit code; the
parser is built in ``build_parser`` and each feature module registers its commands there.
"""
from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

import pandas as pd

from .rules import RuleSet, load_rules


def _stdout_utf8() -> None:
    # Windows consoles and pipes default to other encodings; Chinese must come out intact.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")


def _rules_or_exit(args) -> RuleSet | None:
    rules = load_rules(getattr(args, "rules", None))
    if not rules.ok:
        for p in rules.problems:
            print(p.format(), file=sys.stderr)
        print(f"规则有 {len(rules.problems)} 个问题，请先运行 check-rules 修正 / "
              f"rules have {len(rules.problems)} problem(s); fix them first (check-rules)", file=sys.stderr)
        return None
    return rules


def _write_frame(frame: pd.DataFrame, fmt: str, out: str | None) -> None:
    if fmt == "json":
        text = frame.to_json(orient="records", force_ascii=False, indent=1)
    else:
        buf = io.StringIO()
        frame.to_csv(buf, index=False)
        text = buf.getvalue()
    if out:
        Path(out).write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


# ------------------------------------------------------------------------------ rules & engine
def cmd_check_rules(args) -> int:
    from .tasks import load_tasks

    rules = load_rules(args.rules)
    if not rules.ok:
        # Task files refer to indicators and areas; checked against broken rules they would only
        # repeat the same mistakes as false "unknown indicator" lines.
        for p in rules.problems:
            print(p.format())
        print(f"{len(rules.problems)} 个问题 problem(s)；修正后再检查任务文件 / fix these, then tasks are checked",
              file=sys.stderr)
        return 1
    cat = load_tasks(rules.root, rules)
    problems = cat.problems
    for p in problems:
        print(p.format())
    if cat.ok:
        n_over = sum(len(v) for v in rules.overrides.values())
        print(f"OK: {len(rules.indicators)} 项指标 indicators, {len(rules.areas)} 个地区 areas, "
              f"{len(rules.overrides)} 个地区覆盖文件 override files ({n_over} targets), "
              f"{len(cat.tasks)} 项任务 tasks, {len(cat.units)} 个单位 units")
        return 0
    print(f"{len(problems)} 个问题 problem(s)", file=sys.stderr)
    return 1


def _area_code(rules: RuleSet, text: str | None) -> str | None:
    if text is None:
        return None
    from .matching import match_area

    code = match_area(rules, text)
    if code is None:
        raise SystemExit(f"未知地区 unknown area: {text}")
    return code


def cmd_indicators(args) -> int:
    rules = _rules_or_exit(args)
    if rules is None:
        return 1
    area = _area_code(rules, args.area)
    _write_frame(rules.catalogue(area), args.format, None)
    return 0


def cmd_evaluate(args) -> int:
    from .progress import evaluate, flags_text

    rules = _rules_or_exit(args)
    if rules is None:
        return 1
    if args.data:
        from .upload import read_upload

        report = read_upload(Path(args.data).read_bytes(), Path(args.data).name, rules)
        if not report.ok:
            for p in report.problems:
                print(p.format(), file=sys.stderr)
            return 1
        obs = report.rows
    else:
        from .store import Store

        obs = Store().current_values()
    area = _area_code(rules, args.area)
    out = evaluate(rules, obs, years=[args.year] if args.year else None, areas=[area] if area else None)
    out["flags"] = flags_text(out)
    cols = ["area_code", "area_name", "indicator", "year", "value", "value_used", "value_year", "baseline",
            "baseline_year", "baseline_source", "target_text", "check_kind", "target_value", "target_source",
            "attribute", "met", "margin", "progress_pct", "projected_2030", "ratio", "status", "flags"]
    _write_frame(out[cols], args.format, args.out)
    return 0


def cmd_report(args) -> int:
    from .progress import evaluate
    from .reports import build_docx, build_xlsx
    from .store import Store

    rules = _rules_or_exit(args)
    if rules is None:
        return 1
    area = _area_code(rules, args.area) or rules.city.code
    store = Store()
    obs = store.current_values()
    evaluated = evaluate(rules, obs, years=[args.year], areas=[area])
    demo = store.has_demo_data()
    if args.format == "docx":
        content = build_docx(rules, evaluated, area, args.year, args.lang, demo=demo)
    else:
        content = build_xlsx(rules, evaluated, area, args.year, args.lang, observations=obs, demo=demo)
    Path(args.out).write_bytes(content)
    print(f"{args.out}: {len(content)} bytes ({rules.area_name(area, args.lang)}, {args.year})")
    return 0


def cmd_bench(args) -> int:
    from .bench import run_bench

    print_figures(run_bench(areas=args.areas, seed=args.seed), args.json)
    return 0


def print_figures(result: dict, as_json: bool) -> None:
    """A benchmark's figures: one JSON object, or one ``name value`` line each."""
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return
    width = max(map(len, result)) + 2
    for key, value in result.items():
        print(f"{key:{width}s} {value}")


def cmd_bench_app(args) -> int:
    from .app_bench import main as app_bench_main

    return app_bench_main(["--repeat", str(args.repeat)] + (["--json"] if args.json else []))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard",
        description="妇儿规划监测 — women's and children's plan monitoring. "
                    "DASHBOARD_RULES_DIR and DASHBOARD_DB_URL point every command at other rules / another database.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("check-rules", help="validate rules/ and print every problem as path:line: CODE: message")
    p.add_argument("--rules", help="rules directory (default: DASHBOARD_RULES_DIR or rules/)")
    p.set_defaults(func=cmd_check_rules)

    p = sub.add_parser("indicators", help="the indicator catalogue with the targets that apply to an area")
    p.add_argument("--area", help="area code or Chinese name (default: the plans' own targets)")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument("--rules")
    p.set_defaults(func=cmd_indicators)

    p = sub.add_parser("evaluate", help="progress status per area × indicator × year")
    p.add_argument("--data", help="a long CSV/Excel file to evaluate instead of the database")
    p.add_argument("--year", type=int)
    p.add_argument("--area")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument("--out", help="write to this file instead of standard output")
    p.add_argument("--rules")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("report", help="the annual monitoring report (.docx) or tables (.xlsx) for an area and year")
    p.add_argument("--area", help="area code or name (default: the city)")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--format", choices=["docx", "xlsx"], default="docx")
    p.add_argument("--lang", choices=["zh", "en"], default="zh")
    p.add_argument("--out", required=True)
    p.add_argument("--rules")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("bench", help="time the engine on a synthetic national-scale data set")
    p.add_argument("--areas", type=int, default=2844, help="number of county-level areas (default 2844)")
    p.add_argument("--seed", type=int, default=20211)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("bench-app", help="warm rerun time of the overview and the district grid (AppTest, demo data)")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench_app)

    # ---- data commands (upload, storage, demo): registered by dashboard.data_commands
    try:
        from .data_commands import register as register_data
    except ImportError:
        register_data = None
    if register_data is not None:
        register_data(sub)
    from .account_commands import register as register_accounts

    register_accounts(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m dashboard``; returns the process exit code."""
    _stdout_utf8()
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)
