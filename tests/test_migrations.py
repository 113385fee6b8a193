"""Alembic migrations: the head revision is schema.py, and databases made by released versions
upgrade in place with every row, id and rollback intact — on SQLite and on PostgreSQL.

The released databases are built by the releases' own code (tests/fixtures/releases/make_release_db.py):
``63c616e`` (the current release, with task reports, accounts and the audit trail, no Alembic) and
``46758f6`` (before task reports: the old batch-kind CHECK, an index since dropped, no accounts).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from dashboard.intake.indicator_values import read_upload
from dashboard.intake.task_progress import read_task_progress
from dashboard.rules import load_rules
from dashboard.rules.workplan import load_tasks
from dashboard.store import Store, migrate
from dashboard.store.schema import metadata

ROOT = Path(__file__).resolve().parent.parent
RELEASES = Path(__file__).parent / "fixtures" / "releases"
PG_URL = os.environ.get("DASHBOARD_TEST_PG_URL")
# The tables a release had, in an order that lists rows reproducibly.
TABLES = {
    "63c616e": ["batches", "observations", "task_reports", "users", "sign_in_throttle", "sessions", "audit_log"],
    "46758f6": ["batches", "observations"],
}
# The old ids' counters are moved on before the upgrade (as after ``clear`` or deleted batches):
# the migrated database must keep handing out larger ids, never reuse one.
BUMPED_BATCH_ID = 50


@pytest.fixture(scope="module")
def rules():
    return load_rules(ROOT / "rules")


@pytest.fixture(scope="module")
def cat(rules):
    return load_tasks(ROOT / "rules", rules)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_db(request, tmp_path):
    """The URL of a new, empty database: a SQLite file, or a PostgreSQL database of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db.sqlite'}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL: set DASHBOARD_TEST_PG_URL (the CI script .ci/run does) to run these")
    name = f"migration_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def load_release(url: str, release: str) -> None:
    """Fill the empty database at ``url`` with what ``release`` made (its dump), ids moved on."""
    dialect = make_url(url).get_backend_name()
    if dialect == "sqlite":
        conn = sqlite3.connect(make_url(url).database)
        conn.executescript((RELEASES / f"{release}.sqlite.sql").read_text(encoding="utf-8"))
        conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'batches'", (BUMPED_BATCH_ID,))
        conn.commit()
        conn.close()
        return
    engine = create_engine(url)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute((RELEASES / f"{release}.postgresql.sql").read_text(encoding="utf-8"))
        cur.execute(f"SELECT setval(pg_get_serial_sequence('batches', 'id'), {BUMPED_BATCH_ID})")
        raw.commit()
    finally:
        raw.close()
        engine.dispose()


def rows_of(url: str, tables: list[str]) -> dict[str, list[tuple]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1"))] for t in tables}
    finally:
        engine.dispose()


def ownerless(rows: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """A release's rows as they read after the upgrade: each batch with no owner (``owner_id`` NULL,
    the column revision 0005 adds) and no review state at upload (revision 0007), each value
    approved (revision 0007: what the office accepted before the review step existed stays shown)."""
    upgraded = {**rows, "batches": [(*r, None, None) for r in rows["batches"]]}
    if "observations" in rows:
        upgraded["observations"] = [(*r, "approved") for r in rows["observations"]]
    return upgraded


def schema_differences(conn) -> list:
    context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
    return compare_metadata(context, metadata)


def assert_schema_is_head(store: Store) -> None:
    """The database is at head and has exactly schema.py's tables, columns, indexes and constraints."""
    with store.engine.connect() as conn:
        assert migrate.current_revision(conn) == migrate.head()
        assert schema_differences(conn) == []
        # What autogenerate does not compare: CHECK constraints and partial-index conditions.
        inspector = inspect(conn)
        checks = {
            c["name"]: c["sqltext"] for t in ("batches", "task_reports") for c in inspector.get_check_constraints(t)
        }
        assert set(checks) == {"ck_batches_kind", "ck_batches_status", "ck_task_reports_status"}
        assert "'task_upload'" in checks["ck_batches_kind"]
        if store.is_sqlite:
            sql = dict(conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL").all())
            for table in ("batches", "observations", "task_reports"):
                assert "AUTOINCREMENT" in sql[table], table
            for index in ("ux_observations_current", "ux_task_reports_current"):
                assert sql[index].endswith("WHERE is_current = 1"), sql[index]
        else:
            defs = dict(
                conn.exec_driver_sql(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
                ).all()
            )
            for index in ("ux_observations_current", "ux_task_reports_current"):
                assert defs[index].endswith("WHERE is_current"), defs[index]


# ------------------------------------------------------------------------------ a new database
def test_an_empty_database_is_built_to_head_and_matches_the_schema(empty_db):
    store = Store(empty_db)
    try:
        assert_schema_is_head(store)
        assert store.is_empty()
    finally:
        store.dispose()


def test_head_is_the_last_revision():
    assert migrate.head() == "0008"
    # Opening a database at head reads the head from the files' text, without importing Alembic.
    assert migrate.head_from_files() == migrate.head()


def test_opening_a_database_at_head_needs_no_alembic(empty_db, tmp_path):
    Store(empty_db).dispose()  # built to head (Alembic runs)
    probe = (
        "import sys; from dashboard.store import Store; Store(sys.argv[1]).dispose(); print('alembic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe, empty_db], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_opening_a_database_at_head_again_changes_nothing(empty_db, rules):
    store = Store(empty_db)
    first = store.commit(read_upload("区县,指标,年份,数值\n万州区,W04,2021,93.5\n".encode(), "a.csv", rules), "x")
    store.dispose()
    again = Store(empty_db)
    try:
        assert_schema_is_head(again)
        assert again.batches()["id"].tolist() == [first]
    finally:
        again.dispose()


# ------------------------------------------------------------------------------ released databases
@pytest.mark.parametrize("release", ["63c616e", "46758f6"])
def test_a_released_database_upgrades_in_place(empty_db, release, rules, cat):
    load_release(empty_db, release)
    before = rows_of(empty_db, TABLES[release])
    old_ids = [r[0] for r in before["batches"]]
    assert len(old_ids) >= 3 and any(r[11] == "rolled_back" for r in before["batches"])  # status column

    store = Store(empty_db)
    try:
        assert_schema_is_head(store)
        # Every row of every table the release had, ids and flags included, is as it was; its
        # batches have no owner (revision 0005: no area editor owns them).
        assert rows_of(empty_db, TABLES[release]) == ownerless(before)
        current = store.current_values().set_index(["area", "indicator", "year"])["value"].to_dict()
        assert current == {("500101", "W04", 2021): 94.0, ("500101", "W02", 2021): 80.0, ("500102", "C01", 2021): 2.1}
        batches = store.batches()
        assert sorted(batches["id"]) == old_ids
        assert batches.set_index("id")["status"].to_dict() == {r[0]: r[11] for r in before["batches"]}

        # A new upload commits, with an id larger than any the release handed out.
        upload = read_upload("区县,指标,年份,数值\n万州区,W04,2021,95\n".encode(), "new.csv", rules)
        new = store.commit(upload, "x")
        assert new > BUMPED_BATCH_ID > max(old_ids)
        assert store.batch(new)["n_corrected"] == 1
        # A task report commits (the pre-task release's CHECK allowed upload/demo only).
        tasks = read_task_progress(
            "年份,任务代码,状态,目标,完成值,备注\n2020,WP2020-11,已完成,,130,\n".encode(), "t.csv", cat, rules
        )
        assert tasks.ok, [p.format() for p in tasks.problems]
        task_batch = store.commit_task_report(tasks, "x")
        assert task_batch > new and store.batch(task_batch)["kind"] == "task_upload"
        # Rollbacks work on new and old batches alike: the release's correction is undone too.
        store.rollback(task_batch, "admin")
        store.rollback(new, "admin")
        store.rollback(old_ids[1], "admin")  # the release's batch 2 corrected W04 from 93.5 to 94
        values = store.current_values().set_index(["area", "indicator", "year"])["value"].to_dict()
        assert values == {("500101", "W04", 2021): 93.5, ("500102", "C01", 2021): 2.1}
        if store.is_sqlite:
            with store.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    finally:
        store.dispose()


def test_the_released_accounts_still_sign_in(empty_db):
    from dashboard.access import accounts

    load_release(empty_db, "63c616e")
    store = Store(empty_db)
    try:
        _user, token = accounts.sign_in(store.engine, "admin", "release fixture password")
        assert token and accounts.list_users(store.engine)["name"].tolist() == ["admin"]
    finally:
        store.dispose()


def test_a_pre_task_database_gets_the_tables_it_never_had(empty_db):
    load_release(empty_db, "46758f6")
    engine = create_engine(empty_db)
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) == {"batches", "observations"}
        assert "ix_observations_batch" in {i["name"] for i in inspect(conn).get_indexes("observations")}
    engine.dispose()
    store = Store(empty_db)
    try:
        with store.engine.connect() as conn:
            names = set(inspect(conn).get_table_names())
            assert {"users", "sessions", "sign_in_throttle", "audit_log", "task_reports", "alembic_version"} <= names
            assert "ix_observations_batch" not in {i["name"] for i in inspect(conn).get_indexes("observations")}
    finally:
        store.dispose()


def test_confirmations_start_with_the_upgrade(empty_db, rules):
    """Revision 0004 records the rows a batch reports unchanged; what a release stored for them — a
    batch and its count, nothing else — cannot say which rows they were, so rolling back the batch
    that stored such a value removes it, as it did before the upgrade. New batches are known."""
    load_release(empty_db, "63c616e")
    # What the release stored for a file that reported W02 = 80 (stored by its batch 2) unchanged.
    engine = create_engine(empty_db)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO batches (id, created_at, uploader, file_name, sha256, kind, n_rows, n_new, n_corrected, "
                "n_unchanged, n_skipped, status) SELECT 5, created_at, uploader, 'same.csv', sha256, kind, 1, 0, 0, "
                "1, 0, 'active' FROM batches WHERE id = 2"
            )
        )
    engine.dispose()
    store = Store(empty_db)
    try:
        # After the upgrade a batch reports W04 = 94 (also stored by batch 2) unchanged: recorded.
        upload = read_upload("区县,指标,年份,数值\n万州区,W04,2021,94\n".encode(), "same.csv", rules)
        new = store.commit(upload, "x")
        assert store.batch(new)["n_unchanged"] == 1
        # Batch 2 goes: W04 stays, now the new batch's; W02 goes, as it always did.
        assert store.rollback(2, "admin") == {"batch_id": 2, "removed": 2, "restored": 0, "kept": 1}
        values = store.current_values().set_index(["area", "indicator", "year"])
        assert values["value"].to_dict() == {("500101", "W04", 2021): 94.0, ("500102", "C01", 2021): 2.1}
        assert values.loc[("500101", "W04", 2021), "batch_id"] == new
    finally:
        store.dispose()


# ------------------------------------------------------------------------------ two processes at once
OPEN_STORE = """
import sys
from dashboard.store import Store
Store(sys.argv[1]).dispose()
"""


def test_two_processes_opening_an_old_database_together_migrate_it_once(empty_db):
    load_release(empty_db, "46758f6")
    before = rows_of(empty_db, TABLES["46758f6"])
    procs = [
        subprocess.Popen([sys.executable, "-c", OPEN_STORE, empty_db], cwd=ROOT, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    errors = [p.communicate(timeout=120)[1].decode() for p in procs]
    if [p.returncode for p in procs] != [0, 0]:
        pytest.fail("a process failed to open the database:\n" + "\n".join(errors), pytrace=False)
    assert rows_of(empty_db, TABLES["46758f6"]) == ownerless(before)
    assert rows_of(empty_db, ["alembic_version"]) == {"alembic_version": [(migrate.head(),)]}
    store = Store(empty_db)
    try:
        assert_schema_is_head(store)
    finally:
        store.dispose()
