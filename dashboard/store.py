"""Stored observations, versioned by upload batch, on SQLite (default) or PostgreSQL.

Design
------
``batches``       one row per accepted file (or demo load): who, when, which file (SHA-256), counts,
                  and whether it was rolled back.
``observations``  one row per *version* of a value. A correction never overwrites: it inserts a new
                  version with ``replaces_id`` pointing at the one it supersedes and flips the old
                  one's ``is_current`` to false. A partial unique index on (area, indicator, year)
                  WHERE is_current guarantees at most one current value per key and makes
                  "current values" a single indexed query.

Rolling a batch back flips its versions to not current and the versions they replaced back to
current — the previous values are restored exactly, because they never changed. A batch whose
values were superseded by a later active batch cannot be rolled back until that one is (the
alternative, re-threading the chain, would silently discard the later correction).

A file whose values are all already stored is still recorded as a batch (``n_unchanged`` = rows,
no versions): the history then shows that the file arrived and changed nothing.

Every write is one transaction. On SQLite it is ``BEGIN IMMEDIATE`` (taken before the first read,
so two uploads cannot interleave); on PostgreSQL a transaction-scoped advisory lock does the same.
"""
from __future__ import annotations

import hashlib
import os
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from threading import Lock

import numpy as np
import pandas as pd
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import StaticPool

from .config import db_url
from .problems import Problem

metadata = MetaData()

batches = Table(
    "batches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("uploader", String(200), nullable=False),
    Column("file_name", String(500), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("n_rows", Integer, nullable=False, default=0),
    Column("n_new", Integer, nullable=False, default=0),
    Column("n_corrected", Integer, nullable=False, default=0),
    Column("n_unchanged", Integer, nullable=False, default=0),
    Column("n_skipped", Integer, nullable=False, default=0),
    Column("status", String(16), nullable=False, default="active"),
    Column("rolled_back_at", DateTime(timezone=True)),
    Column("rolled_back_by", String(200)),
    CheckConstraint("kind IN ('upload', 'demo')", name="ck_batches_kind"),
    CheckConstraint("status IN ('active', 'rolled_back')", name="ck_batches_status"),
    Index("ix_batches_sha256", "sha256"),
    sqlite_autoincrement=True,  # ids are never reused, so a data_version never repeats
)

observations = Table(
    "observations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False),
    Column("area", String(32), nullable=False),
    Column("indicator", String(32), nullable=False),
    Column("year", Integer, nullable=False),
    Column("value", Float(precision=53), nullable=False),
    Column("note", Text),
    Column("is_current", Boolean, nullable=False),
    Column("replaces_id", Integer, ForeignKey("observations.id")),
    Index("ix_observations_batch", "batch_id"),
    Index("ix_observations_replaces", "replaces_id"),
    Index("ix_observations_key", "area", "indicator", "year"),
    sqlite_autoincrement=True,
)
_is_current = observations.c.is_current
Index("ux_observations_current", observations.c.area, observations.c.indicator, observations.c.year,
      unique=True, sqlite_where=text("is_current = 1"), postgresql_where=_is_current)

_VERSION_COLUMNS = ("batch_id", "area", "indicator", "year", "value", "note", "is_current", "replaces_id")

# Test-only: set by the interruption test to widen the window inside a commit's transaction.
PAUSE_ENV = "DASHBOARD_STORE_TEST_PAUSE"
MARKER_ENV = "DASHBOARD_STORE_TEST_MARKER"
_CHUNK = 20000
_IN_CHUNK = 900

_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = Lock()


class StoreError(Exception):
    """A refused store operation; ``problem`` carries the bilingual explanation."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message_en)
        self.problem = problem


def _engine(url: str) -> Engine:
    with _ENGINES_LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            engine = _make_engine(url)
            metadata.create_all(engine)
            _ENGINES[url] = engine
        return engine


def _make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    database = parsed.database
    kwargs: dict = {"connect_args": {"check_same_thread": False, "timeout": 30}}
    if not database or database == ":memory:":
        kwargs["poolclass"] = StaticPool  # one shared connection, else each would see its own empty db
    else:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # We issue BEGIN ourselves (below); pysqlite's implicit transactions start too late.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if database and database != ":memory:":
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA cache_size=-65536")  # 64 MB: a national file's index pages fit
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")

    return engine


def _test_pause(stage: str) -> None:
    seconds = os.environ.get(PAUSE_ENV)
    if not seconds:
        return
    marker = os.environ.get(MARKER_ENV)
    if marker:
        with open(marker, "a", encoding="utf-8") as fh:
            fh.write(stage + "\n")
    time.sleep(float(seconds))


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _utc(series: pd.Series) -> pd.Series:
    # SQLite hands back naive datetimes; everything is written in UTC.
    return pd.to_datetime(series, utc=True) if len(series) else series.astype("datetime64[ns, UTC]")


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Store:
    """The observation store. ``url`` defaults to ``DASHBOARD_DB_URL`` or ``data/dashboard.db``."""

    def __init__(self, url: str | None = None):
        self.url = url or db_url()
        self.engine = _engine(self.url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"

    # ---------------------------------------------------------------- transactions
    @contextmanager
    def _write(self):
        with self.engine.connect() as conn:
            conn.execution_options(write=True)
            with conn.begin():
                if not self.is_sqlite:
                    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(20211)")
                yield conn

    # ---------------------------------------------------------------- reads
    def current_values(self, areas: list[str] | None = None, years: list[int] | None = None) -> pd.DataFrame:
        """Current value of every (area, indicator, year): area, indicator, year, value, note, batch_id."""
        with self.engine.connect() as conn:
            frame = self._current(conn, areas, years)
        return frame.drop(columns=["id"])

    def _current(self, conn, areas, years) -> pd.DataFrame:
        o = observations
        cols = [o.c.id, o.c.area, o.c.indicator, o.c.year, o.c.value, o.c.note, o.c.batch_id]
        base = select(*cols).where(_is_current)
        if years is not None:
            base = base.where(o.c.year.in_([int(y) for y in years]))
        parts = []
        if areas is None:
            parts.append(conn.execute(base.order_by(o.c.area, o.c.indicator, o.c.year)).all())
        else:
            for chunk in _chunks([str(a) for a in areas], _IN_CHUNK):
                parts.append(conn.execute(base.where(o.c.area.in_(chunk))).all())
        records = [r for part in parts for r in part]
        frame = pd.DataFrame(records, columns=["id", "area", "indicator", "year", "value", "note", "batch_id"])
        return frame.astype({"id": "int64", "year": "int64", "value": "float64", "batch_id": "int64",
                             "area": object, "indicator": object, "note": object})

    def batches(self) -> pd.DataFrame:
        """Every batch, newest first, with its counts and status."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(batches).order_by(batches.c.id.desc())).all()
        frame = pd.DataFrame(rows, columns=[c.name for c in batches.columns])
        for c in ("created_at", "rolled_back_at"):
            frame[c] = _utc(frame[c])
        return frame

    def batch(self, batch_id: int) -> dict | None:
        """One batch as a dict, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(batches).where(batches.c.id == int(batch_id))).mappings().first()
        return dict(row) if row else None

    def batches_with_sha256(self, sha256: str) -> list[int]:
        """Active batches that stored a file with this content (to warn about re-uploads)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(batches.c.id).where(batches.c.sha256 == sha256,
                                                           batches.c.status == "active")).all()
        return [r[0] for r in rows]

    def history_of(self, area: str, indicator: str) -> pd.DataFrame:
        """Every version ever stored for (area, indicator), oldest first, with its batch."""
        o, b = observations, batches
        stmt = (select(o.c.year, o.c.value, o.c.note, o.c.is_current, o.c.id.label("version_id"), o.c.replaces_id,
                       o.c.batch_id, b.c.created_at, b.c.uploader, b.c.file_name, b.c.kind, b.c.status)
                .join(b, b.c.id == o.c.batch_id)
                .where(o.c.area == str(area), o.c.indicator == str(indicator))
                .order_by(o.c.year, o.c.id))
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        frame = pd.DataFrame(rows, columns=["year", "value", "note", "is_current", "version_id", "replaces_id",
                                            "batch_id", "created_at", "uploader", "file_name", "kind", "status"])
        frame["is_current"] = frame["is_current"].astype(bool)
        frame["created_at"] = _utc(frame["created_at"])
        return frame

    def has_demo_data(self) -> bool:
        """True while any active batch is demo data (the app then shows its banner)."""
        with self.engine.connect() as conn:
            return conn.execute(select(batches.c.id).where(batches.c.kind == "demo", batches.c.status == "active")
                                .limit(1)).first() is not None

    def is_empty(self) -> bool:
        """True when no batch was ever stored."""
        with self.engine.connect() as conn:
            return conn.execute(select(batches.c.id).limit(1)).first() is None

    def data_version(self) -> str:
        """A token that changes whenever stored data changes (commit, rollback, clear)."""
        b = batches
        stmt = select(func.count(b.c.id), func.max(b.c.id), func.max(b.c.created_at),
                      func.count(b.c.rolled_back_at), func.max(b.c.rolled_back_at))
        with self.engine.connect() as conn:
            row = conn.execute(stmt).one()
        return hashlib.sha256(repr((self.url, *row)).encode()).hexdigest()[:16]

    # ---------------------------------------------------------------- writes
    def commit(self, report, uploader: str, kind: str = "upload") -> int:
        """Store an accepted ``UploadReport`` as one batch in one transaction; returns the batch id."""
        if not report.ok:
            raise StoreError(Problem("REPORT_HAS_ERRORS", "文件有错误，未保存任何数据",
                                     "the file has errors; nothing was stored"))
        return self.commit_rows(report.rows, uploader=uploader, file_name=report.file_name, sha256=report.sha256,
                                kind=kind, n_skipped=len(report.skipped))

    def commit_rows(self, rows: pd.DataFrame, *, uploader: str, file_name: str, sha256: str,
                    kind: str = "upload", n_skipped: int = 0) -> int:
        """Store validated rows (area, indicator, year, value[, note]) as one batch."""
        from .upload import classify

        if kind not in ("upload", "demo"):
            raise ValueError(f"unknown batch kind {kind!r}")
        rows = rows.copy()
        if "note" not in rows:
            rows["note"] = None
        rows = rows.drop_duplicates(["area", "indicator", "year"], keep="first")
        with self._write() as conn:
            batch_id = conn.execute(insert(batches).values(
                created_at=_now(), uploader=uploader or "unknown", file_name=file_name or "", sha256=sha256 or "",
                kind=kind, n_rows=len(rows), n_skipped=int(n_skipped), status="active",
            )).inserted_primary_key[0]
            _test_pause("batch")

            years = pd.unique(rows["year"]).tolist()
            current = self._current(conn, pd.unique(rows["area"]).tolist(), years) if len(rows) else None
            if current is not None and len(current):
                merged = rows.merge(current.rename(columns={"id": "old_id", "value": "old", "note": "old_note",
                                                            "batch_id": "old_batch"}),
                                    on=["area", "indicator", "year"], how="left")
            else:
                merged = rows.assign(old_id=np.nan, old=np.nan, old_note=None)
            status = classify(merged["old"], merged["value"], merged["old_note"], merged["note"])
            changed = merged.loc[status != "unchanged"]
            corrected = changed.loc[changed["old_id"].notna(), "old_id"].astype("int64").tolist()

            # Old versions stop being current first: the partial unique index allows one per key.
            for chunk in _chunks(corrected, _IN_CHUNK):
                conn.execute(update(observations).where(observations.c.id.in_(chunk)).values(is_current=False))

            chunk_size = 50 if os.environ.get(PAUSE_ENV) else _CHUNK
            for chunk in _chunks(self._version_params(int(batch_id), changed), chunk_size):
                conn.exec_driver_sql(self._insert_sql, chunk)
                _test_pause("rows")

            conn.execute(update(batches).where(batches.c.id == batch_id).values(
                n_new=int((status == "new").sum()), n_corrected=int((status == "correction").sum()),
                n_unchanged=int((status == "unchanged").sum()),
            ))
            _test_pause("before-commit")
        return int(batch_id)

    @property
    def _insert_sql(self) -> str:
        # Plain DB-API executemany with tuples: SQLAlchemy's per-row parameter processing costs
        # more than SQLite's own insert work on a national file.
        mark = "?" if self.engine.dialect.paramstyle == "qmark" else "%s"
        names = ", ".join(_VERSION_COLUMNS)
        return f"INSERT INTO {observations.name} ({names}) VALUES ({', '.join([mark] * len(_VERSION_COLUMNS))})"

    @staticmethod
    def _version_params(batch_id: int, changed: pd.DataFrame) -> list[tuple]:
        n = len(changed)
        note = changed["note"].astype(object)
        replaces = changed["old_id"].astype("Int64").astype(object)
        columns = (
            [batch_id] * n,
            changed["area"].astype(str).tolist(),
            changed["indicator"].astype(str).tolist(),
            changed["year"].astype("int64").tolist(),
            changed["value"].astype("float64").tolist(),
            note.where(note.notna(), None).tolist(),
            [True] * n,
            replaces.where(replaces.notna(), None).tolist(),
        )
        return list(zip(*columns))

    def rollback(self, batch_id: int, user: str) -> dict:
        """Undo a batch: its values stop being current and the versions they replaced return.

        Refused (``StoreError``) for an unknown or already rolled-back batch, and for a batch
        whose values a later active batch has changed — roll that one back first.
        """
        o, b = observations, batches
        batch_id = int(batch_id)
        with self._write() as conn:
            row = conn.execute(select(b.c.status).where(b.c.id == batch_id)).first()
            if row is None:
                raise StoreError(Problem("UNKNOWN_BATCH", f"没有编号为 {batch_id} 的批次",
                                         f"there is no batch {batch_id}"))
            if row[0] == "rolled_back":
                raise StoreError(Problem("ALREADY_ROLLED_BACK", f"批次 {batch_id} 已经撤销过了",
                                         f"batch {batch_id} was already rolled back"))
            # Versions of this batch that are no longer current were replaced by a later batch.
            superseded = select(o.c.id).where(o.c.batch_id == batch_id, ~_is_current)
            later = sorted({r[0] for r in conn.execute(select(o.c.batch_id).where(o.c.replaces_id.in_(superseded)))})
            if later:
                ids = ", ".join(str(i) for i in later)
                raise StoreError(Problem(
                    "ROLLBACK_BLOCKED",
                    f"批次 {batch_id} 的部分数值已被之后的批次 {ids} 修改；请先撤销批次 {ids}",
                    f"values of batch {batch_id} were changed later by batch {ids}; roll back batch {ids} first"))
            removed = conn.execute(update(o).where(o.c.batch_id == batch_id).values(is_current=False)).rowcount
            restored = conn.execute(update(o).where(o.c.id.in_(
                select(o.c.replaces_id).where(o.c.batch_id == batch_id, o.c.replaces_id.is_not(None))
            )).values(is_current=True)).rowcount
            conn.execute(update(b).where(b.c.id == batch_id).values(
                status="rolled_back", rolled_back_at=_now(), rolled_back_by=user or "unknown"))
        return {"batch_id": batch_id, "removed": int(removed), "restored": int(restored)}

    def clear(self) -> None:
        """Delete everything (tests, and ``demo`` on a database the user wants to reset)."""
        with self._write() as conn:
            conn.execute(update(observations).values(replaces_id=None))
            conn.execute(delete(observations))
            conn.execute(delete(batches))

    def dispose(self) -> None:
        """Close pooled connections (temporary databases in tests and benchmarks)."""
        with _ENGINES_LOCK:
            _ENGINES.pop(self.url, None)
        self.engine.dispose()
