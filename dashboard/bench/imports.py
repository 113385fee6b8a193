"""``bench-import``: validating and storing a national one-year file (2,844 areas × every series)."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..intake.indicator_values import read_upload
from ..rules import RuleSet, load_rules
from ..store import Store


def bench_rules(rules_dir: Path, n_areas: int, root: Path) -> RuleSet:
    """A copy of the rules with ``n_areas`` areas: the real ones plus generated counties."""
    target = root / "rules"
    shutil.copytree(rules_dir, target)
    real = yaml.safe_load((target / "areas.yaml").read_text(encoding="utf-8"))["areas"]
    extra = max(0, n_areas - len(real))
    generated = [
        {
            "code": f"9{i:05d}",
            "name_zh": f"测试{i:04d}县",
            "name_en": f"Test County {i}",
            "parent": real[0]["code"],
            "level": "county",
        }
        for i in range(1, extra + 1)
    ]
    (target / "areas.yaml").write_text(
        yaml.safe_dump({"areas": real + generated}, allow_unicode=True), encoding="utf-8"
    )
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
    frame = pd.DataFrame(
        {"区县": np.asarray(areas, dtype=object)[a_idx], "指标": names[s_idx], "年份": year, "数值": values, "备注": ""}
    )
    return frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def run_import_bench(rules_dir: Path, n_areas: int = 2844, db_url: str | None = None) -> dict:
    """Time validate (``read_upload``) and store (``Store.commit``) of a national one-year file."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        rules = bench_rules(rules_dir, n_areas, root)
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
        "areas": len(rules.areas),
        "series": len(rules.series_codes()),
        "rows": len(report.rows),
        "stored": int(stored),
        "file_mb": round(len(content) / 1048576, 2),
        "database": store.engine.dialect.name,
        "validate_s": round(t1 - t0, 3),
        "store_s": round(t2 - t1, 3),
        "total_s": round(t2 - t0, 3),
        "validate_cpu_s": round(c1 - c0, 3),
        "store_cpu_s": round(c2 - c1, 3),
        "load_avg_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "cpus": os.cpu_count(),
    }
