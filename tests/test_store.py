"""The store on SQLite always and on PostgreSQL when DASHBOARD_TEST_PG_URL is set (.ci/run sets it).

Every rejection leaves the database exactly as it was; an import killed mid-transaction too.
"""

import io
import os
import signal
import subprocess
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import event, insert
from sqlalchemy.exc import IntegrityError

from dashboard.cli import main
from dashboard.intake.indicator_values import preview_changes, read_upload
from dashboard.rules import load_rules
from dashboard.store import Store, StoreError
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
    assert store.rollback(second, "admin") == {"batch_id": second, "removed": 2, "restored": 1}
    assert store.data_version() != v1
    cur = store.current_values().set_index(["area", "indicator"])
    assert cur.loc[("500101", "W04"), "value"] == 93.5 and cur.loc[("500101", "W04"), "batch_id"] == first
    assert ("500101", "C02") not in cur.index
    hist = store.history_of("500101", "W04")
    assert hist["status"].tolist() == ["active", "rolled_back"] and hist["is_current"].tolist() == [True, False]
    row = store.batch(second)
    assert row["status"] == "rolled_back" and row["rolled_back_by"] == "admin" and row["rolled_back_at"] is not None


def test_rollback_refusals(store, rules):
    first = seed(store, rules)
    second = store.commit(read_upload(csv("区县,指标,年份,数值\n万州区,W04,2021,95\n"), "b.csv", rules), "x")
    with pytest.raises(StoreError) as exc:
        store.rollback(first, "admin")
    assert exc.value.problem.code == "ROLLBACK_BLOCKED" and str(second) in exc.value.problem.message_zh
    with pytest.raises(StoreError) as exc:
        store.rollback(999, "admin")
    assert exc.value.problem.code == "UNKNOWN_BATCH"
    store.rollback(second, "admin")
    with pytest.raises(StoreError) as exc:
        store.rollback(second, "admin")
    assert exc.value.problem.code == "ALREADY_ROLLED_BACK"
    store.rollback(first, "admin")  # allowed once the later batch is gone
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

    code, out = run_cli("import", str(FIX / "good_bom_crlf.csv"), "--uploader", "张三")
    assert code == 0 and "stored as batch" in out
    newest = store.batches().iloc[0]
    assert (newest.uploader, newest.n_new, newest.n_unchanged, newest.n_skipped) == ("张三", 4, 1, 1)

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

    code, out = run_cli("rollback", str(int(newest.id)), "--user", "admin")
    assert code == 0 and "rolled back" in out
    code, _ = run_cli("rollback", str(int(newest.id)))
    assert code == 1


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
    assert rep.ok and len(rep.rows) > 1000
    monkeypatch.setattr(store_module, "_CHUNK", 50)  # many inserts: the failure comes after some succeeded
    inserts = []

    def boom(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO observations"):
            inserts.append(statement)
            if len(inserts) == 3:
                raise RuntimeError("disk full")

    event.listen(store.engine, "after_cursor_execute", boom)
    try:
        with pytest.raises(RuntimeError, match="disk full"):
            store.commit(rep, "x")
    finally:
        event.remove(store.engine, "after_cursor_execute", boom)
    assert len(inserts) == 3
    assert_unchanged(before, snapshot(store))


# Run in a child process that the test kills: the import, slowed down from the outside — each
# insert of a small chunk of rows is followed by a note in the marker file and a pause — so the
# kill lands while the transaction is open, with rows already written inside it.
KILLED_IMPORT = """
import sys, time
from sqlalchemy import event
from sqlalchemy.engine import Engine
from dashboard.cli import main
from dashboard.store import store

store._CHUNK = 50
marker = sys.argv[1]


@event.listens_for(Engine, "after_cursor_execute")
def pause(conn, cursor, statement, parameters, context, executemany):
    if statement.startswith("INSERT INTO observations"):
        with open(marker, "a", encoding="utf-8") as fh:
            fh.write("rows\\n")
        time.sleep(0.2)


sys.exit(main(["import", sys.argv[2]]))
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


def test_bench_import_small():
    from dashboard.bench.imports import run_import_bench

    result = run_import_bench(ROOT / "rules", n_areas=120)
    assert result["areas"] == 120 and result["series"] == 91
    assert result["rows"] == result["stored"] == 120 * 91
    assert result["validate_s"] > 0 and result["store_s"] > 0
