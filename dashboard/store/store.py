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

Both versioned tables are written by one routine, :meth:`Store._commit_batch`, driven by the
record kind (:mod:`dashboard.core.records`: its keys and reported columns) and the table that
stores it (``_TABLES``).

The schema is created and changed by Alembic migrations (``dashboard/store/migrations``), applied
by :mod:`.migrate` when a process first opens a database: an empty one is built, one made before
migrations existed is recognised and stamped, then everything is brought to the head revision.

Every write is one transaction. On SQLite it is ``BEGIN IMMEDIATE`` (taken before the first read,
so two uploads cannot interleave); on PostgreSQL a transaction-scoped advisory lock does the same.

New versions go in by the fastest bulk path each back-end has, inside that one transaction: plain
DB-API ``executemany`` on SQLite, ``COPY … FROM STDIN`` on PostgreSQL (:func:`_copy_versions`, on
the very connection SQLAlchemy holds the transaction on, so a failure or a kill leaves nothing).
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from threading import Lock

import pandas as pd
from sqlalchemy import (
    Connection,
    Float,
    Integer,
    Table,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import StaticPool

from ..core.records import INDICATOR_VALUES, TASK_PROGRESS, UNCHANGED, RecordKind, diff
from ..messages import Code, Problem
from . import migrate
from .schema import TASK_STATUSES, batches, observations, task_reports

# Where each kind of record is stored. Both are versioned alike: what rollback flips and what may block it.
_TABLES: dict[str, Table] = {INDICATOR_VALUES.name: observations, TASK_PROGRESS.name: task_reports}
_VERSIONED = tuple(_TABLES.values())
_BOOKKEEPING = ("id", "batch_id", "is_current", "replaces_id")

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
            # Every table of the product — the store's own, and the users/sessions and audit tables
            # that share the database — is created and changed here, once per database per process.
            migrate.upgrade(engine)
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
            _wal(cur)
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA cache_size=-65536")  # 64 MB: a national file's index pages fit
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")

    return engine


def _wal(cur) -> None:
    """Switch a database file to WAL once. Switching needs a moment of exclusive access, and SQLite
    answers "database is locked" at once (no busy wait) while another process holds a lock — as when
    two processes open a database of an earlier release together — so it is retried for up to 30 s."""
    deadline = time.monotonic() + 30
    while True:
        try:
            if str(cur.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _utc(series: pd.Series) -> pd.Series:
    # SQLite hands back naive datetimes; everything is written in UTC.
    return pd.to_datetime(series, utc=True) if len(series) else series.astype("datetime64[ns, UTC]")


def _now() -> datetime:
    return datetime.now(UTC)


def _reported(table: Table) -> list[str]:
    """The key and reported columns of a versioned table, in the table's order."""
    return [c.name for c in table.columns if c.name not in _BOOKKEEPING]


def _dtype(table: Table, name: str):
    kind = table.c[name].type
    return "int64" if isinstance(kind, Integer) else "float64" if isinstance(kind, Float) else object


def _current(
    conn: Connection, kind: RecordKind, firsts: list | None, years: list | None, *, ordered: bool = True
) -> pd.DataFrame:
    """The current version of every record of ``kind``: id, its key and reported columns, batch_id.

    ``firsts`` limits the first key column (area, task), ``years`` the year; ``ordered`` sorts by
    the key (a commit needs no order).
    """
    table = _TABLES[kind.name]
    names = ["id", *_reported(table), "batch_id"]
    base = select(*(table.c[n] for n in names)).where(table.c.is_current)
    if years is not None:
        base = base.where(table.c.year.in_([int(y) for y in years]))
    order = [table.c[k] for k in kind.keys] if ordered else []
    if firsts is None:
        records = list(conn.execute(base.order_by(*order)).all())
    else:
        first = table.c[kind.keys[0]]
        records = [
            r
            for chunk in _chunks([str(x) for x in firsts], _IN_CHUNK)
            for r in conn.execute(base.where(first.in_(chunk)).order_by(*order)).all()
        ]
    frame = pd.DataFrame(records, columns=names)
    return frame.astype({n: _dtype(table, n) for n in names})


def _insert_sql(table: Table, columns: list[str], paramstyle: str) -> str:
    mark = "?" if paramstyle == "qmark" else "%s"
    return f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"


def _version_params(table: Table, batch_id: int, changed: pd.DataFrame) -> tuple[list[str], list[tuple]]:
    """Column names and one DB-API tuple per new version (NaN and missing values as None)."""
    n = len(changed)
    names = _reported(table)
    data: list[list] = [[batch_id] * n]
    for name in names:
        column = table.c[name]
        series = changed[name]
        if isinstance(column.type, Integer):
            data.append(series.astype("int64").tolist())
        elif isinstance(column.type, Float):
            floats = series.astype("float64")
            missing = floats.isna()
            data.append((floats.astype(object).where(~missing, None) if missing.any() else floats).tolist())
        elif column.nullable:
            texts = series.astype(object)
            present = texts.notna()
            if present.any():
                texts = texts.where(present, None)
                texts[present] = texts[present].astype(str)
                data.append(texts.tolist())
            else:
                data.append([None] * n)
        else:
            data.append(series.astype(str).tolist())
    replaces = changed["old_id"].astype("Float64").astype("Int64").astype(object)
    data += [[True] * n, replaces.where(replaces.notna(), None).tolist()]
    return ["batch_id", *names, "is_current", "replaces_id"], list(zip(*data, strict=True))


def _copy_versions(conn: Connection, table: Table, corrected: list[int], columns: list[str], rows: list[tuple]) -> None:
    """PostgreSQL: retire the ``corrected`` versions and insert ``rows`` by ``COPY``, in ``conn``'s transaction.

    Both statements run on the psycopg connection under ``conn``, inside the transaction SQLAlchemy
    began: an error — or a kill — before the commit leaves no row behind. Row-by-row INSERTs (even
    pipelined) cost the server a statement per row; ``COPY`` streams the rows into one.
    """
    driver = conn.connection.driver_connection
    assert driver is not None
    statement = f"UPDATE {table.name} SET is_current = false WHERE id = ANY(%s)"
    try:
        with driver.cursor() as cursor:
            if corrected:
                # Old versions stop being current first: the partial unique index allows one per key.
                # One statement with the ids as one array, not hundreds of IN lists (each a query to
                # build, send and plan).
                cursor.execute(statement, [corrected])
            statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
            with cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
    except conn.dialect.loaded_dbapi.Error as exc:
        # Raised as SQLAlchemy raises the driver's errors on every other path (IntegrityError,
        # OperationalError, …): callers catch one family of exceptions whatever the back-end.
        raise DBAPIError.instance(statement, None, exc, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect) from exc


class Store:
    """The observation store. ``url`` defaults to ``DASHBOARD_DB_URL`` or ``data/dashboard.db``."""

    def __init__(self, url: str):
        self.url = url
        self.engine = _engine(self.url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"

    # ---------------------------------------------------------------- transactions
    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn.execution_options(write=True)
            with conn.begin():
                if not self.is_sqlite:
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({migrate.WRITE_LOCK})")
                yield conn

    # ---------------------------------------------------------------- reads
    def current_values(self, areas: list[str] | None = None, years: list[int] | None = None) -> pd.DataFrame:
        """Current value of every (area, indicator, year): area, indicator, year, value, note, batch_id."""
        with self.engine.connect() as conn:
            frame = _current(conn, INDICATOR_VALUES, areas, years, ordered=areas is None)
        return frame.drop(columns=["id"])

    def current_task_reports(self, tasks: list[str] | None = None, years: list[int] | None = None) -> pd.DataFrame:
        """Current report of every (task, year, target_no): task, year, target_no, status, reached, note, batch_id."""
        with self.engine.connect() as conn:
            frame = _current(conn, TASK_PROGRESS, None if tasks is None else sorted({str(x) for x in tasks}), years)
        return frame.drop(columns=["id"])

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
        """Store an accepted indicator-values ``IntakeReport`` as one batch in one transaction; returns the batch id."""
        if not report.ok:
            raise StoreError(Problem(Code.REPORT_HAS_ERRORS))
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
        return self._commit_batch(
            INDICATOR_VALUES,
            rows,
            uploader=uploader,
            file_name=file_name,
            sha256=sha256,
            batch_kind=kind,
            n_skipped=n_skipped,
        )

    def commit_task_report(self, report, uploader: str, kind: str = "task_upload") -> int:
        """Store an accepted task-progress ``IntakeReport`` as one batch (``kind`` ``task_upload``, or
        ``demo`` for the demo's reports) in one transaction.

        Like indicator values: a (task, year, target_no) not stored yet is new; a different status,
        reached number or note is a correction (a new version replacing the current one); the same
        is unchanged and stores nothing. Returns the batch id; refuses a report with errors.
        """
        if kind not in ("task_upload", "demo"):
            raise ValueError(f"unknown batch kind {kind!r}")
        if not report.ok:
            raise StoreError(Problem(Code.REPORT_HAS_ERRORS))
        rows = report.rows.copy()
        if "note" not in rows:
            rows["note"] = None
        if "target_no" not in rows:
            rows["target_no"] = 0
        rows = rows.astype({"year": "int64", "target_no": "int64", "reached": "float64"})
        bad = sorted(set(rows["status"]) - set(TASK_STATUSES))
        if bad:
            raise ValueError(f"unknown task status {bad!r}")
        return self._commit_batch(
            TASK_PROGRESS,
            rows,
            uploader=uploader,
            file_name=report.file_name,
            sha256=report.sha256,
            batch_kind=kind,
            n_skipped=report.n_skipped,
        )

    def _commit_batch(
        self,
        kind: RecordKind,
        rows: pd.DataFrame,
        *,
        uploader: str,
        file_name: str,
        sha256: str,
        batch_kind: str,
        n_skipped: int,
    ) -> int:
        """Store ``rows`` of ``kind`` as one batch, in one transaction; returns the batch id.

        Each row is compared (:func:`~dashboard.core.records.diff`) with the current version of its
        key: a new key or a changed value inserts a version (a correction also flips the version it
        replaces to not current); an unchanged row stores nothing but is counted.
        """
        table = _TABLES[kind.name]
        keys, values = list(kind.keys), list(kind.values)
        rows = rows.drop_duplicates(keys, keep="first").reset_index(drop=True)
        with self._write() as conn:
            inserted = conn.execute(
                insert(batches).values(
                    created_at=_now(),
                    uploader=uploader or "unknown",
                    file_name=file_name or "",
                    sha256=sha256 or "",
                    kind=batch_kind,
                    n_rows=len(rows),
                    n_skipped=int(n_skipped),
                    status="active",
                )
            ).inserted_primary_key
            assert inserted is not None
            batch_id = int(inserted[0])

            old_names = {"id": "old_id", **{v: f"old_{v}" for v in values}}
            current = (
                _current(conn, kind, pd.unique(rows[keys[0]]).tolist(), pd.unique(rows["year"]).tolist())
                if len(rows)
                else None
            )
            if current is not None and len(current):
                merged = rows.merge(current.drop(columns="batch_id").rename(columns=old_names), on=keys, how="left")
            else:
                merged = rows.assign(
                    old_id=float("nan"), **{old_names[v]: float("nan") if v in kind.numbers else None for v in values}
                )
            old = merged[[old_names[v] for v in values]].set_axis(values, axis=1)
            status = diff(kind, old, merged[values])
            changed = merged.loc[status != UNCHANGED]
            corrected = changed.loc[changed["old_id"].notna(), "old_id"].astype("int64").tolist()

            columns, params = _version_params(table, batch_id, changed)
            if self.is_sqlite:
                # Old versions stop being current first: the partial unique index allows one per key.
                for chunk in _chunks(corrected, _IN_CHUNK):
                    conn.execute(update(table).where(table.c.id.in_(chunk)).values(is_current=False))
                # Plain DB-API executemany with tuples: SQLAlchemy's per-row parameter processing
                # costs more than SQLite's own insert work on a national file.
                sql = _insert_sql(table, columns, self.engine.dialect.paramstyle)
                for chunk in _chunks(params, _CHUNK):
                    conn.exec_driver_sql(sql, chunk)
            else:
                _copy_versions(conn, table, corrected, columns, params)

            conn.execute(
                update(batches)
                .where(batches.c.id == batch_id)
                .values(
                    n_new=int((status == "new").sum()),
                    n_corrected=int((status == "correction").sum()),
                    n_unchanged=int((status == UNCHANGED).sum()),
                )
            )
        return batch_id

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
                raise StoreError(Problem(Code.UNKNOWN_BATCH, {"batch": batch_id}))
            if row[0] == "rolled_back":
                raise StoreError(Problem(Code.ALREADY_ROLLED_BACK, {"batch": batch_id}))
            # Versions of this batch that are no longer current were replaced by a later batch —
            # in either versioned table (a batch writes one of them, but the check does not assume it).
            later: set[int] = set()
            for v in _VERSIONED:
                superseded = select(v.c.id).where(v.c.batch_id == batch_id, ~v.c.is_current)
                later.update(r[0] for r in conn.execute(select(v.c.batch_id).where(v.c.replaces_id.in_(superseded))))
            if later:
                raise StoreError(Problem(Code.ROLLBACK_BLOCKED, {"batch": batch_id, "later": sorted(later)}))
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
