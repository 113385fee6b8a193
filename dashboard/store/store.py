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

``task_reports``  yearly task-progress reports (task, year, target_no → status, reached, note),
                  versioned exactly like observations and stored by batches of kind
                  ``task_upload``. ``target_no`` 0 is the task as a whole. Rollback, the "blocked by
                  a later batch" check and ``clear`` cover both tables.

Databases created before ``task_reports`` existed get the table from ``create_all`` and their
``batches.kind`` CHECK widened to allow ``task_upload`` (:func:`_migrate`), once, under the write lock.

Every write is one transaction. On SQLite it is ``BEGIN IMMEDIATE`` (taken before the first read,
so two uploads cannot interleave); on PostgreSQL a transaction-scoped advisory lock does the same.
"""

from __future__ import annotations

import hashlib
import os
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from threading import Lock

import numpy as np
import pandas as pd
from sqlalchemy import (
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

from ..core.records import INDICATOR_VALUES, TASK_PROGRESS, diff
from ..messages import Problem, legacy
from .schema import BATCH_KINDS, TASK_STATUSES, batches, metadata, observations, task_reports

TASK_REPORT_COLUMNS = ["task", "year", "target_no", "status", "reached", "note", "batch_id"]
# Both versioned tables: what rollback flips and what may block it.
_VERSIONED = (observations, task_reports)

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
            # Every table of the product is created here, once per database: the observation
            # store's own, and the users/sessions and audit tables that share the database.
            metadata.create_all(engine)
            _migrate(engine)
            _ENGINES[url] = engine
        return engine


_KIND_CHECK_OLD = "kind IN ('upload', 'demo')"
_KIND_CHECK_NEW = f"kind IN ({', '.join(repr(k) for k in BATCH_KINDS)})"


def _migrate(engine: Engine) -> None:
    """Bring a database created by an earlier version up to date (idempotent, under the write lock).

    The only change so far: ``batches.kind`` gained ``task_upload``. ``create_all`` adds the new
    ``task_reports`` table but never alters an existing one, so the old CHECK constraint on
    ``kind`` would refuse every task batch. PostgreSQL swaps the constraint; SQLite cannot alter
    a constraint, so the (small) ``batches`` table is rebuilt with the official 12-step procedure
    (https://www.sqlite.org/lang_altertable.html#otheralter), keeping ids and the AUTOINCREMENT
    counter so a data_version never repeats.
    """
    if engine.dialect.name == "sqlite":
        _migrate_sqlite(engine)
    elif engine.dialect.name == "postgresql":
        _migrate_postgres(engine)


def _migrate_postgres(engine: Engine) -> None:
    def old_check(conn) -> bool:
        row = conn.exec_driver_sql(
            "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
            "WHERE t.relname = 'batches' AND t.relnamespace = to_regnamespace(current_schema()) "
            "AND c.conname = 'ck_batches_kind'"
        ).first()
        return row is not None and "task_upload" not in row[0]

    with engine.connect() as conn:
        if not old_check(conn):
            return
    with engine.begin() as conn:
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(20211)")
        if old_check(conn):
            conn.exec_driver_sql("ALTER TABLE batches DROP CONSTRAINT ck_batches_kind")
            conn.exec_driver_sql(f"ALTER TABLE batches ADD CONSTRAINT ck_batches_kind CHECK ({_KIND_CHECK_NEW})")


def _migrate_sqlite(engine: Engine) -> None:
    def batches_sql(cur) -> str:
        row = cur.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'batches'").fetchone()
        return row[0] if row else ""

    raw = engine.raw_connection()
    try:
        cur = raw.cursor()  # isolation_level is None (see _on_connect): we control BEGIN/COMMIT
        if _KIND_CHECK_OLD not in batches_sql(cur):
            return
        # Foreign keys must be off while the referenced table is swapped (and the pragma is a no-op
        # inside a transaction); the check after the swap proves nothing dangles.
        cur.execute("PRAGMA foreign_keys=OFF")
        cur.execute("BEGIN IMMEDIATE")
        try:
            sql = batches_sql(cur)
            if _KIND_CHECK_OLD in sql:
                seq = cur.execute("SELECT seq FROM sqlite_sequence WHERE name = 'batches'").fetchone()
                new_sql = sql.replace(_KIND_CHECK_OLD, _KIND_CHECK_NEW).replace(
                    "CREATE TABLE batches", "CREATE TABLE batches__migrating", 1
                )
                indexes = [
                    r[0]
                    for r in cur.execute(
                        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'batches' AND sql IS NOT NULL"
                    )
                ]
                cur.execute(new_sql)
                cur.execute("INSERT INTO batches__migrating SELECT * FROM batches")
                cur.execute("DROP TABLE batches")
                cur.execute("ALTER TABLE batches__migrating RENAME TO batches")
                for index_sql in indexes:
                    cur.execute(index_sql)
                if seq is not None:
                    if cur.execute("SELECT 1 FROM sqlite_sequence WHERE name = 'batches'").fetchone():
                        cur.execute("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'batches'", (seq[0],))
                    else:
                        cur.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('batches', ?)", (seq[0],))
                dangling = cur.execute("PRAGMA foreign_key_check").fetchall()
                if dangling:
                    raise RuntimeError(f"migration of batches left dangling references: {dangling[:5]}")
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        finally:
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()
    finally:
        raw.close()


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
        yield items[i : i + size]


def _utc(series: pd.Series) -> pd.Series:
    # SQLite hands back naive datetimes; everything is written in UTC.
    return pd.to_datetime(series, utc=True) if len(series) else series.astype("datetime64[ns, UTC]")


def _now() -> datetime:
    return datetime.now(UTC)


class Store:
    """The observation store. ``url`` defaults to ``DASHBOARD_DB_URL`` or ``data/dashboard.db``."""

    def __init__(self, url: str):
        self.url = url
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
        base = select(*cols).where(observations.c.is_current)
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
        return frame.astype(
            {
                "id": "int64",
                "year": "int64",
                "value": "float64",
                "batch_id": "int64",
                "area": object,
                "indicator": object,
                "note": object,
            }
        )

    def current_task_reports(self, tasks: list[str] | None = None, years: list[int] | None = None) -> pd.DataFrame:
        """Current report of every (task, year, target_no): task, year, target_no, status, reached, note, batch_id."""
        with self.engine.connect() as conn:
            frame = self._current_tasks(conn, tasks, years)
        return frame.drop(columns=["id"])

    def _current_tasks(self, conn, tasks, years) -> pd.DataFrame:
        t = task_reports
        base = select(t.c.id, *(t.c[c] for c in TASK_REPORT_COLUMNS)).where(task_reports.c.is_current)
        if years is not None:
            base = base.where(t.c.year.in_([int(y) for y in years]))
        if tasks is None:
            records = conn.execute(base.order_by(t.c.task, t.c.year, t.c.target_no)).all()
        else:
            records = [
                r
                for chunk in _chunks(sorted({str(x) for x in tasks}), _IN_CHUNK)
                for r in conn.execute(base.where(t.c.task.in_(chunk)).order_by(t.c.task, t.c.year, t.c.target_no)).all()
            ]
        frame = pd.DataFrame(records, columns=["id", *TASK_REPORT_COLUMNS])
        return frame.astype(
            {
                "id": "int64",
                "task": object,
                "year": "int64",
                "target_no": "int64",
                "status": object,
                "reached": "float64",
                "note": object,
                "batch_id": "int64",
            }
        )

    def task_report_history(self, task: str) -> pd.DataFrame:
        """Every version ever stored for one task, oldest first, with its batch.

        Columns: year, target_no, status, reached, note, is_current, version_id, replaces_id,
        batch_id, created_at, uploader, file_name, kind, batch_status (``status`` is the task's).
        """
        t, b = task_reports, batches
        stmt = (
            select(
                t.c.year,
                t.c.target_no,
                t.c.status,
                t.c.reached,
                t.c.note,
                t.c.is_current,
                t.c.id.label("version_id"),
                t.c.replaces_id,
                t.c.batch_id,
                b.c.created_at,
                b.c.uploader,
                b.c.file_name,
                b.c.kind,
                b.c.status.label("batch_status"),
            )
            .join(b, b.c.id == t.c.batch_id)
            .where(t.c.task == str(task))
            .order_by(t.c.year, t.c.target_no, t.c.id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        frame = pd.DataFrame(
            rows,
            columns=[
                "year",
                "target_no",
                "status",
                "reached",
                "note",
                "is_current",
                "version_id",
                "replaces_id",
                "batch_id",
                "created_at",
                "uploader",
                "file_name",
                "kind",
                "batch_status",
            ],
        )
        frame["is_current"] = frame["is_current"].astype(bool)
        frame["reached"] = frame["reached"].astype("float64")
        frame["created_at"] = _utc(frame["created_at"])
        return frame

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
            rows = conn.execute(
                select(batches.c.id).where(batches.c.sha256 == sha256, batches.c.status == "active")
            ).all()
        return [r[0] for r in rows]

    def history_of(self, area: str, indicator: str) -> pd.DataFrame:
        """Every version ever stored for (area, indicator), oldest first, with its batch."""
        o, b = observations, batches
        stmt = (
            select(
                o.c.year,
                o.c.value,
                o.c.note,
                o.c.is_current,
                o.c.id.label("version_id"),
                o.c.replaces_id,
                o.c.batch_id,
                b.c.created_at,
                b.c.uploader,
                b.c.file_name,
                b.c.kind,
                b.c.status,
            )
            .join(b, b.c.id == o.c.batch_id)
            .where(o.c.area == str(area), o.c.indicator == str(indicator))
            .order_by(o.c.year, o.c.id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        frame = pd.DataFrame(
            rows,
            columns=[
                "year",
                "value",
                "note",
                "is_current",
                "version_id",
                "replaces_id",
                "batch_id",
                "created_at",
                "uploader",
                "file_name",
                "kind",
                "status",
            ],
        )
        frame["is_current"] = frame["is_current"].astype(bool)
        frame["created_at"] = _utc(frame["created_at"])
        return frame

    def has_demo_data(self) -> bool:
        """True while any active batch is demo data (the app then shows its banner)."""
        with self.engine.connect() as conn:
            return (
                conn.execute(
                    select(batches.c.id).where(batches.c.kind == "demo", batches.c.status == "active").limit(1)
                ).first()
                is not None
            )

    def is_empty(self) -> bool:
        """True when no batch was ever stored."""
        with self.engine.connect() as conn:
            return conn.execute(select(batches.c.id).limit(1)).first() is None

    def data_version(self) -> str:
        """A token that changes whenever stored data changes (commit, rollback, clear).

        Every write — indicator values or task reports — adds a batch or marks one rolled back,
        so the batches table alone tells.
        """
        b = batches
        stmt = select(
            func.count(b.c.id),
            func.max(b.c.id),
            func.max(b.c.created_at),
            func.count(b.c.rolled_back_at),
            func.max(b.c.rolled_back_at),
        )
        with self.engine.connect() as conn:
            row = conn.execute(stmt).one()
        return hashlib.sha256(repr((self.url, *row)).encode()).hexdigest()[:16]

    # ---------------------------------------------------------------- writes
    def commit(self, report, uploader: str, kind: str = "upload") -> int:
        """Store an accepted ``UploadReport`` as one batch in one transaction; returns the batch id."""
        if not report.ok:
            raise StoreError(
                legacy("REPORT_HAS_ERRORS", "文件有错误，未保存任何数据", "the file has errors; nothing was stored")
            )
        return self.commit_rows(
            report.rows,
            uploader=uploader,
            file_name=report.file_name,
            sha256=report.sha256,
            kind=kind,
            n_skipped=report.n_skipped,
        )

    def commit_rows(
        self,
        rows: pd.DataFrame,
        *,
        uploader: str,
        file_name: str,
        sha256: str,
        kind: str = "upload",
        n_skipped: int = 0,
    ) -> int:
        """Store validated rows (area, indicator, year, value[, note]) as one batch."""
        if kind not in ("upload", "demo"):
            raise ValueError(f"unknown batch kind {kind!r}")
        rows = rows.copy()
        if "note" not in rows:
            rows["note"] = None
        rows = rows.drop_duplicates(["area", "indicator", "year"], keep="first")
        with self._write() as conn:
            batch_id = conn.execute(
                insert(batches).values(
                    created_at=_now(),
                    uploader=uploader or "unknown",
                    file_name=file_name or "",
                    sha256=sha256 or "",
                    kind=kind,
                    n_rows=len(rows),
                    n_skipped=int(n_skipped),
                    status="active",
                )
            ).inserted_primary_key[0]
            _test_pause("batch")

            years = pd.unique(rows["year"]).tolist()
            current = self._current(conn, pd.unique(rows["area"]).tolist(), years) if len(rows) else None
            if current is not None and len(current):
                merged = rows.merge(
                    current.rename(
                        columns={"id": "old_id", "value": "old", "note": "old_note", "batch_id": "old_batch"}
                    ),
                    on=["area", "indicator", "year"],
                    how="left",
                )
            else:
                merged = rows.assign(old_id=np.nan, old=np.nan, old_note=None)
            old = merged[["old", "old_note"]].set_axis(["value", "note"], axis=1)
            status = diff(INDICATOR_VALUES, old, merged[["value", "note"]])
            changed = merged.loc[status != "unchanged"]
            corrected = changed.loc[changed["old_id"].notna(), "old_id"].astype("int64").tolist()

            # Old versions stop being current first: the partial unique index allows one per key.
            for chunk in _chunks(corrected, _IN_CHUNK):
                conn.execute(update(observations).where(observations.c.id.in_(chunk)).values(is_current=False))

            chunk_size = 50 if os.environ.get(PAUSE_ENV) else _CHUNK
            for chunk in _chunks(self._version_params(int(batch_id), changed), chunk_size):
                conn.exec_driver_sql(self._insert_sql, chunk)
                _test_pause("rows")

            conn.execute(
                update(batches)
                .where(batches.c.id == batch_id)
                .values(
                    n_new=int((status == "new").sum()),
                    n_corrected=int((status == "correction").sum()),
                    n_unchanged=int((status == "unchanged").sum()),
                )
            )
            _test_pause("before-commit")
        return int(batch_id)

    def commit_task_report(self, report, uploader: str) -> int:
        """Store an accepted ``TaskProgressReport`` as one ``task_upload`` batch in one transaction.

        Like indicator values: a (task, year, target_no) not stored yet is new; a different status,
        reached number or note is a correction (a new version replacing the current one); the same
        is unchanged and stores nothing. Returns the batch id; refuses a report with errors.
        """
        if not report.ok:
            raise StoreError(
                legacy("REPORT_HAS_ERRORS", "文件有错误，未保存任何数据", "the file has errors; nothing was stored")
            )
        keys = ["task", "year", "target_no"]
        rows = report.rows.copy()
        if "note" not in rows:
            rows["note"] = None
        if "target_no" not in rows:
            rows["target_no"] = 0
        rows = rows.drop_duplicates(keys, keep="first").reset_index(drop=True)
        rows = rows.astype({"year": "int64", "target_no": "int64", "reached": "float64"})
        bad = sorted(set(rows["status"]) - set(TASK_STATUSES))
        if bad:
            raise ValueError(f"unknown task status {bad!r}")
        t = task_reports
        with self._write() as conn:
            batch_id = int(
                conn.execute(
                    insert(batches).values(
                        created_at=_now(),
                        uploader=uploader or "unknown",
                        file_name=report.file_name or "",
                        sha256=report.sha256 or "",
                        kind="task_upload",
                        n_rows=len(rows),
                        n_skipped=int(report.n_skipped),
                        status="active",
                    )
                ).inserted_primary_key[0]
            )
            _test_pause("batch")

            current = self._current_tasks(conn, rows["task"].tolist(), rows["year"].tolist()) if len(rows) else None
            if current is not None and len(current):
                merged = rows.merge(
                    current.drop(columns="batch_id").rename(
                        columns={"id": "old_id", "status": "old_status", "reached": "old_reached", "note": "old_note"}
                    ),
                    on=keys,
                    how="left",
                )
            else:
                merged = rows.assign(old_id=np.nan, old_status=None, old_reached=np.nan, old_note=None)
            old = merged[["old_status", "old_reached", "old_note"]].set_axis(["status", "reached", "note"], axis=1)
            kind = diff(TASK_PROGRESS, old, merged[["status", "reached", "note"]])
            changed = merged.loc[kind != "unchanged"]
            corrected = changed.loc[changed["old_id"].notna(), "old_id"].astype("int64").tolist()

            # Old versions stop being current first: the partial unique index allows one per key.
            for chunk in _chunks(corrected, _IN_CHUNK):
                conn.execute(update(t).where(t.c.id.in_(chunk)).values(is_current=False))
            params = [
                {
                    "batch_id": batch_id,
                    "task": str(r.task),
                    "year": int(r.year),
                    "target_no": int(r.target_no),
                    "status": str(r.status),
                    "reached": None if pd.isna(r.reached) else float(r.reached),
                    "note": None if r.note is None or (isinstance(r.note, float) and np.isnan(r.note)) else str(r.note),
                    "is_current": True,
                    "replaces_id": None if pd.isna(r.old_id) else int(r.old_id),
                }
                for r in changed.itertuples(index=False)
            ]
            for chunk in _chunks(params, 1000):  # a task file has tens to hundreds of rows
                conn.execute(insert(t), chunk)
                _test_pause("rows")

            conn.execute(
                update(batches)
                .where(batches.c.id == batch_id)
                .values(
                    n_new=int((kind == "new").sum()),
                    n_corrected=int((kind == "correction").sum()),
                    n_unchanged=int((kind == "unchanged").sum()),
                )
            )
            _test_pause("before-commit")
        return batch_id

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
        b = batches
        batch_id = int(batch_id)
        with self._write() as conn:
            row = conn.execute(select(b.c.status).where(b.c.id == batch_id)).first()
            if row is None:
                raise StoreError(
                    legacy("UNKNOWN_BATCH", f"没有编号为 {batch_id} 的批次", f"there is no batch {batch_id}")
                )
            if row[0] == "rolled_back":
                raise StoreError(
                    legacy(
                        "ALREADY_ROLLED_BACK",
                        f"批次 {batch_id} 已经撤销过了",
                        f"batch {batch_id} was already rolled back",
                    )
                )
            # Versions of this batch that are no longer current were replaced by a later batch —
            # in either versioned table (a batch writes one of them, but the check does not assume it).
            later: set[int] = set()
            for v in _VERSIONED:
                superseded = select(v.c.id).where(v.c.batch_id == batch_id, ~v.c.is_current)
                later.update(r[0] for r in conn.execute(select(v.c.batch_id).where(v.c.replaces_id.in_(superseded))))
            later = sorted(later)
            if later:
                ids = ", ".join(str(i) for i in later)
                raise StoreError(
                    legacy(
                        "ROLLBACK_BLOCKED",
                        f"批次 {batch_id} 的部分数值已被之后的批次 {ids} 修改；请先撤销批次 {ids}",
                        f"values of batch {batch_id} were changed later by batch {ids}; roll back batch {ids} first",
                    )
                )
            removed = restored = 0
            for v in _VERSIONED:
                removed += conn.execute(update(v).where(v.c.batch_id == batch_id).values(is_current=False)).rowcount
                restored += conn.execute(
                    update(v)
                    .where(
                        v.c.id.in_(
                            select(v.c.replaces_id).where(v.c.batch_id == batch_id, v.c.replaces_id.is_not(None))
                        )
                    )
                    .values(is_current=True)
                ).rowcount
            conn.execute(
                update(b)
                .where(b.c.id == batch_id)
                .values(status="rolled_back", rolled_back_at=_now(), rolled_back_by=user or "unknown")
            )
        return {"batch_id": batch_id, "removed": int(removed), "restored": int(restored)}

    def clear(self) -> None:
        """Delete everything (tests, and ``demo`` on a database the user wants to reset)."""
        with self._write() as conn:
            for v in _VERSIONED:
                conn.execute(update(v).values(replaces_id=None))
                conn.execute(delete(v))
            conn.execute(delete(batches))

    def dispose(self) -> None:
        """Close pooled connections (temporary databases in tests and benchmarks)."""
        with _ENGINES_LOCK:
            _ENGINES.pop(self.url, None)
        self.engine.dispose()
