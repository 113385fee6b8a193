"""``bench-import``: validating and storing a national one-year file (2,844 areas × every series),
on SQLite, PostgreSQL or both.

Each back-end stores into a database of its own that starts empty: a temporary SQLite file, a
throw-away PostgreSQL server (:mod:`.postgres`), or the database ``--db-url`` names — which must then
be empty, and is emptied again afterwards (the bench's synthetic counties must not stay in it).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from sqlalchemy.engine import make_url

from ..intake.indicator_values import read_upload
from ..rules import RuleSet, load_rules
from ..store import Store
from .postgres import throwaway_postgres

BACKENDS = ("sqlite", "postgresql")


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
    # A national one-year file is above the default upload limits (settings.yaml upload.max_rows,
    # max_cells): a national deployment raises them, and so does this bench.
    upload = rules.settings.upload.model_copy(update={"max_rows": 10_000_000, "max_cells": 100_000_000})
    return dataclasses.replace(rules, settings=rules.settings.model_copy(update={"upload": upload}))


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


def run_import_bench(rules_dir: Path, n_areas: int = 2844, db_url: str | None = None, db: str | None = None) -> dict:
    """Time validate (``read_upload``) and store (``Store.commit``) of a national one-year file.

    ``db`` is ``"sqlite"``, ``"postgresql"`` or ``"both"``; by default the back-end of ``db_url``,
    else SQLite. ``db_url`` (empty database) replaces the throw-away database of its back-end.
    One back-end: its figures. Both: the file's figures, each back-end's prefixed with its name, and
    ``postgresql_to_sqlite_total`` / ``…_store``, the ratios of the PostgreSQL times to SQLite's.
    """
    url_backend = make_url(db_url).get_backend_name() if db_url else None
    db = db or url_backend or "sqlite"
    if db not in (*BACKENDS, "both"):
        raise ValueError(f"unknown database {db!r}: sqlite, postgresql or both")
    wanted = BACKENDS if db == "both" else (db,)
    if url_backend is not None and url_backend not in wanted:
        raise ValueError(f"--db-url is a {url_backend} database, --db asks for {db}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        rules = bench_rules(rules_dir, n_areas, root)
        content = bench_file(rules)
        runs = {}
        for backend in wanted:
            given = db_url if backend == url_backend else None
            with _database(backend, given, root) as url:
                runs[backend] = _time_import(rules, content, url, given=given is not None)
    (rows,) = {run.pop("rows") for run in runs.values()}  # one file: the same rows on every back-end
    shared = {
        "areas": len(rules.areas),
        "series": len(rules.series_codes()),
        "rows": rows,
        "file_mb": round(len(content) / 1048576, 2),
    }
    machine = {
        "load_avg_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "cpus": os.cpu_count(),
    }
    if len(runs) == 1:
        return {**shared, **runs[wanted[0]], **machine}
    both = {f"{backend}_{name}": value for backend, run in runs.items() for name, value in run.items()}
    sqlite, postgresql = runs["sqlite"], runs["postgresql"]
    ratios = {
        f"postgresql_to_sqlite_{step}": round(postgresql[f"{step}_s"] / max(sqlite[f"{step}_s"], 1e-9), 2)
        for step in ("total", "store")
    }
    return {**shared, **both, **ratios, **machine}


@contextmanager
def _database(backend: str, given: str | None, root: Path) -> Iterator[str]:
    """The URL to store into: ``given``, else a new SQLite file under ``root`` or a throw-away server."""
    if given is not None:
        yield given
    elif backend == "sqlite":
        yield f"sqlite:///{root / 'bench.db'}"
    else:
        with throwaway_postgres() as url:
            yield url


def _time_import(rules: RuleSet, content: bytes, url: str, *, given: bool) -> dict:
    """Validate and store ``content`` once into the empty database at ``url``; the timings."""
    store = Store(url)
    try:
        if not store.is_empty():
            raise RuntimeError(f"bench-import stores into an empty database; {store.engine.url!r} has batches")
        try:
            # CPU time next to wall time: on a shared machine the wall clock also measures the neighbours.
            t0, c0 = time.perf_counter(), time.process_time()
            report = read_upload(content, "national-2021.csv", rules, max_bytes=len(content))
            t1, c1 = time.perf_counter(), time.process_time()
            if not report.ok:
                raise RuntimeError("; ".join(p.format() for p in report.problems[:5]))
            batch_id = store.commit(report, uploader="bench")
            t2, c2 = time.perf_counter(), time.process_time()
            batch = store.batch(batch_id)
            assert batch is not None
        finally:
            if given:
                store.clear()  # it was empty: leave it so, without the synthetic counties
    finally:
        store.dispose()
    return {
        "rows": len(report.rows),
        "stored": int(batch["n_new"]),
        "database": store.engine.dialect.name,
        "validate_s": round(t1 - t0, 3),
        "store_s": round(t2 - t1, 3),
        "total_s": round(t2 - t0, 3),
        "validate_cpu_s": round(c1 - c0, 3),
        "store_cpu_s": round(c2 - c1, 3),
    }
