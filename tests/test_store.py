"""The store on SQLite always and on PostgreSQL when DASHBOARD_TEST_PG_URL is set (.ci/run sets it).

Every rejection leaves the database exactly as it was; an import killed mid-transaction too.
"""

import io
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager, redirect_stdout
from pathlib import Path

import pandas as pd
import psycopg
import pytest
from sqlalchemy import delete, event, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from dashboard.bench.postgres import server_binaries
from dashboard.cli import main
from dashboard.cli.common import os_identity
from dashboard.intake.indicator_values import preview_changes, read_upload
from dashboard.rules import load_rules
from dashboard.store import Store, StoreError, audit
from dashboard.store import store as store_module
from dashboard.store.schema import observations

ROOT = Path(__file__).resolve().parent.parent
FIX = Path(__file__).parent / "fixtures" / "uploads"
REJECTED = [
    "empty.csv",
    "blank_lines.csv",
    "header_only.csv",
    "binary.csv",
    "image.csv",
    "fake.xlsx",
    "broken_zip.xlsx",
    "bad_encoding.csv",
    "unclosed_quote.csv",
    "missing_column.csv",
    "unknown_names.csv",
    "year_out_of_range.csv",
    "rate_120.csv",
    "negative_mortality.csv",
    "not_a_number.csv",
    "conflicting_duplicates.csv",
    "all_no_values.csv",
    "many_problems_gbk.csv",
]


@pytest.fixture(scope="module")
def rules():
    return load_rules(ROOT / "rules")


def csv(text: str) -> bytes:
    return text.encode("utf-8")


def snapshot(s: Store):
    cur = s.current_values().sort_values(["area", "indicator", "year"]).reset_index(drop=True)
    return cur, s.batches().reset_index(drop=True)


def assert_unchanged(before, after):
    pd.testing.assert_frame_equal(before[0], after[0])
    pd.testing.assert_frame_equal(before[1], after[1])


def seed(s: Store, rules) -> int:
    rep = read_upload(
        csv("区县,指标,年份,数值,备注\n万州区,W04,2021,93.5,\n万州区,W02,2021,80,初报\n涪陵区,C01,2021,2.1,\n"),
        "seed.csv",
        rules,
    )
    return s.commit(rep, uploader="tester")


def run_cli(*argv) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(argv))
    return code, out.getvalue()


# ------------------------------------------------------------------------------ basics
def test_sqlite_file_and_directory_are_created(tmp_path):
    url = f"sqlite:///{tmp_path / 'new' / 'dir' / 'x.db'}"
    s = Store(url)
    assert (tmp_path / "new" / "dir" / "x.db").exists()
    with s.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        plan = conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT id FROM observations WHERE observations.is_current = 1 "
            "AND area IN ('500101') AND year IN (2021)"
        ).all()
    assert "USING INDEX" in str(plan)  # never a full table scan
    s.dispose()


def test_commit_and_current_values(store, rules):
    batch = seed(store, rules)
    cur = store.current_values()
    assert cur[["area", "indicator", "year", "value", "note", "batch_id"]].values.tolist() == [
        ["500101", "W02", 2021, 80.0, "初报", batch],
        ["500101", "W04", 2021, 93.5, None, batch],
        ["500102", "C01", 2021, 2.1, None, batch],
    ]
    b = store.batches().iloc[0]
    assert (b.id, b.uploader, b.file_name, b.kind, b.status, b.n_rows, b.n_new, b.n_corrected, b.n_unchanged) == (
        batch,
        "tester",
        "seed.csv",
        "upload",
        "active",
        3,
        3,
        0,
        0,
    )
    assert len(b.sha256) == 64 and str(b.created_at.tz) == "UTC"


def test_correction_is_a_new_version_and_rollback_restores(store, rules):
    first = seed(store, rules)
    v0 = store.data_version()
    rep = read_upload(
        csv(
            "区县,指标,年份,数值,备注\n万州区,W04,2021,94,\n万州区,W02,2021,80,初报\n"
            "万州区,W01,2021,—,\n万州区,C02,2021,3.3,\n"
        ),
        "fix.csv",
        rules,
    )
    preview = preview_changes(rep, store)
    assert preview[["indicator", "old", "new", "kind"]].fillna(-1).values.tolist() == [
        ["W04", 93.5, 94.0, "correction"],
        ["W02", 80.0, 80.0, "unchanged"],
        ["C02", -1, 3.3, "new"],
    ]
    second = store.commit(rep, uploader="fixer")
    assert store.data_version() != v0
    b = store.batch(second)
    assert (b["n_rows"], b["n_new"], b["n_corrected"], b["n_unchanged"], b["n_skipped"]) == (3, 1, 1, 1, 1)
    hist = store.history_of("500101", "W04")
    assert hist[["value", "is_current", "batch_id"]].values.tolist() == [[93.5, False, first], [94.0, True, second]]
    # Unchanged values are not stored again.
    assert len(store.history_of("500101", "W02")) == 1

    v1 = store.data_version()
    assert store.rollback(second, "admin") == {"batch_id": second, "removed": 2, "restored": 1, "kept": 0}
    assert store.data_version() != v1
    cur = store.current_values().set_index(["area", "indicator"])
    assert cur.loc[("500101", "W04"), "value"] == 93.5 and cur.loc[("500101", "W04"), "batch_id"] == first
    assert ("500101", "C02") not in cur.index
    hist = store.history_of("500101", "W04")
    assert hist["status"].tolist() == ["active", "rolled_back"] and hist["is_current"].tolist() == [True, False]
    row = store.batch(second)
    assert row["status"] == "rolled_back" and row["rolled_back_by"] == "admin" and row["rolled_back_at"] is not None


def test_rollback_refusals_and_an_earlier_batch_first(store, rules):
    first = seed(store, rules)
    second = store.commit(read_upload(csv("区县,指标,年份,数值\n万州区,W04,2021,95\n"), "b.csv", rules), "x")
    with pytest.raises(StoreError) as exc:
        store.rollback(999, "admin")
    assert exc.value.problem.code == "UNKNOWN_BATCH"
    # An earlier batch may go first: the later correction stays, the batch's other values go.
    assert store.rollback(first, "admin") == {"batch_id": first, "removed": 2, "restored": 0, "kept": 0}
    cur = store.current_values()
    assert cur[["indicator", "value", "batch_id"]].values.tolist() == [["W04", 95.0, second]]
    with pytest.raises(StoreError) as exc:
        store.rollback(first, "admin")
    assert exc.value.problem.code == "ALREADY_ROLLED_BACK"
    store.rollback(second, "admin")  # the first batch is gone: its 93.5 does not come back
    assert store.current_values().empty


def test_unchanged_only_file_is_recorded_as_a_batch(store, rules):
    seed(store, rules)
    before = store.current_values()
    rep = read_upload(csv("区县,指标,年份,数值,备注\n万州区,W02,2021,80,初报\n"), "same.csv", rules)
    batch = store.commit(rep, "x")
    b = store.batch(batch)
    assert (b["n_rows"], b["n_new"], b["n_corrected"], b["n_unchanged"]) == (1, 0, 0, 1)
    pd.testing.assert_frame_equal(before, store.current_values())
    assert store.batches_with_sha256(rep.sha256) == [batch]


def test_note_change_alone_is_a_correction(store, rules):
    seed(store, rules)
    rep = read_upload(csv("区县,指标,年份,数值,备注\n万州区,W02,2021,80,终报\n"), "n.csv", rules)
    assert preview_changes(rep, store)["kind"].tolist() == ["correction"]
    store.commit(rep, "x")
    assert store.history_of("500101", "W02")["note"].tolist() == ["初报", "终报"]


def test_only_one_current_version_per_key(store, rules):
    batch = seed(store, rules)
    with pytest.raises(IntegrityError):
        with store.engine.begin() as conn:
            conn.execute(
                insert(observations).values(
                    batch_id=batch, area="500101", indicator="W04", year=2021, value=1.0, is_current=True
                )
            )


def test_store_refuses_a_report_with_errors(store, rules):
    seed(store, rules)
    before = snapshot(store)
    rep = read_upload((FIX / "rate_120.csv").read_bytes(), "rate_120.csv", rules)
    with pytest.raises(StoreError):
        store.commit(rep, "x")
    assert_unchanged(before, snapshot(store))


# ------------------------------------------------------------------------------ command line
@pytest.mark.parametrize("name", REJECTED)
def test_cli_rejection_leaves_database_unchanged(store, rules, name):
    seed(store, rules)
    before = snapshot(store)
    code, out = run_cli("import", str(FIX / name))
    assert code == 1
    assert "nothing stored" in out
    rep = read_upload((FIX / name).read_bytes(), name, rules)
    for p in rep.errors:
        assert p.format() in out
    assert_unchanged(before, snapshot(store))


def test_cli_import_dry_run_history_export_rollback(store, rules, tmp_path):
    seed(store, rules)
    before = snapshot(store)
    code, out = run_cli("import", str(FIX / "good_bom_crlf.csv"), "--dry-run")
    assert code == 0 and "dry run" in out
    assert "row 7, column 监测值: SKIPPED" in out
    assert "row 2: CORRECTION: 万州区 W04 2021: 93.5 → 93.5" not in out  # 93.5 is unchanged
    assert_unchanged(before, snapshot(store))

    code, out = run_cli("import", str(FIX / "good_bom_crlf.csv"))
    assert code == 0 and "stored as batch" in out
    newest = store.batches().iloc[0]
    # Without --as the command runs as the operating-system user: named so, owned by no account.
    assert (newest.uploader, newest.n_new, newest.n_unchanged, newest.n_skipped) == (os_identity(), 4, 1, 1)
    assert pd.isna(newest.owner_id)
    line = audit.entries(store.engine, action="upload").iloc[0]
    assert line["user"] == os_identity() and json.loads(line["details"])["batch"] == int(newest.id)
    assert {"via": "cli", "os_user": os_identity()}.items() <= json.loads(line["details"]).items()

    code, out = run_cli("history")
    assert code == 0 and out.splitlines()[0].startswith("id,created_at,kind,uploader")
    assert len(out.strip().splitlines()) == 3

    evil = read_upload(
        csv('区县,指标,年份,数值,备注\n万州区,W05a,2021,60,=HYPERLINK("http://x")\n万州区,W05b,2021,50,@SUM(A1)\n'),
        "evil.csv",
        rules,
    )
    store.commit(evil, "x")
    target = tmp_path / "export.csv"
    code, _ = run_cli("export", "--out", str(target))
    assert code == 0
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(target, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(frame.columns) == ["地区代码", "地区名称", "指标代码", "指标名称", "年份", "数值", "备注", "批次"]
    notes = dict(zip(frame["指标代码"], frame["备注"]))
    assert notes["W05a"] == '\'=HYPERLINK("http://x")' and notes["W05b"] == "'@SUM(A1)"
    assert len(frame) == len(store.current_values())

    code, out = run_cli("rollback", str(int(newest.id)))
    assert code == 1  # the operator's values were stored approved: ROLLBACK_APPROVED (on standard error)
    code, out = run_cli("review", "reopen", "--batch", str(int(newest.id)), "--comment", "错误的文件")
    assert code == 0, out
    code, out = run_cli("rollback", str(int(newest.id)))
    assert code == 0 and "rolled back" in out
    assert store.batch(int(newest.id))["rolled_back_by"] == os_identity()
    code, _ = run_cli("rollback", str(int(newest.id)))
    assert code == 1
    refused = audit.entries(store.engine, action="rollback_refused").iloc[0]
    assert refused["user"] == os_identity() and json.loads(refused["details"])["os_user"] == os_identity()


# ------------------------------------------------------------------------------ atomicity
def big_file(rules) -> bytes:
    from dashboard.demo import generate

    rows = generate(rules, seed=7, years=[2021])
    rows = rows.rename(columns={"area": "区县", "indicator": "指标", "year": "年份", "value": "数值"})
    return rows.to_csv(index=False).encode("utf-8")


def test_failure_inside_the_transaction_rolls_everything_back(store, rules, monkeypatch):
    seed(store, rules)
    before = snapshot(store)
    rep = read_upload(big_file(rules), "big.csv", rules)
    assert rep.ok and len(rep.rows) > 3000
    written: list[int] = []

    def boom(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO observations"):
            written.append(len(parameters))
            if len(written) == 3:
                raise RuntimeError("disk full")

    def write_row(copy, row):
        copy_row(copy, row)
        written.append(1)
        if len(written) == 3000:
            raise RuntimeError("disk full")

    # SQLite: many inserts of 50 rows, the failure comes after some of them succeeded. PostgreSQL:
    # one COPY, whose rows go to the server in blocks of 32 KB (some 800 rows) — most of the file
    # is inside the open transaction when its 3,000th row fails.
    monkeypatch.setattr(store_module, "_CHUNK", 50)
    copy_row = psycopg.Copy.write_row
    monkeypatch.setattr(psycopg.Copy, "write_row", write_row)
    event.listen(store.engine, "after_cursor_execute", boom)
    try:
        with pytest.raises(RuntimeError, match="disk full"):
            store.commit(rep, "x")
    finally:
        event.remove(store.engine, "after_cursor_execute", boom)
    assert sum(written) == (150 if store.is_sqlite else 3000)
    assert_unchanged(before, snapshot(store))


def test_failure_after_the_rows_before_the_commit_rolls_everything_back(store, rules):
    seed(store, rules)
    before = snapshot(store)
    rep = read_upload(big_file(rules), "big.csv", rules)
    seen = []

    def boom(conn, cursor, statement, parameters, context, executemany):
        # The batch's counts are the last statement before the commit: every row is written by then.
        if statement.startswith("UPDATE batches"):
            inside = cursor.connection.cursor()
            inside.execute("SELECT count(*) FROM observations")
            seen.append(inside.fetchone()[0])
            inside.close()
            raise RuntimeError("power cut")

    event.listen(store.engine, "after_cursor_execute", boom)
    try:
        with pytest.raises(RuntimeError, match="power cut"):
            store.commit(rep, "x")
    finally:
        event.remove(store.engine, "after_cursor_execute", boom)
    assert seen and seen[0] > len(before[0]) + 3000  # the rows were in the transaction…
    assert_unchanged(before, snapshot(store))  # …and went with it


def test_constraint_violation_in_the_batch_rolls_everything_back(store, rules, monkeypatch):
    seed(store, rules)
    before = snapshot(store)
    rep = read_upload(big_file(rules), "big.csv", rules)
    version_params = store_module._version_params

    def with_a_second_current_version(table, batch_id, changed, review=None):
        # The last row twice: two current versions of one key, which the partial unique index
        # refuses when the last row arrives — every row before it is in by then.
        columns, params = version_params(table, batch_id, changed, review)
        return columns, [*params, params[-1]]

    monkeypatch.setattr(store_module, "_version_params", with_a_second_current_version)
    with pytest.raises(IntegrityError):  # SQLAlchemy's, whichever back-end and write path
        store.commit(rep, "x")
    assert_unchanged(before, snapshot(store))
    monkeypatch.setattr(store_module, "_version_params", version_params)
    store.commit(rep, "x")  # and the store still works
    assert len(store.current_values()) == len(rep.rows)  # the file has the seed's keys too


# Run in a child process that the test kills: the import, slowed down from the outside — on SQLite
# each insert of a small chunk of rows, on PostgreSQL every 1,000 rows of the COPY, is followed by a
# note in the marker file and a pause — so the kill lands while the transaction is open, with rows
# already written inside it.
KILLED_IMPORT = """
import sys, time
import psycopg
from sqlalchemy import event
from sqlalchemy.engine import Engine
from dashboard.cli import main
from dashboard.store import store

store._CHUNK = 50
marker = sys.argv[1]


def note():
    with open(marker, "a", encoding="utf-8") as fh:
        fh.write("rows\\n")
    time.sleep(0.2)


@event.listens_for(Engine, "after_cursor_execute")
def pause(conn, cursor, statement, parameters, context, executemany):
    if statement.startswith("INSERT INTO observations"):
        note()


# COPY sends its rows in blocks of 32 KB (some 800 rows) as they fill: from the second note on,
# rows are inside the open transaction on the server.
copy_row, copied = psycopg.Copy.write_row, []


def write_row(copy, row):
    copy_row(copy, row)
    copied.append(1)
    if len(copied) % 1000 == 0:
        note()


psycopg.Copy.write_row = write_row

sys.exit(main(["import", sys.argv[2], "--reason", "re-import"]))  # it corrects approved values
"""


def test_import_killed_mid_transaction_leaves_database_as_before(store, rules, tmp_path):
    seed(store, rules)
    before = snapshot(store)
    data = tmp_path / "big.csv"
    data.write_bytes(big_file(rules))
    marker = tmp_path / "marker"
    env = dict(
        os.environ,
        DASHBOARD_DB_URL=store.url,
        DASHBOARD_RULES_DIR=str(ROOT / "rules"),
        PYTHONPATH=str(ROOT),
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_IMPORT, str(marker), str(data)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        # Wait until several chunks of rows are inside the open transaction.
        while time.monotonic() < deadline:
            if marker.exists() and marker.read_text().count("rows") >= 3:
                break
            if proc.poll() is not None:
                pytest.fail(f"import ended early: {proc.stderr.read().decode()}")
            time.sleep(0.02)
        else:
            pytest.fail("the import never reached the row inserts")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    fresh = Store(store.url)
    assert_unchanged(before, snapshot(fresh))
    # And the database still works: the same file imports completely afterwards.
    rep = read_upload(data.read_bytes(), "big.csv", rules)
    fresh.commit(rep, "x")
    assert len(fresh.current_values()) >= len(rep.rows)


# ------------------------------------------------------------------------------ a change and its audit line
PASSWORD = "correct horse battery"
# A trigger that refuses every audit line: the change it would record must not be stored either.
REFUSE_AUDIT = {
    "sqlite": ["CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'no audit'); END"],
    "postgresql": [
        "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no audit'; END $$",
        "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit()",
    ],
}
ALLOW_AUDIT = {
    "sqlite": ["DROP TRIGGER refuse_audit"],
    "postgresql": ["DROP TRIGGER refuse_audit ON audit_log", "DROP FUNCTION refuse_audit()"],
}


@contextmanager
def audit_refused(s: Store):
    with s.engine.begin() as conn:
        for sql in REFUSE_AUDIT[s.engine.dialect.name]:
            conn.exec_driver_sql(sql)
    try:
        yield
    finally:
        with s.engine.begin() as conn:
            for sql in ALLOW_AUDIT[s.engine.dialect.name]:
                conn.exec_driver_sql(sql)


@contextmanager
def accounts_of_this_test(s: Store):
    """Accounts, sessions, throttle counts and audit lines start and end empty (the PostgreSQL test
    database is shared between tests)."""
    from dashboard.store.schema import audit_log, oidc_identities, sessions, throttle, users

    def empty():
        s.clear()  # the batches first: they refer to their owners
        with s.engine.begin() as conn:
            for table in (sessions, throttle, audit_log, oidc_identities, users):
                conn.execute(delete(table))

    empty()
    try:
        yield
    finally:
        empty()


def account_state(s: Store) -> tuple:
    """Users, sessions, throttle counts, and how many audit lines there are."""
    from dashboard.store.schema import sessions, throttle, users

    with s.engine.connect() as conn:
        tables = [sorted(tuple(r) for r in conn.execute(select(t))) for t in (users, sessions, throttle)]
    return (*tables, len(audit.entries(s.engine, limit=10**6)))


def test_a_change_and_its_audit_line_are_one_transaction(store, rules):
    """With the audit line refused by the database, the upload, rollback, user change, password
    change, unlock, sign-in and sign-out it would record are not stored either; allowed again, each
    is stored with exactly its line."""
    from dashboard.access import accounts
    from dashboard.access.authorization import rollback_as, upload_as

    with accounts_of_this_test(store):
        engine = store.engine
        root = accounts.add_user(engine, "root", PASSWORD, "admin")
        accounts.add_user(engine, "wz", PASSWORD, "area_editor", ["500101"])
        first = upload_as(root, store, read_upload(csv("区县,指标,年份,数值\n万州区,W04,2021,93.5\n"), "a.csv", rules))
        for _ in range(accounts.CLIENT_FREE_ATTEMPTS):  # a lock-out to lift
            with pytest.raises(accounts.AuthError):
                accounts.sign_in(engine, "wz", "wrong password", client="10.0.0.66")
        _, token = accounts.sign_in(engine, "root", PASSWORD, client="10.0.0.7")
        second = read_upload(csv("区县,指标,年份,数值\n万州区,W04,2021,94\n"), "b.csv", rules)
        changes = [
            lambda: upload_as(root, store, second, reason="更正"),  # W04 was approved as root stored it
            lambda: rollback_as(root, store, first),
            lambda: accounts.add_user(engine, "yz", PASSWORD, "viewer", by="root"),
            lambda: accounts.change_user(engine, "wz", role="city_editor", by="root"),
            lambda: accounts.change_user(engine, "wz", disabled=True, by="root"),
            lambda: accounts.set_password(engine, "wz", "another long secret 43", by="root"),
            lambda: accounts.unlock(engine, "wz", by="root", client="10.0.0.66"),
            lambda: accounts.sign_in(engine, "root", PASSWORD, client="10.0.0.7"),
            lambda: accounts.sign_out(engine, token, "root"),
        ]
        data, (users, sessions, _counts, lines) = snapshot(store), account_state(store)
        with audit_refused(store):
            for change in changes:
                with pytest.raises(DBAPIError, match="no audit"):
                    change()
                assert_unchanged(data, snapshot(store))
                # (A sign-in's attempt is counted before the password is checked, by design: the
                # throttle counts are not compared.)
                now = account_state(store)
                assert (now[0], now[1], now[3]) == (users, sessions, lines), change
        assert accounts.user_for_session(engine, token) == root  # still signed in

        for change in changes:
            change()
            now = len(audit.entries(engine, limit=10**6))
            assert now == lines + 1, change
            lines = now
        actions = audit.entries(engine, limit=len(changes))["action"].tolist()[::-1]
        assert actions == [
            "upload",
            "rollback",
            "user_add",
            "user_change",
            "user_disable",
            "password_change",
            "user_unlock",
            "sign_in",
            "sign_out",
        ]
        assert store.batch(first)["status"] == "rolled_back" and accounts.user_for_session(engine, token) is None


KILLED_ROLLBACK = """
import sys, time
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool
from dashboard.cli import main

marker, batch, point = sys.argv[1], sys.argv[2], sys.argv[3]
written = []


def stop(where):
    with open(marker, "w", encoding="utf-8") as fh:
        fh.write(where)
    time.sleep(120)  # killed here


@event.listens_for(Engine, "after_cursor_execute")
def at_audit(conn, cursor, statement, parameters, context, executemany):
    if statement.startswith("INSERT INTO audit_log"):
        written.append(1)
        if point == "before commit":
            stop(point)


@event.listens_for(Pool, "checkin")
def after_commit(dbapi_connection, record):
    # The rollback's connection goes back to the pool once its transaction has committed.
    if written and point == "after commit":
        stop(point)


sys.exit(main(["rollback", batch]))
"""


@pytest.mark.parametrize("point", ["before commit", "after commit"])
def test_a_rollback_killed_keeps_or_loses_its_audit_line_with_it(store, rules, tmp_path, point):
    """Killed between its audit line and its commit, a rollback is not stored and neither is the
    line; killed right after the commit, both are (issue 14: the line was lost in 3 of 12 runs)."""
    from dashboard.store.review import Action, Actor

    first = seed(store, rules)
    # Stored approved: a rollback needs them re-opened first (issue 15).
    store.change_review(Action.REOPEN, Actor("test"), batch_id=first, comment="re-import")
    marker = tmp_path / "marker"
    env = dict(os.environ, DASHBOARD_DB_URL=store.url, DASHBOARD_RULES_DIR=str(ROOT / "rules"), PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_ROLLBACK, str(marker), str(first), point],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            if proc.poll() is not None:
                pytest.fail(f"the rollback ended early: {proc.stderr.read().decode()}")
            if time.monotonic() > deadline:
                pytest.fail("the rollback never reached its audit line")
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    fresh = Store(store.url)
    lines = audit.entries(fresh.engine, limit=10**6, action="rollback")
    mine = lines[lines["target"] == f"batch {first}"]
    if point == "before commit":
        assert fresh.batch(first)["status"] == "active" and mine.empty
        assert len(fresh.current_values()) == 3
    else:
        assert fresh.batch(first)["status"] == "rolled_back" and len(mine) == 1
        assert fresh.current_values().empty


def test_bench_import_small():
    from dashboard.bench.imports import run_import_bench

    result = run_import_bench(ROOT / "rules", n_areas=120)
    assert result["areas"] == 120 and result["series"] == 91
    assert result["rows"] == result["stored"] == 120 * 91
    assert result["validate_s"] > 0 and result["store_s"] > 0
    assert result["database"] == "sqlite"


@pytest.mark.postgres
@pytest.mark.skipif(server_binaries() is None, reason="no PostgreSQL server binaries under /usr/lib/postgresql")
def test_bench_import_on_both_back_ends_with_a_throwaway_server():
    from dashboard.bench.imports import run_import_bench

    result = run_import_bench(ROOT / "rules", n_areas=120, db="both")
    assert result["rows"] == result["sqlite_stored"] == result["postgresql_stored"] == 120 * 91
    assert (result["sqlite_database"], result["postgresql_database"]) == ("sqlite", "postgresql")
    assert result["postgresql_to_sqlite_total"] > 0 and result["postgresql_store_s"] > 0


def test_bench_import_refuses_a_database_with_data_and_leaves_it_alone(store, rules):
    from dashboard.bench.imports import run_import_bench

    seed(store, rules)
    before = snapshot(store)
    with pytest.raises(RuntimeError, match="empty database"):
        run_import_bench(ROOT / "rules", n_areas=40, db_url=store.url)
    assert_unchanged(before, snapshot(Store(store.url)))


def test_bench_import_into_an_empty_database_leaves_it_empty(store):
    from dashboard.bench.imports import run_import_bench

    result = run_import_bench(ROOT / "rules", n_areas=40, db_url=store.url)
    assert result["stored"] == 40 * 91 and result["database"] == store.engine.dialect.name
    assert Store(store.url).is_empty()


def test_bench_import_cli_refuses_a_url_of_the_other_back_end():
    code, _ = run_cli("bench-import", "--db", "sqlite", "--db-url", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert code == 1


# ------------------------------------------------------------------------------ PostgreSQL's COPY path
AWKWARD_NOTES = [
    "tab\there",
    "two\nlines",
    "windows\r\nline",
    "back\\slash",
    "\\N",  # COPY's own spelling of NULL, as text
    "\\.",  # and its old end-of-data marker
    "quotes \"double\" and 'single'",
    "中文备注：全角，标点；",
    "",
    None,
    "long " * 400,
]


@pytest.mark.postgres
def test_copy_on_postgresql_stores_what_sqlite_stores(rules, tmp_path):
    """The same files on both back-ends give the same stored rows — the files' values, to the bit."""
    pg_url = os.environ.get("DASHBOARD_TEST_PG_URL")
    if not pg_url:
        pytest.skip("PostgreSQL: set DASHBOARD_TEST_PG_URL (the CI script .ci/run does) to run these")
    stores = {"sqlite": Store(f"sqlite:///{tmp_path / 'same.db'}"), "postgresql": Store(pg_url)}
    stores["postgresql"].clear()
    rep = read_upload(big_file(rules), "big.csv", rules)
    first = rep.rows[["area", "indicator", "year", "value", "note"]]
    # Then new keys and corrections of the file's values, with every note COPY's text format escapes
    # and values that only round-trip when every digit is kept.
    keys = first.iloc[: len(AWKWARD_NOTES)][["area", "indicator", "year"]].reset_index(drop=True)
    values = [0.1 + 0.2, 1 / 3, 123456789.123456789, 5e-324, 1e308, 2.0**0.5, 99.99, 0.0, 7.25, 1e-7, 42.0]
    second = pd.concat(
        [
            keys.assign(value=values, note=AWKWARD_NOTES),
            pd.DataFrame({"area": "999999", "indicator": "W01", "year": 2021, "value": [1 / 7], "note": ["新"]}),
        ],
        ignore_index=True,
    )
    try:
        results = {}
        for name, s in stores.items():
            one = s.commit(rep, "x")
            two = s.commit_rows(second, uploader="x", file_name="second.csv", sha256="0" * 64)
            counts = [{k: s.batch(b)[k] for k in ("n_rows", "n_new", "n_corrected", "n_unchanged")} for b in (one, two)]
            history = s.history_of(keys.area[0], keys.indicator[0])
            links = history["replaces_id"].tolist()[1:] == history["version_id"].tolist()[:-1]
            current = s.current_values().drop(columns=["batch_id", "review"])
            results[name] = (current, counts, history[["year", "value", "note", "is_current"]], links)
    finally:
        stores["postgresql"].clear()
        for s in stores.values():
            s.dispose()
    expected = (
        pd.concat([first, second])
        .drop_duplicates(["area", "indicator", "year"], keep="last")
        .sort_values(["area", "indicator", "year"])
        .reset_index(drop=True)
        .astype({"year": "int64", "value": "float64", "note": object})
    )
    for name, (current, counts, history, links) in results.items():
        pd.testing.assert_frame_equal(current, expected, check_exact=True, obj=name)
        assert counts == [
            {"n_rows": len(first), "n_new": len(first), "n_corrected": 0, "n_unchanged": 0},
            {"n_rows": len(second), "n_new": 1, "n_corrected": len(AWKWARD_NOTES), "n_unchanged": 0},
        ], name
        assert history["value"].tolist() == [first["value"].iloc[0], values[0]] and links, name
    pd.testing.assert_frame_equal(results["sqlite"][2], results["postgresql"][2], check_exact=True)
