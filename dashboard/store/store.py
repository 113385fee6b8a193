"""Stored observations, versioned by upload batch, on SQLite (default) or PostgreSQL.

Design
------
``batches``       one row per accepted file (or demo load): who (the name people read, and the id
                  of the account that stored it, which decides "own batches"), when, which file
                  (SHA-256), counts, and whether it was rolled back.
``observations``  one row per *version* of a value. A correction never overwrites: it inserts a new
                  version with ``replaces_id`` pointing at the one it supersedes and flips the old
                  one's ``is_current`` to false. A partial unique index on (area, indicator, year)
                  WHERE is_current guarantees at most one current value per key and makes
                  "current values" a single indexed query.

``observation_confirmations``  one row (batch_id, version_id) for every row a batch reported with
                  the value already stored: the batch stores no version of its own (the history
                  lists values, not re-reports, and current reads stay one indexed query), but it
                  did report the value, and rollback must know. A file whose values are all
                  already stored is still a batch (``n_unchanged`` = rows, no versions, only
                  confirmations).

Every key therefore has a well-defined current value: the one reported by the newest active batch
that reported the key — as a version of its own, or by confirming the version then current. Rolling
a batch back restores exactly that for every key the batch reported (changed or confirmed), never
anything else: a later batch's correction stays; a value the batch had stored stays when a later
active batch confirmed it (that batch then stores it as a version of its own, so a current version
always belongs to an active batch); an earlier value comes back; a key no active batch reported
has no value. Versions never change, so an earlier value comes back exactly. Any active batch may
be rolled back, in any order (until revision 0004 a batch whose values a later batch had changed
was refused, because restoring the versions it replaced would have discarded the later
correction; settling by the newest active report discards nothing). Batches stored before
confirmations were recorded have none: rolling back the batch that stored a value they confirmed
removes it, as it always did.

``task_reports``  yearly task-progress reports (task, year, target_no → status, reached, note),
                  versioned exactly like observations (confirmations in
                  ``task_report_confirmations``) and stored by batches of kind ``task_upload``.
                  ``target_no`` 0 is the task as a whole. Rollback and ``clear`` cover both.

Both versioned tables are written by one routine, :meth:`Store._commit_batch`, and settled after a
rollback by one routine, :func:`_settle`, driven by the record kind (:mod:`dashboard.core.records`:
its keys and reported columns) and the tables that store it (``_TABLES``, ``_CONFIRMED``).

The schema is created and changed by Alembic migrations (``dashboard/store/migrations``), applied
by :mod:`.migrate` when a process first opens a database: an empty one is built, one made before
migrations existed is recognised and stamped, then everything is brought to the head revision.

Every write is one transaction. On SQLite it is ``BEGIN IMMEDIATE`` (taken before the first read,
so two uploads cannot interleave); on PostgreSQL a transaction-scoped advisory lock does the same.

New versions and confirmations go in by the fastest bulk path each back-end has (:func:`_write_rows`),
inside that one transaction: plain DB-API ``executemany`` on SQLite, ``COPY … FROM STDIN`` on
PostgreSQL (:func:`_copy_versions`, on the very connection SQLAlchemy holds the transaction on, so
a failure or a kill leaves nothing).
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from threading import Lock

import pandas as pd
from sqlalchemy import (
    Connection,
    Float,
    Integer,
    Select,
    Table,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    union_all,
    update,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import StaticPool

from ..core.records import INDICATOR_VALUES, KINDS, TASK_PROGRESS, UNCHANGED, RecordKind, diff
from ..messages import Code, Problem
from . import audit, migrate, review
from .in_lists import IN_CHUNK, chunks, ids_in
from .review import Action, Actor, ApprovedChanges, ReviewState
from .schema import (
    TASK_STATUSES,
    analyses,
    batches,
    not_obtainable,
    observation_confirmations,
    observations,
    review_events,
    task_report_confirmations,
    task_reports,
)

# Where each kind of record is stored. Both are versioned alike: what rollback settles.
_TABLES: dict[str, Table] = {INDICATOR_VALUES.name: observations, TASK_PROGRESS.name: task_reports}
_VERSIONED = tuple(_TABLES.values())
# Where each kind's confirmations are: (batch_id, version_id) for every row reported unchanged.
_CONFIRMED: dict[str, Table] = {
    INDICATOR_VALUES.name: observation_confirmations,
    TASK_PROGRESS.name: task_report_confirmations,
}
# Not reported by anyone, so never compared by ``diff``: the version's place and its review state.
_BOOKKEEPING = ("id", "batch_id", "is_current", "replaces_id", "review")

_CHUNK = 20000

_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = Lock()


class StoreError(Exception):
    """A refused store operation; ``problem`` carries the bilingual explanation."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message_en)
        self.problem = problem


class ApprovedValuesLocked(Exception):
    """A write that would change approved values: ``problems`` name each row (or, for a rollback,
    the batch); nothing was stored. An approver re-opens them first, with a reason."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message_en for p in problems))
        self.problems = problems


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


BUSY_SECONDS = 30
"""How long a write waits for another to finish before it is refused in words (``STORE_BUSY``)."""


def _is_busy(exc: OperationalError) -> bool:
    # SQLite: "database is locked" after its busy timeout; PostgreSQL: lock_timeout (SQLSTATE 55P03).
    return "database is locked" in str(exc.orig) or getattr(exc.orig, "sqlstate", None) == "55P03"


def _make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    database = parsed.database
    kwargs: dict = {"connect_args": {"check_same_thread": False, "timeout": BUSY_SECONDS}}
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
    names = ["id", *_reported(table), "batch_id", *(["review"] if "review" in table.c else [])]
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
            for chunk in chunks([str(x) for x in firsts], IN_CHUNK)
            for r in conn.execute(base.where(first.in_(chunk)).order_by(*order)).all()
        ]
    frame = pd.DataFrame(records, columns=names)
    return frame.astype({n: _dtype(table, n) for n in names})


def _insert_sql(table: Table, columns: list[str], paramstyle: str) -> str:
    mark = "?" if paramstyle == "qmark" else "%s"
    return f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"


def _version_params(
    table: Table, batch_id: int, changed: pd.DataFrame, review: str | None = None
) -> tuple[list[str], list[tuple]]:
    """Column names and one DB-API tuple per new version (NaN and missing values as None).

    ``review``: the review state of every new version of a table that has one (else each row's
    ``review``, as when a rollback carries a confirmed version over).
    """
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
    columns = ["batch_id", *names, "is_current", "replaces_id"]
    if "review" in table.c:
        data.append([review] * n if review is not None else changed["review"].astype(str).tolist())
        columns.append("review")
    return columns, list(zip(*data, strict=True))


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


def _write_rows(conn: Connection, table: Table, retired: list[int], columns: list[str], rows: list[tuple]) -> None:
    """Flip the ``retired`` versions of ``table`` to not current, then insert ``rows`` (tuples of
    ``columns``) by the back-end's bulk path, in ``conn``'s transaction.

    New versions and confirmations alike (a confirmations table has nothing to retire). SQLite:
    chunked ``UPDATE … IN`` and DB-API ``executemany``; PostgreSQL: :func:`_copy_versions`.
    """
    if not retired and not rows:
        return
    if conn.dialect.name != "sqlite":
        _copy_versions(conn, table, retired, columns, rows)
        return
    # Old versions stop being current first: the partial unique index allows one per key. (A
    # confirmations table retires nothing and has no ``id`` column.)
    for condition in ids_in(conn, table.c.id, retired) if retired else ():
        conn.execute(update(table).where(condition).values(is_current=False))
    # Plain DB-API executemany with tuples: SQLAlchemy's per-row parameter processing costs more
    # than SQLite's own insert work on a national file.
    sql = _insert_sql(table, columns, conn.dialect.paramstyle)
    for rows_chunk in chunks(rows, _CHUNK):
        conn.exec_driver_sql(sql, rows_chunk)


def _set_current(conn: Connection, table: Table, ids: list[int], current: bool) -> None:
    """Set ``is_current`` of the versions ``ids`` of ``table``."""
    for condition in ids_in(conn, table.c.id, ids):
        conn.execute(update(table).where(condition).values(is_current=current))


def _for_keys(conn: Connection, kind: RecordKind, stmt: Select, keys: pd.DataFrame) -> list:
    """Rows of ``stmt`` (which selects from ``kind``'s versioned table) limited to the first key
    columns and years of ``keys`` — by the key index, in chunks; the caller keeps the exact keys."""
    table = _TABLES[kind.name]
    first = table.c[kind.keys[0]]
    stmt = stmt.where(table.c.year.in_(sorted({int(y) for y in keys["year"]})))
    firsts = sorted({str(x) for x in keys[kind.keys[0]]})
    return [r for chunk in chunks(firsts, IN_CHUNK) for r in conn.execute(stmt.where(first.in_(chunk))).all()]


def _settle(conn: Connection, kind: RecordKind, batch_id: int) -> Counter[str]:
    """Settle every key of ``kind`` that ``batch_id`` reported, once that batch is marked rolled back.

    A key's value becomes the one reported by the newest active batch that reported it: that
    batch's own version, or the version it confirmed — copied as a version of the confirming batch
    when the confirmed version's batch is no longer active, so that a current version always
    belongs to an active batch — or no value when no active batch reported the key.

    Counts: ``removed`` the batch's versions that stop being current; ``restored`` keys whose
    value now comes from an earlier report; ``kept`` keys whose value, stored by this batch, stays
    because a later active batch confirmed it.
    """
    table, confirmed = _TABLES[kind.name], _CONFIRMED[kind.name]
    keys, reported = list(kind.keys), _reported(table)
    dtypes = {n: _dtype(table, n) for n in reported}

    # The keys the batch reported: those it stored a version of, and those it confirmed.
    key_columns = [table.c[k] for k in keys]
    own = select(*key_columns).where(table.c.batch_id == batch_id)
    via = (
        select(*key_columns)
        .select_from(confirmed.join(table, table.c.id == confirmed.c.version_id))
        .where(confirmed.c.batch_id == batch_id)
    )
    touched = pd.DataFrame(conn.execute(union_all(own, via)).all(), columns=keys).drop_duplicates()
    if touched.empty:
        return Counter()
    touched = touched.astype({k: dtypes[k] for k in keys})

    # Every version of those keys, with its batch's status, and every confirmation of one of them by
    # an active batch.
    names = ["id", *reported, "batch_id", "is_current", *(["review"] if "review" in table.c else [])]
    # The batch's status under a name of its own: a task report has a ``status`` column too.
    stmt = select(*(table.c[n] for n in names), batches.c.status.label("batch_status")).join(
        batches, batches.c.id == table.c.batch_id
    )
    versions = pd.DataFrame(_for_keys(conn, kind, stmt, touched), columns=[*names, "batch_status"])
    versions = versions.astype({**dtypes, "id": "int64", "batch_id": "int64", "is_current": bool})
    versions = versions.merge(touched, on=keys)
    stmt = (
        select(confirmed.c.batch_id, confirmed.c.version_id)
        .select_from(
            confirmed.join(table, table.c.id == confirmed.c.version_id).join(
                batches, batches.c.id == confirmed.c.batch_id
            )
        )
        .where(batches.c.status == "active")
    )
    confirmations = pd.DataFrame(_for_keys(conn, kind, stmt, touched), columns=["batch_id", "version_id"])

    # Who reported each key last, among the active batches (a batch reports a key once: a version
    # or a confirmation), and the version that carries what it reported.
    by_id = versions.set_index("id")
    active = versions["batch_status"] == "active"
    reports = pd.concat(
        [
            versions.loc[active, [*keys, "batch_id", "id"]].rename(columns={"id": "version_id"}),
            confirmations.merge(versions[[*keys, "id"]].rename(columns={"id": "version_id"}), on="version_id"),
        ]
    )
    newest = reports.sort_values("batch_id", kind="stable").drop_duplicates(keys, keep="last")
    current = versions.loc[versions["is_current"], [*keys, "id"]].rename(columns={"id": "current_id"})
    plan = touched.merge(newest, on=keys, how="left").merge(current, on=keys, how="left")
    carrier = plan["version_id"].astype("Int64")
    carrier_active = carrier.map(by_id["batch_status"]).eq("active").fillna(False).astype(bool)
    target = carrier.where(carrier_active)  # the version to make current, if it can stand as it is
    adopt = plan.loc[carrier.notna() & ~carrier_active]  # confirmed versions of batches gone

    counts: Counter[str] = Counter()
    # Versions stop being current first (the partial unique index allows one per key): this batch's
    # all, and any other whose key settles elsewhere.
    counts["removed"] = conn.execute(
        update(table).where(table.c.batch_id == batch_id, table.c.is_current).values(is_current=False)
    ).rowcount
    current_id = plan["current_id"].astype("Int64")
    others = current_id.notna() & current_id.ne(target).fillna(True).astype(bool)
    others &= current_id.map(by_id["batch_id"]).ne(batch_id).fillna(False).astype(bool)
    _set_current(conn, table, [int(i) for i in current_id[others]], False)
    back = target.notna() & target.ne(current_id).fillna(True).astype(bool)
    _set_current(conn, table, [int(i) for i in target[back]], True)
    counts["restored"] = int(back.sum())

    if len(adopt):
        # The confirming batch now holds the value as a version of its own (replacing the confirmed
        # one), and its confirmation goes: a batch reports a key once.
        kept_columns = [*reported, *(["review"] if "review" in table.c else [])]  # a review state carries over
        carried = by_id.loc[adopt["version_id"].astype("int64").to_numpy(), kept_columns].reset_index(names="old_id")
        carried["by"] = adopt["batch_id"].astype("int64").to_numpy()
        columns: list[str] = []
        rows: list[tuple] = []
        for by, group in carried.groupby("by", sort=True):
            columns, params = _version_params(table, int(by), group)
            rows += params
        _write_rows(conn, table, [], columns, rows)
        for by, group in carried.groupby("by", sort=True):
            # By the primary key (batch first): one batch's confirmations at a time.
            for condition in ids_in(conn, confirmed.c.version_id, group["old_id"].astype("int64").tolist()):
                conn.execute(delete(confirmed).where(confirmed.c.batch_id == int(by), condition))
        mine = carried["old_id"].map(by_id["batch_id"]).eq(batch_id)
        counts["kept"] = int(mine.sum())
        counts["restored"] += int((~mine).sum())
    return counts


class Store:
    """The observation store. ``url`` defaults to ``DASHBOARD_DB_URL`` or ``data/dashboard.db``."""

    def __init__(self, url: str):
        self.url = url
        self.engine = _engine(self.url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"

    # ---------------------------------------------------------------- transactions
    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction, serialised with every other write; refused in words (``STORE_BUSY``,
        nothing stored) when another write holds the store longer than ``BUSY_SECONDS``."""
        try:
            with self.engine.connect() as conn:
                conn.execution_options(write=True)
                with conn.begin():
                    if not self.is_sqlite:
                        # The advisory lock would wait for ever: bounded like SQLite's busy timeout.
                        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(BUSY_SECONDS * 1000)}ms'")
                        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({migrate.WRITE_LOCK})")
                        conn.exec_driver_sql("SET LOCAL lock_timeout = 0")
                    yield conn
        except OperationalError as exc:
            if _is_busy(exc):
                raise StoreError(Problem(Code.STORE_BUSY, {"seconds": BUSY_SECONDS})) from exc
            raise

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
                o.c.review,
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
                "review",
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

        Every write — indicator values or task reports — adds a batch or marks one rolled back;
        a review or a 无法取得 statement adds an event row: those tables tell.
        """
        b = batches
        stmt = select(
            func.count(b.c.id),
            func.max(b.c.id),
            func.max(b.c.created_at),
            func.count(b.c.rolled_back_at),
            func.max(b.c.rolled_back_at),
            # A review changes what the dashboards show without a batch: its events count too.
            select(func.max(review_events.c.id)).scalar_subquery(),
            select(func.max(not_obtainable.c.id)).scalar_subquery(),
        )
        with self.engine.connect() as conn:
            row = conn.execute(stmt).one()
        return hashlib.sha256(repr((self.url, *row)).encode()).hexdigest()[:16]

    # ---------------------------------------------------------------- writes
    def commit(
        self,
        report,
        uploader: str,
        kind: str = "upload",
        *,
        owner_id: int | None = None,
        audit_line: audit.Line | None = None,
        review_state: ReviewState = ReviewState.APPROVED,
        approved_changes: ApprovedChanges | None = None,
        also: Callable[[Connection, int], object] | None = None,
    ) -> int:
        """Store an accepted indicator-values ``IntakeReport`` as one batch in one transaction; returns
        the batch id. ``owner_id``, ``audit_line``, ``review_state``, ``approved_changes``, ``also``:
        see :meth:`commit_rows`."""
        if not report.ok:
            raise StoreError(Problem(Code.REPORT_HAS_ERRORS))
        return self.commit_rows(
            report.rows,
            uploader=uploader,
            file_name=report.file_name,
            sha256=report.sha256,
            kind=kind,
            n_skipped=report.n_skipped,
            owner_id=owner_id,
            audit_line=audit_line,
            review_state=review_state,
            approved_changes=approved_changes,
            also=also,
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
        owner_id: int | None = None,
        audit_line: audit.Line | None = None,
        review_state: ReviewState = ReviewState.APPROVED,
        approved_changes: ApprovedChanges | None = None,
        also: Callable[[Connection, int], object] | None = None,
    ) -> int:
        """Store validated rows (area, indicator, year, value[, note]) as one batch.

        ``uploader`` is the name people read; ``owner_id`` the id of the account that stores the batch
        (``users.id``; None for the command line's operator and the demo), which "own batches" are
        judged by. ``audit_line`` is written in the batch's transaction, with the batch id in front.
        ``review_state``: the state of the new versions (an area editor's upload is ``submitted``);
        ``approved_changes``: refuse, or re-open with a reason, rows that change an approved value
        (None: no lock — the demo, and the store's own tests). ``also(conn, batch_id)``: more writes
        of the batch's own transaction (the analyses uploaded with the values, ``store.analyses``).
        """
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
            owner_id=owner_id,
            audit_line=audit_line,
            review_state=review_state,
            approved_changes=approved_changes,
            also=also,
        )

    def commit_task_report(
        self,
        report,
        uploader: str,
        kind: str = "task_upload",
        *,
        owner_id: int | None = None,
        audit_line: audit.Line | None = None,
    ) -> int:
        """Store an accepted task-progress ``IntakeReport`` as one batch (``kind`` ``task_upload``, or
        ``demo`` for the demo's reports) in one transaction.

        Like indicator values: a (task, year, target_no) not stored yet is new; a different status,
        reached number or note is a correction (a new version replacing the current one); the same
        is unchanged: no new version, only a confirmation that this batch reported it too (so that
        rolling back another batch keeps it). Returns the batch id; refuses a report with errors.
        ``owner_id``, ``audit_line``: see :meth:`commit_rows`.
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
            owner_id=owner_id,
            audit_line=audit_line,
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
        owner_id: int | None = None,
        audit_line: audit.Line | None = None,
        review_state: ReviewState = ReviewState.APPROVED,
        approved_changes: ApprovedChanges | None = None,
        also: Callable[[Connection, int], object] | None = None,
    ) -> int:
        """Store ``rows`` of ``kind`` as one batch, in one transaction; returns the batch id.

        Each row is compared (:func:`~dashboard.core.records.diff`) with the current version of its
        key: a new key or a changed value inserts a version (a correction also flips the version it
        replaces to not current); an unchanged row stores no version but a confirmation of the
        current one, and is counted. ``audit_line`` (with the batch id in front) is written in the
        same transaction: the batch and the line that records it are stored together or not at all.
        """
        # Indicator values only: new versions get ``review_state``; an unchanged row re-reports a
        # returned or submitted value in that state (re-submitted, or approved by an approver's
        # upload). With ``approved_changes``, rows that would change an approved value are refused
        # (``ApprovedValuesLocked``: the transaction ends, nothing stored) or, given its reason,
        # re-opened first — each a review event.
        table = _TABLES[kind.name]
        keys, values = list(kind.keys), list(kind.values)
        reviewed = "review" in table.c
        rows = rows.drop_duplicates(keys, keep="first").reset_index(drop=True)
        with self._write() as conn:
            inserted = conn.execute(
                insert(batches).values(
                    created_at=_now(),
                    uploader=uploader or "unknown",
                    owner_id=owner_id,
                    file_name=file_name or "",
                    sha256=sha256 or "",
                    kind=batch_kind,
                    n_rows=len(rows),
                    n_skipped=int(n_skipped),
                    status="active",
                    review=review_state.value if reviewed else None,
                )
            ).inserted_primary_key
            assert inserted is not None
            batch_id = int(inserted[0])

            old_names = {"id": "old_id", "review": "old_review", **{v: f"old_{v}" for v in values}}
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

            if reviewed:
                actor = approved_changes.actor if approved_changes else Actor(uploader, owner_id)
                self._review_on_commit(conn, merged, status, review_state, approved_changes, actor)
            columns, params = _version_params(table, batch_id, changed, review_state.value if reviewed else None)
            _write_rows(conn, table, corrected, columns, params)
            # An unchanged row stores no version, but the batch did report it: rollback must know.
            confirmed = merged.loc[status == UNCHANGED, "old_id"].astype("int64").tolist()
            _write_rows(conn, _CONFIRMED[kind.name], [], ["batch_id", "version_id"], [(batch_id, v) for v in confirmed])

            conn.execute(
                update(batches)
                .where(batches.c.id == batch_id)
                .values(
                    n_new=int((status == "new").sum()),
                    n_corrected=int((status == "correction").sum()),
                    n_unchanged=int((status == UNCHANGED).sum()),
                )
            )
            if also is not None:
                also(conn, batch_id)
            if audit_line is not None:
                audit.write(conn, audit_line.first(batch=batch_id))
        return batch_id

    @staticmethod
    def _review_on_commit(
        conn: Connection,
        merged: pd.DataFrame,
        status: pd.Series,
        state: ReviewState,
        approved_changes: ApprovedChanges | None,
        actor: Actor,
    ) -> None:
        """The review side of a commit (see :meth:`_commit_batch`), before the new versions go in."""
        if "old_review" not in merged:
            return
        changed = status != UNCHANGED
        if approved_changes is not None:
            locked = review.locked_rows(merged, changed)
            if len(locked):
                if not (approved_changes.reason or "").strip():
                    raise ApprovedValuesLocked(review.locked_problems(locked))
                reopened = locked.rename(columns={"old_id": "id", "old_review": "review"})
                review.change(conn, actor, Action.REOPEN, reopened, approved_changes.reason)
        again = merged.loc[~changed & merged["old_review"].notna()].rename(
            columns={"old_id": "id", "old_review": "review"}
        )
        if again.empty:
            return
        again = again.astype({"id": "int64"})
        resubmitted = review.change(conn, actor, Action.RESUBMIT, again, None)
        if state is ReviewState.APPROVED:
            # An approver re-reporting a value unchanged approves it (a returned one is re-submitted first).
            again.loc[again["id"].isin(resubmitted["id"]), "review"] = ReviewState.SUBMITTED.value
            review.change(conn, actor, Action.APPROVE, again, None)

    def rollback(
        self, batch_id: int, user: str, *, audit_line: audit.Line | None = None, refuse_approved: bool = False
    ) -> dict:
        """Undo a batch: every key it reported (changed or confirmed unchanged) takes the value the
        newest remaining active batch reported for it, or none (see :func:`_settle`).

        Any active batch may be rolled back: a later batch's correction of the same key stays, and
        a value this batch stored stays while a later active batch confirms it. Refused
        (``StoreError``) for an unknown or already rolled-back batch. Returns the batch id and the
        counts ``removed`` (its versions that stopped being current), ``restored`` (keys whose
        earlier value came back) and ``kept`` (its values that stay, confirmed by a later batch).
        ``audit_line`` is written in the rollback's own transaction (a kill after the commit cannot
        leave the rollback without it, as a second transaction could).
        """
        b = batches
        batch_id = int(batch_id)
        with self._write() as conn:
            row = conn.execute(select(b.c.status).where(b.c.id == batch_id)).first()
            if row is None:
                raise StoreError(Problem(Code.UNKNOWN_BATCH, {"batch": batch_id}))
            if row[0] == "rolled_back":
                raise StoreError(Problem(Code.ALREADY_ROLLED_BACK, {"batch": batch_id}))
            if refuse_approved:
                # Checked in the rollback's own transaction: no approval can slip in between.
                mine = review.current_versions(conn, batch_id=batch_id)
                approved = mine[mine["review"] == ReviewState.APPROVED.value] if len(mine) else mine
                if len(approved):
                    first = approved.iloc[0]
                    raise ApprovedValuesLocked(
                        [
                            Problem(
                                Code.ROLLBACK_APPROVED,
                                {
                                    "batch": batch_id,
                                    "n": len(approved),
                                    "area": str(first.area),
                                    "indicator": str(first.indicator),
                                    "year": int(first.year),
                                },
                            )
                        ]
                    )
            # Marked first: from here on the batch is no longer among the active batches that
            # decide a key's value.
            conn.execute(
                update(b)
                .where(b.c.id == batch_id)
                .values(status="rolled_back", rolled_back_at=_now(), rolled_back_by=user or "unknown")
            )
            # A batch writes one kind of record, but settling does not assume which.
            counts: Counter[str] = Counter()
            for name in _TABLES:
                counts.update(_settle(conn, KINDS[name], batch_id))
            if audit_line is not None:
                audit.write(conn, audit_line)
        return {"batch_id": batch_id, **{k: int(counts[k]) for k in ("removed", "restored", "kept")}}

    # ---------------------------------------------------------------- review (store/review.py)
    def shown_values(
        self, areas: list[str] | None = None, years: list[int] | None = None, *, unreviewed: bool = False
    ) -> pd.DataFrame:
        """What the dashboards, the evaluation and the reports show: the approved values (for each
        key the newest approved version of an active batch), or with ``unreviewed`` the current
        values whatever their state. Columns area, indicator, year, value, note, batch_id, review."""
        if unreviewed:
            return self.current_values(areas, years)
        with self.engine.connect() as conn:
            return review.approved_values(conn, areas, years)

    def review_states(self, areas: list[str] | None = None, years: list[int] | None = None) -> pd.DataFrame:
        """Every current value's review state, batch, uploader and latest comment (the review queue)."""
        with self.engine.connect() as conn:
            return review.state_of_current(conn, areas, years)

    def review_events(self, area: str | None = None, indicator: str | None = None, limit: int = 500) -> pd.DataFrame:
        """The review history, newest first (of one area and indicator, or all)."""
        with self.engine.connect() as conn:
            return review.events(conn, area, indicator, limit)

    def change_review(
        self,
        action: Action,
        actor: Actor,
        *,
        batch_id: int | None = None,
        keys: list[tuple[str, str, int]] | None = None,
        comment: str | None = None,
        audit_line: audit.Line | None = None,
    ) -> pd.DataFrame:
        """Apply ``action`` to the current values of a batch or of ``keys`` that are in one of its
        ``before`` states, in one transaction with ``audit_line`` (its details gain the count).
        Returns the versions changed (id, area, indicator, year, value, review before, batch_id);
        an empty frame when none was in such a state (nothing written, no audit line)."""
        with self._write() as conn:
            versions = review.current_versions(conn, batch_id=batch_id, keys=keys)
            if versions.empty:
                return versions
            done = review.change(conn, actor, action, versions, comment)
            if len(done) and audit_line is not None:
                audit.write(conn, audit_line.first(n=len(done)))
        return done

    def declare_not_obtainable(
        self, actor: Actor, area: str, indicator: str, year: int, reason: str, *, audit_line: audit.Line | None = None
    ) -> None:
        """Record (or, with an empty ``reason``, withdraw) that a value cannot be obtained."""
        with self._write() as conn:
            review.declare_not_obtainable(conn, actor, area, indicator, year, reason)
            if audit_line is not None:
                audit.write(conn, audit_line)

    def not_obtainable(self, years: list[int] | None = None) -> pd.DataFrame:
        """The standing 无法取得 statements: area, indicator, year, reason, user, at."""
        with self.engine.connect() as conn:
            return review.not_obtainable_now(conn, years)

    def clear(self) -> None:
        """Delete everything (tests, and ``demo`` on a database the user wants to reset)."""
        with self._write() as conn:
            conn.execute(delete(review_events))
            conn.execute(delete(not_obtainable))
            conn.execute(delete(analyses))
            for c in _CONFIRMED.values():
                conn.execute(delete(c))
            for v in _VERSIONED:
                conn.execute(update(v).values(replaces_id=None))
                conn.execute(delete(v))
            conn.execute(delete(batches))

    def dispose(self) -> None:
        """Close pooled connections (temporary databases in tests and benchmarks)."""
        with _ENGINES_LOCK:
            _ENGINES.pop(self.url, None)
        self.engine.dispose()
