"""Data commands: import, export, history, rollback, demo, template, bench-import.

``cli.build_parser`` calls :func:`register`. The app's upload and export pages use the same
functions (``read_upload``, ``preview_changes``, ``Store``, :func:`export_table`,
:func:`report_lines`), so the command line and the app cannot disagree.
"""
from __future__ import annotations

import getpass
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

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
        counts = preview["kind"].value_counts()
        lines.append(say(f"预览：新增 {counts.get('new', 0)}，更正 {counts.get('correction', 0)}，"
                         f"未变 {counts.get('unchanged', 0)}，跳过 {len(report.skipped)}",
                         f"preview: {counts.get('new', 0)} new, {counts.get('correction', 0)} corrections, "
                         f"{counts.get('unchanged', 0)} unchanged, {len(report.skipped)} skipped"))
        for r in preview.loc[preview["kind"] == "correction"].itertuples(index=False):
            area = rules.area_name(r.area) if rules else r.area
            lines.append(f"row {r.source_row}: CORRECTION: {area} {r.indicator} {r.year}: {_fmt(r.old)} → {_fmt(r.new)}")
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
def cmd_import(args) -> int:
    from .store import Store
    from .upload import preview_changes, read_upload_path

    rules = _rules(args)
    if rules is None:
        return 1
    path = Path(args.file)
    if not path.is_file():
        print(f"找不到文件 file not found: {path}", file=sys.stderr)
        return 1
    report = read_upload_path(path, rules)
    store = Store() if report.ok else None
    preview = preview_changes(report, store) if store is not None else None
    for line in report_lines(report, preview, args.lang, rules):
        print(line)
    if not report.ok:
        n = len(report.errors)
        print({"zh": f"文件被拒绝，未保存任何数据（{n} 个问题）", "en": f"file rejected; nothing stored ({n} problems)"}
              .get(args.lang, f"文件被拒绝，未保存任何数据（{n} 个问题） / file rejected; nothing stored ({n} problems)"))
        return 1
    earlier = store.batches_with_sha256(report.sha256)
    if earlier:
        ids = ", ".join(map(str, earlier))
        print(f"注意：同样内容的文件已导入过（批次 {ids}） / note: a file with the same content was imported before (batch {ids})")
    if args.dry_run:
        print(f"试运行：可以保存 {len(report.rows)} 个数值，未写入数据库 / dry run: {len(report.rows)} values "
              "would be stored; nothing written")
        return 0
    batch_id = store.commit(report, uploader=_uploader(args.uploader))
    b = store.batch(batch_id)
    print(f"已保存为批次 {batch_id}：新增 {b['n_new']}，更正 {b['n_corrected']}，未变 {b['n_unchanged']} / "
          f"stored as batch {batch_id}: {b['n_new']} new, {b['n_corrected']} corrected, {b['n_unchanged']} unchanged")
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

    try:
        result = Store().rollback(args.batch, _uploader(args.user))
    except StoreError as exc:
        print(exc.problem.format(), file=sys.stderr)
        return 1
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
            t0 = time.perf_counter()
            report = read_upload(content, "national-2021.csv", rules, max_bytes=len(content))
            t1 = time.perf_counter()
            if not report.ok:
                raise RuntimeError("; ".join(p.format() for p in report.problems[:5]))
            batch_id = store.commit(report, uploader="bench")
            t2 = time.perf_counter()
            stored = store.batch(batch_id)["n_new"]
        finally:
            store.dispose()
    return {
        "areas": len(rules.areas), "series": len(rules.series_codes()), "rows": len(report.rows),
        "stored": int(stored), "file_mb": round(len(content) / 1048576, 2), "database": store.engine.dialect.name,
        "validate_s": round(t1 - t0, 3), "store_s": round(t2 - t1, 3), "total_s": round(t2 - t0, 3),
        "cpus": os.cpu_count(),
    }


def cmd_bench_import(args) -> int:
    result = run_import_bench(args.areas, args.db_url)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for k, v in result.items():
            print(f"{k:12s} {v}")
    return 0


# ------------------------------------------------------------------------------ registration
def register(sub) -> None:
    """Add the data commands to the ``python -m dashboard`` sub-parser."""
    p = sub.add_parser("import", help="validate a yearly data file and store it as one batch (exit 1 if rejected)")
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

    p = sub.add_parser("bench-import", help="time validating and storing a national one-year file")
    p.add_argument("--areas", type=int, default=2844)
    p.add_argument("--db-url", help="database to store into (default: a temporary SQLite file)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench_import)
