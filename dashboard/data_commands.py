"""Data commands: import, export, history, rollback, demo, template, template-tasks, task-status,
bench-import.

``cli.build_parser`` calls :func:`register`. The app's upload and export pages use the same
functions (``intake.read_any_upload``, ``intake.preview_any``, ``intake.commit_any``, ``Store``,
:func:`export_table`, :func:`report_lines`, :func:`task_report_lines`), so the command line and the
app cannot disagree. ``import`` takes indicator files and task-progress files alike.
"""
from __future__ import annotations

import getpass
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import audit
from .rules import RuleSet, load_rules

EXPORT_COLUMNS = {
    "area_code": "地区代码", "area_name": "地区名称", "indicator_code": "指标代码", "indicator_name": "指标名称",
    "year": "年份", "value": "数值", "note": "备注", "batch_id": "批次",
}
# Excel runs a cell that starts with one of these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# ------------------------------------------------------------------------------ helpers for app & CLI
def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix ``'`` to text cells starting with ``= + - @`` (or tab/CR) so Excel shows, not runs, them."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            text = out[col].astype("string")
            risky = text.str.startswith(_FORMULA_START).fillna(False).astype(bool)
            out[col] = out[col].where(~risky, "'" + text)
    return out


def export_table(store, rules: RuleSet, lang: str = "zh") -> pd.DataFrame:
    """All current values with area and indicator names, neutralised, Chinese headers for ``zh``."""
    cur = store.current_values()
    names = {c: i.name_zh for c, i in rules.indicators.items()} | {c: s.name_zh for c, s in rules.context_series.items()}
    area_names = {c: a.name_zh for c, a in rules.areas.items()}
    frame = pd.DataFrame({
        "area_code": cur["area"].astype(object),
        "area_name": cur["area"].map(area_names).fillna(cur["area"]).astype(object),
        "indicator_code": cur["indicator"].astype(object),
        "indicator_name": cur["indicator"].map(names).fillna(cur["indicator"]).astype(object),
        "year": cur["year"],
        "value": cur["value"],
        "note": cur["note"].astype(object),
        "batch_id": cur["batch_id"],
    })
    frame = neutralise(frame)
    return frame.rename(columns=EXPORT_COLUMNS) if lang == "zh" else frame


def export_csv(store, rules: RuleSet) -> bytes:
    """:func:`export_table` as CSV in UTF-8 with BOM (Excel on Chinese Windows reads it right)."""
    return export_table(store, rules).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def _fmt(x) -> str:
    return "" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:g}"


def _preview_line(preview: pd.DataFrame, n_skipped: int, say) -> str:
    from .intake import preview_counts

    c = preview_counts(preview)
    return say(f"预览：新增 {c['new']}，更正 {c['correction']}，未变 {c['unchanged']}，跳过 {n_skipped}",
               f"preview: {c['new']} new, {c['correction']} corrections, {c['unchanged']} unchanged, "
               f"{n_skipped} skipped")


def report_lines(report, preview: pd.DataFrame | None = None, lang: str = "both", rules: RuleSet | None = None) -> list[str]:
    """The import report as text lines: summary, one problem per line, skipped cells, corrections."""
    def say(zh: str, en: str) -> str:
        return zh if lang == "zh" else en if lang == "en" else f"{zh} / {en}"

    fmt = "both" if lang == "both" else lang
    lines = [say(f"文件：{report.file_name}（{report.layout or '?'}，{report.encoding or '?'}，{report.n_bytes} 字节）",
                 f"file: {report.file_name} ({report.layout or '?'}, {report.encoding or '?'}, {report.n_bytes} bytes)")]
    for p in report.problems:
        lines.append(p.format(fmt))
    for r in report.skipped.itertuples(index=False):  # the cells reported as skipped, not observations stored
        loc = f"row {r.row}, column {r.column}"
        lines.append(f"{loc}: SKIPPED: " + say(f"未填报（“{r.text}”），不导入", f"no value reported ('{r.text}'), not imported"))
    if preview is not None and len(preview):
        lines.append(_preview_line(preview, report.n_skipped, say))
        for r in preview.loc[preview["kind"] == "correction"].itertuples(index=False):
            area = rules.area_name(r.area) if rules else r.area
            lines.append(f"row {r.source_row}: CORRECTION: {area} {r.indicator} {r.year}: {_fmt(r.old)} → {_fmt(r.new)}")
    return lines


def task_report_lines(report, preview: pd.DataFrame | None = None, lang: str = "both") -> list[str]:
    """The import report of a task-progress file as text lines, in the style of :func:`report_lines`."""
    from .task_progress import STATUS_LABELS

    def say(zh: str, en: str) -> str:
        return zh if lang == "zh" else en if lang == "en" else f"{zh} / {en}"

    def label(code) -> str:
        if not isinstance(code, str) or code not in STATUS_LABELS:
            return "—"
        return say(STATUS_LABELS[code]["zh"], STATUS_LABELS[code]["en"]) if lang != "both" else STATUS_LABELS[code]["zh"]

    fmt = "both" if lang == "both" else lang
    lines = [say(f"文件：{report.file_name}（任务进展，{report.encoding or '?'}，{report.n_bytes} 字节）",
                 f"file: {report.file_name} (task progress, {report.encoding or '?'}, {report.n_bytes} bytes)")]
    lines.extend(p.format(fmt) for p in report.problems)
    n_skipped = report.n_skipped
    if n_skipped:
        lines.append(say(f"模板中有 {n_skipped} 行未填写（无状态、完成值、备注），不导入",
                         f"{n_skipped} template rows not filled in (no status, number or note), not imported"))
    if preview is not None and len(preview):
        lines.append(_preview_line(preview, n_skipped, say))
        for r in preview.loc[preview["kind"] == "correction"].itertuples(index=False):
            target = f" #{int(r.target_no)}" if int(r.target_no) else ""
            old = " ".join(x for x in (label(r.old_status), _fmt(r.old_reached)) if x)
            new = " ".join(x for x in (label(r.status), _fmt(r.reached)) if x)
            if (r.old_note or "") != (r.note or ""):
                old, new = f"{old} ({r.old_note or ''})", f"{new} ({r.note or ''})"
            lines.append(f"row {r.source_row}: CORRECTION: {r.task}{target} {r.year}: {old} → {new}")
    return lines


def _uploader(name: str | None) -> str:
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no user database in some containers
        return os.environ.get("USER", "unknown")


def _rules(args) -> RuleSet | None:
    rules = load_rules(getattr(args, "rules", None))
    if not rules.ok:
        for p in rules.problems:
            print(p.format(), file=sys.stderr)
        print("规则有问题，请先运行 check-rules / the rules have problems; run check-rules first", file=sys.stderr)
        return None
    return rules


# ------------------------------------------------------------------------------ commands
def _rejected(n: int, lang: str) -> str:
    return {"zh": f"文件被拒绝，未保存任何数据（{n} 个问题）", "en": f"file rejected; nothing stored ({n} problems)"}.get(
        lang, f"文件被拒绝，未保存任何数据（{n} 个问题） / file rejected; nothing stored ({n} problems)")


def cmd_import(args) -> int:
    """Indicator values and task progress share one path: read, report every problem, preview, store."""
    from .intake import TASKS, commit_any, preview_any, read_any_upload_path
    from .store import Store

    rules = _rules(args)
    if rules is None:
        return 1
    path = Path(args.file)
    if not path.is_file():
        print(f"找不到文件 file not found: {path}", file=sys.stderr)
        return 1
    kind, report = read_any_upload_path(path, rules)
    store = Store() if report.ok else None
    preview = preview_any(kind, report, store) if store is not None else None
    lines = (task_report_lines(report, preview, args.lang) if kind == TASKS
             else report_lines(report, preview, args.lang, rules))
    for line in lines:
        print(line)
    if not report.ok:
        print(_rejected(len(report.errors), args.lang))
        return 1
    earlier = store.batches_with_sha256(report.sha256)
    if earlier:
        ids = ", ".join(map(str, earlier))
        print(f"注意：同样内容的文件已导入过（批次 {ids}） / note: a file with the same content was imported before (batch {ids})")
    what_zh, what_en = ("条任务进展", "task reports") if kind == TASKS else ("个数值", "values")
    if args.dry_run:
        print(f"试运行：可以保存 {len(report.rows)} {what_zh}，未写入数据库 / dry run: {len(report.rows)} {what_en} "
              "would be stored; nothing written")
        return 0
    uploader = _uploader(args.uploader)
    batch_id = commit_any(kind, report, store, uploader=uploader)
    audit.record(store.engine, uploader, "upload", report.file_name, batch=batch_id, rows=len(report.rows),
                 kind=kind, via="cli", sha256=report.sha256)
    b = store.batch(batch_id)
    tag_zh, tag_en = ("（任务进展）", " (task progress)") if kind == TASKS else ("", "")
    print(f"已保存为批次 {batch_id}{tag_zh}：新增 {b['n_new']}，更正 {b['n_corrected']}，未变 {b['n_unchanged']} / "
          f"stored as batch {batch_id}{tag_en}: {b['n_new']} new, {b['n_corrected']} corrected, "
          f"{b['n_unchanged']} unchanged")
    return 0


TASK_STATUS_COLUMNS = ["task", "title", "lead_units", "year", "status", "status_label", "target_no", "measure",
                       "target", "unit", "reached", "met", "note"]


def task_status_table(store, rules: RuleSet, year: int | None = None, lang: str = "zh") -> pd.DataFrame:
    """Every task target with the current report: ``task_status_frame`` over ``store.current_task_reports``."""
    from .task_progress import task_status_frame
    from .tasks import catalogue_for

    reports = store.current_task_reports(years=[year] if year is not None else None)
    frame = task_status_frame(catalogue_for(rules), reports, year=year, lang=lang)
    return neutralise(frame[TASK_STATUS_COLUMNS])


def cmd_task_status(args) -> int:
    from .store import Store

    rules = _rules(args)
    if rules is None:
        return 1
    frame = task_status_table(Store(), rules, args.year, args.lang)
    if args.format == "json":
        text = frame.to_json(orient="records", force_ascii=False, indent=1)
    else:
        text = frame.to_csv(index=False, lineterminator="\n")
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8-sig" if args.format == "csv" else "utf-8")
        print(f"已导出 exported: {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def cmd_template_tasks(args) -> int:
    from .task_progress import default_template_year, make_task_template
    from .tasks import catalogue_for

    rules = _rules(args)
    if rules is None:
        return 1
    start, end = rules.settings.plan_period.start, rules.settings.plan_period.end
    year = args.year if args.year is not None else default_template_year(rules)
    if not start <= year <= end:
        print(f"年份 {year} 不在规划期 {start}–{end} 内 / year {year} is outside the plan period {start}-{end}",
              file=sys.stderr)
        return 1
    fmt = args.format or ("xlsx" if args.out and args.out.lower().endswith(".xlsx") else "csv")
    current = None
    if args.filled:
        from .store import Store

        current = Store().current_task_reports(years=[year])
    data = make_task_template(catalogue_for(rules), year, fmt, current=current, all_tasks=args.all_tasks)
    out = args.out or f"task_template_{year}.{fmt}"
    Path(out).write_bytes(data)
    print(f"已生成任务进展模板 task-progress template written: {out} ({year})")
    return 0


def cmd_export(args) -> int:
    from .store import Store

    rules = _rules(args)
    if rules is None:
        return 1
    data = export_csv(Store(), rules)
    if args.out:
        Path(args.out).write_bytes(data)
        print(f"已导出 exported: {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(data.decode("utf-8-sig"))
    return 0


def cmd_history(args) -> int:
    from .store import Store

    frame = Store().batches()
    cols = ["id", "created_at", "kind", "uploader", "file_name", "n_rows", "n_new", "n_corrected", "n_unchanged",
            "n_skipped", "status", "rolled_back_at", "rolled_back_by", "sha256"]
    if args.format == "json":
        print(frame[cols].to_json(orient="records", force_ascii=False, date_format="iso", indent=1))
    else:
        sys.stdout.write(frame[cols].to_csv(index=False))
    return 0


def cmd_rollback(args) -> int:
    from .store import Store, StoreError

    store, user = Store(), _uploader(args.user)
    try:
        result = store.rollback(args.batch, user)
    except StoreError as exc:
        audit.record(store.engine, user, "rollback_refused", f"batch {args.batch}", via="cli")
        print(exc.problem.format(), file=sys.stderr)
        return 1
    audit.record(store.engine, user, "rollback", f"batch {args.batch}", via="cli")
    print(f"批次 {result['batch_id']} 已撤销：移除 {result['removed']} 个数值，恢复 {result['restored']} 个旧值 / "
          f"batch {result['batch_id']} rolled back: {result['removed']} values removed, {result['restored']} restored")
    return 0


def cmd_demo(args) -> int:
    from .demo import load_demo
    from .store import Store

    rules = _rules(args)
    if rules is None:
        return 1
    store = Store()
    if not store.is_empty():
        if args.if_empty:
            print("数据库已有数据，不加载示例数据 / the database has data; demo data not loaded")
            return 0
        print("数据库不是空的；示例数据只加载到空数据库 / the database is not empty; demo data only goes into an "
              "empty database", file=sys.stderr)
        return 1
    batch_id = load_demo(store, rules, seed=args.seed)
    n = store.batch(batch_id)["n_rows"]
    print(f"已加载示例数据：批次 {batch_id}，{n} 个数值（可用 rollback {batch_id} 删除） / "
          f"demo data loaded: batch {batch_id}, {n} values (remove with: rollback {batch_id})")
    return 0


def cmd_template(args) -> int:
    from .matching import match_area
    from .template import make_template

    rules = _rules(args)
    if rules is None:
        return 1
    code = match_area(rules, args.area)
    if code is None:
        print(f"未知地区 unknown area: {args.area}", file=sys.stderr)
        return 1
    values = None
    if args.filled:
        from .store import Store

        values = Store().current_values(areas=[code])
    data = make_template(rules, code, args.format, values=values)
    out = args.out or f"template_{code}.{args.format}"
    Path(out).write_bytes(data)
    print(f"已生成模板 template written: {out}")
    return 0


# ------------------------------------------------------------------------------ benchmark
def bench_rules(n_areas: int, root: Path) -> RuleSet:
    """A copy of the rules with ``n_areas`` areas: the real ones plus generated counties."""
    from .config import rules_dir

    target = root / "rules"
    shutil.copytree(rules_dir(), target)
    real = yaml.safe_load((target / "areas.yaml").read_text(encoding="utf-8"))["areas"]
    extra = max(0, n_areas - len(real))
    generated = [{"code": f"9{i:05d}", "name_zh": f"测试{i:04d}县", "name_en": f"Test County {i}",
                  "parent": real[0]["code"], "level": "county"} for i in range(1, extra + 1)]
    (target / "areas.yaml").write_text(yaml.safe_dump({"areas": real + generated}, allow_unicode=True), encoding="utf-8")
    rules = load_rules(target)
    if not rules.ok:
        raise RuntimeError("; ".join(p.format() for p in rules.problems[:5]))
    return rules


def bench_file(rules: RuleSet, year: int = 2021, seed: int = 20211) -> bytes:
    """A national one-year long CSV: every area × every indicator and context series, Chinese names."""
    rng = np.random.default_rng(seed)
    series = list(rules.indicators.values()) + list(rules.context_series.values())
    areas = [a.name_zh for a in rules.areas.values()]
    names = np.array([s.name_zh for s in series], dtype=object)
    lo = np.array([getattr(s, "valid_min", 0.0) or 0.0 for s in series])
    hi = np.array([getattr(s, "valid_max", None) or 100.0 for s in series])
    hi = np.minimum(hi, 100.0)
    a_idx = np.repeat(np.arange(len(areas)), len(series))
    s_idx = np.tile(np.arange(len(series)), len(areas))
    values = np.round(lo[s_idx] + rng.random(len(s_idx)) * (hi[s_idx] - lo[s_idx]), 2)
    frame = pd.DataFrame({"区县": np.asarray(areas, dtype=object)[a_idx], "指标": names[s_idx], "年份": year,
                          "数值": values, "备注": ""})
    return frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def run_import_bench(n_areas: int = 2844, db_url: str | None = None) -> dict:
    """Time validate (``read_upload``) and store (``Store.commit``) of a national one-year file."""
    from .store import Store
    from .upload import read_upload

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        rules = bench_rules(n_areas, root)
        content = bench_file(rules)
        store = Store(db_url or f"sqlite:///{root / 'bench.db'}")
        try:
            # CPU time next to wall time: on a shared machine the wall clock also measures the neighbours.
            t0, c0 = time.perf_counter(), time.process_time()
            report = read_upload(content, "national-2021.csv", rules, max_bytes=len(content))
            t1, c1 = time.perf_counter(), time.process_time()
            if not report.ok:
                raise RuntimeError("; ".join(p.format() for p in report.problems[:5]))
            batch_id = store.commit(report, uploader="bench")
            t2, c2 = time.perf_counter(), time.process_time()
            stored = store.batch(batch_id)["n_new"]
        finally:
            store.dispose()
    return {
        "areas": len(rules.areas), "series": len(rules.series_codes()), "rows": len(report.rows),
        "stored": int(stored), "file_mb": round(len(content) / 1048576, 2), "database": store.engine.dialect.name,
        "validate_s": round(t1 - t0, 3), "store_s": round(t2 - t1, 3), "total_s": round(t2 - t0, 3),
        "validate_cpu_s": round(c1 - c0, 3), "store_cpu_s": round(c2 - c1, 3),
        "load_avg_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "cpus": os.cpu_count(),
    }


def cmd_bench_import(args) -> int:
    from .cli import print_figures

    print_figures(run_import_bench(args.areas, args.db_url), args.json)
    return 0


# ------------------------------------------------------------------------------ registration
def register(sub) -> None:
    """Add the data commands to the ``python -m dashboard`` sub-parser."""
    p = sub.add_parser("import", help="validate a yearly data file (indicator values or task progress) and store it "
                                      "as one batch (exit 1 if rejected)")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="validate and preview only; store nothing")
    p.add_argument("--uploader", help="name recorded with the batch (default: the login name)")
    p.add_argument("--lang", choices=["zh", "en", "both"], default="both")
    p.add_argument("--rules")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="all current values as CSV (UTF-8 with BOM, Chinese headers)")
    p.add_argument("--out", help="write to this file instead of standard output")
    p.add_argument("--rules")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("history", help="list upload batches, newest first")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("rollback", help="undo a batch; the values it replaced become current again")
    p.add_argument("batch", type=int)
    p.add_argument("--user", help="name recorded with the rollback")
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

    p = sub.add_parser("bench-import", help="time validating and storing a national one-year file")
    p.add_argument("--areas", type=int, default=2844)
    p.add_argument("--db-url", help="database to store into (default: a temporary SQLite file)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench_import)
