"""Task-progress reports through the upload path: stored as batches, versioned, rolled back.

On SQLite always and on PostgreSQL when DASHBOARD_TEST_PG_URL is set, like tests/test_store.py.
Every rejection leaves the database exactly as it was (current task reports and batches compared).
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError

from dashboard.cli import main
from dashboard.cli.common import os_identity
from dashboard.engine.task_status import task_status_frame
from dashboard.intake import INDICATORS, TASKS, commit_any, detect_upload_kind, preview_any, read_any_upload
from dashboard.intake.indicator_values import read_upload
from dashboard.intake.task_progress import read_task_progress
from dashboard.reports.templates import make_task_template
from dashboard.rules import load_rules
from dashboard.rules.workplan import load_tasks
from dashboard.store import Store, StoreError
from dashboard.store.schema import task_reports

ROOT = Path(__file__).resolve().parent.parent
FIX = Path(__file__).parent / "fixtures" / "tasks"
UPLOADS = Path(__file__).parent / "fixtures" / "uploads"

GOOD = "任务代码,年份,状态,目标,完成值,备注\nWP2020-11,2020,已完成,,120,建成\nWP2020-01,2020,推进中,,,\n"
FIX_11 = "任务代码,年份,状态,目标,完成值,备注\nWP2020-11,2020,已完成,,130,复核后\nWP2020-01,2020,推进中,,,\n"


@pytest.fixture(scope="module")
def rules():
    return load_rules(ROOT / "rules")


@pytest.fixture(scope="module")
def cat(rules):
    loaded = load_tasks(ROOT / "rules", rules)
    assert loaded.ok
    return loaded


def report_of(content: str, cat, rules, name: str = "p.csv"):
    rep = read_task_progress(content.encode("utf-8"), name, cat, rules)
    assert rep.ok, [p.format() for p in rep.problems]
    return rep


def snapshot(s: Store):
    return (
        s.current_task_reports().reset_index(drop=True),
        s.current_values().reset_index(drop=True),
        s.batches().reset_index(drop=True),
    )


def assert_unchanged(before, after):
    for b, a in zip(before, after):
        pd.testing.assert_frame_equal(b, a)


def run_cli(*argv) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(argv))
    return code, out.getvalue()


# ------------------------------------------------------------------------------ store
def test_valid_task_file_is_one_task_upload_batch(store, cat, rules):
    v0 = store.data_version()
    rep = read_task_progress((FIX / "progress_2020_gbk.csv").read_bytes(), "progress_2020_gbk.csv", cat, rules)
    assert rep.ok, [p.format() for p in rep.problems]
    batch = store.commit_task_report(rep, uploader="张三")
    assert store.data_version() != v0
    b = store.batches()
    assert len(b) == 1
    b = b.iloc[0]
    assert (b.id, b.kind, b.uploader, b.file_name, b.status, b.n_rows, b.n_new, b.n_corrected, b.n_unchanged) == (
        batch,
        "task_upload",
        "张三",
        "progress_2020_gbk.csv",
        "active",
        4,
        4,
        0,
        0,
    )
    assert len(b.sha256) == 64
    cur = store.current_task_reports()
    assert list(cur.columns) == ["task", "year", "target_no", "status", "reached", "note", "batch_id"]
    assert cur.fillna({"reached": -1}).values.tolist() == [
        ["WP2020-01", 2020, 0, "in_progress", -1.0, None, batch],
        ["WP2020-07", 2020, 1, "in_progress", 91.0, None, batch],
        ["WP2020-07", 2020, 2, "in_progress", 79.5, None, batch],
        ["WP2020-11", 2020, 1, "done", 120.0, "建成市级示范儿童之家 120 个", batch],
    ]
    assert store.current_task_reports(tasks=["WP2020-07"])["target_no"].tolist() == [1, 2]
    assert store.current_task_reports(years=[2021]).empty
    # Indicator values are untouched by a task batch.
    assert store.current_values().empty and not store.has_demo_data()


def test_correction_is_a_new_version_and_rollback_restores(store, cat, rules):
    first = store.commit_task_report(report_of(GOOD, cat, rules, "first.csv"), "a")
    rep = report_of(FIX_11, cat, rules, "fix.csv")
    preview = preview_any(TASKS, rep, store)
    assert preview.set_index("task")["kind"].to_dict() == {"WP2020-11": "correction", "WP2020-01": "unchanged"}
    v1 = store.data_version()
    second = store.commit_task_report(rep, "b")
    assert store.data_version() != v1
    b = store.batch(second)
    assert (b["kind"], b["n_rows"], b["n_new"], b["n_corrected"], b["n_unchanged"]) == ("task_upload", 2, 0, 1, 1)
    hist = store.task_report_history("WP2020-11")
    assert hist[["reached", "note", "is_current", "batch_id", "batch_status"]].values.tolist() == [
        [120.0, "建成", False, first, "active"],
        [130.0, "复核后", True, second, "active"],
    ]
    assert hist["replaces_id"].iloc[1] == hist["version_id"].iloc[0]
    assert len(store.task_report_history("WP2020-01")) == 1  # unchanged: not stored again

    v2 = store.data_version()
    assert store.rollback(second, "admin") == {"batch_id": second, "removed": 1, "restored": 1, "kept": 0}
    assert store.data_version() != v2
    cur = store.current_task_reports().set_index("task")
    assert cur.loc["WP2020-11", "reached"] == 120.0 and cur.loc["WP2020-11", "note"] == "建成"
    assert cur.loc["WP2020-11", "batch_id"] == first
    hist = store.task_report_history("WP2020-11")
    assert hist["is_current"].tolist() == [True, False] and hist["batch_status"].tolist() == ["active", "rolled_back"]
    store.rollback(first, "admin")
    assert store.current_task_reports().empty


def test_status_change_alone_and_note_change_alone_are_corrections(store, cat, rules):
    store.commit_task_report(report_of(GOOD, cat, rules), "a")
    rep = report_of("任务代码,年份,状态\nWP2020-01,2020,滞后\n", cat, rules)
    assert preview_any(TASKS, rep, store)["kind"].tolist() == ["correction"]
    store.commit_task_report(rep, "b")
    assert store.task_report_history("WP2020-01")["status"].tolist() == ["in_progress", "delayed"]
    rep = report_of("任务代码,年份,状态,备注\nWP2020-01,2020,滞后,原因：疫情\n", cat, rules)
    assert preview_any(TASKS, rep, store)["kind"].tolist() == ["correction"]


def test_rollback_across_kinds_and_batches_stay_independent(store, cat, rules):
    values = store.commit(read_upload("区县,指标,年份,数值\n万州区,W04,2021,93.5\n".encode(), "v.csv", rules), "x")
    tasks = store.commit_task_report(report_of(GOOD, cat, rules), "x")
    later_values = store.commit(read_upload("区县,指标,年份,数值\n万州区,W04,2021,94\n".encode(), "v2.csv", rules), "x")
    # A task batch leaves the indicator values alone, and the other way round.
    assert store.rollback(tasks, "admin")["removed"] == 2
    assert store.current_task_reports().empty and len(store.current_values()) == 1
    # The earlier indicator batch goes before the later one: the later correction stays.
    assert store.rollback(values, "admin") == {"batch_id": values, "removed": 0, "restored": 0, "kept": 0}
    assert store.current_values()[["value", "batch_id"]].values.tolist() == [[94.0, later_values]]


def test_unchanged_task_file_is_recorded_as_a_batch(store, cat, rules):
    store.commit_task_report(report_of(GOOD, cat, rules), "a")
    before = store.current_task_reports()
    again = report_of(GOOD, cat, rules)
    batch = store.commit_task_report(again, "b")
    b = store.batch(batch)
    assert (b["n_rows"], b["n_new"], b["n_corrected"], b["n_unchanged"]) == (2, 0, 0, 2)
    pd.testing.assert_frame_equal(before, store.current_task_reports())
    assert len(store.batches_with_sha256(again.sha256)) == 2


def test_only_one_current_report_per_key_and_status_is_checked(store, cat, rules):
    batch = store.commit_task_report(report_of(GOOD, cat, rules), "a")
    with pytest.raises(IntegrityError):
        with store.engine.begin() as conn:
            conn.execute(
                insert(task_reports).values(
                    batch_id=batch, task="WP2020-01", year=2020, target_no=0, status="done", is_current=True
                )
            )
    with pytest.raises(IntegrityError):
        with store.engine.begin() as conn:
            conn.execute(
                insert(task_reports).values(
                    batch_id=batch, task="WP2020-02", year=2020, target_no=0, status="finished", is_current=True
                )
            )
    with store.engine.begin() as conn:  # target_no defaults to 0 (the whole task)
        conn.execute(
            insert(task_reports).values(batch_id=batch, task="WP2020-03", year=2020, status="done", is_current=True)
        )
    assert store.current_task_reports(tasks=["WP2020-03"])["target_no"].tolist() == [0]


BAD_EXPECTED = [
    ("UNKNOWN_TASK", 3, "任务代码"),
    ("BAD_STATUS", 4, "状态"),
    ("YEAR_OUT_OF_RANGE", 5, "年份"),
    ("REACHED_WITHOUT_TARGET", 6, "完成值"),
    ("CONFLICTING_DUPLICATE", 7, "状态"),
    ("CONFLICTING_DUPLICATE", 8, "状态"),
]


def test_bad_task_file_is_rejected_with_rows_and_columns_and_nothing_changes(store, cat, rules):
    store.commit_task_report(report_of(GOOD, cat, rules), "a")
    before = snapshot(store)
    kind, rep = read_any_upload((FIX / "bad_progress.csv").read_bytes(), "bad_progress.csv", rules)
    assert kind == TASKS and not rep.ok
    assert [(p.code, p.row, p.column) for p in rep.errors] == BAD_EXPECTED
    unknown = rep.errors[0]
    assert "WP2020-19" in unknown.message_zh and "did you mean 'WP2020-19'" in unknown.message_en
    assert "完成了吗" in rep.errors[1].message_zh
    assert "2019" in rep.errors[2].message_en
    with pytest.raises(StoreError) as exc:
        commit_any(kind, rep, store, "x")
    assert exc.value.problem.code == "REPORT_HAS_ERRORS"
    assert_unchanged(before, snapshot(store))


# ------------------------------------------------------------------------------ command line
def test_cli_routes_a_task_file_through_import(store, cat, rules, tmp_path):
    before = snapshot(store)
    code, out = run_cli("import", str(FIX / "progress_2020_gbk.csv"), "--dry-run")
    assert code == 0 and "dry run: 4 task reports would be stored" in out and "task progress" in out
    assert_unchanged(before, snapshot(store))

    code, out = run_cli("import", str(FIX / "progress_2020_gbk.csv"))
    assert code == 0 and "stored as batch" in out
    newest = store.batches().iloc[0]
    # Stored by the operating-system user (no --as): named os_user@host, owned by no account.
    assert (newest.kind, newest.uploader, newest.n_new) == ("task_upload", os_identity(), 4)
    assert pd.isna(newest.owner_id)

    # A correction is listed like an indicator correction: row N: CORRECTION: …
    fix = tmp_path / "fix.csv"
    fix.write_text("任务代码,年份,状态,完成值\nWP2020-11,2020,已完成,125\n", encoding="utf-8")
    code, out = run_cli("import", str(fix), "--dry-run", "--lang", "en")
    assert (
        code == 0
        and "row 2: CORRECTION: WP2020-11 #1 2020: Done 120 (建成市级示范儿童之家 120 个) → Done 125 ()" in out
    )

    code, out = run_cli("history", "--format", "json")
    assert code == 0 and json.loads(out)[0]["kind"] == "task_upload"
    code, out = run_cli("rollback", str(int(newest.id)))
    assert code == 0 and "rolled back" in out and store.current_task_reports().empty


def test_cli_rejects_a_bad_task_file_exit_1(store, cat, rules):
    store.commit_task_report(report_of(GOOD, cat, rules), "a")
    before = snapshot(store)
    for extra in ((), ("--dry-run",)):
        code, out = run_cli("import", str(FIX / "bad_progress.csv"), *extra)
        assert code == 1 and "nothing stored (6 problems)" in out
        rep = read_task_progress((FIX / "bad_progress.csv").read_bytes(), "bad_progress.csv", cat, rules)
        for p in rep.errors:
            assert p.format() in out
        assert "row 3, column 任务代码: UNKNOWN_TASK: 未知任务“WP2020-99”；是不是“WP2020-19”？ / " in out
    assert_unchanged(before, snapshot(store))


def test_cli_still_routes_indicator_files(store, rules):
    code, out = run_cli("import", str(UPLOADS / "good_english.csv"))
    assert code == 0 and "stored as batch" in out and "task progress" not in out
    assert store.batches().iloc[0].kind == "upload"
    code, out = run_cli("import", str(UPLOADS / "missing_column.csv"))
    assert code == 1 and "MISSING_COLUMN" in out


def test_task_status_after_commit_shows_met(store, cat, rules):
    store.commit_task_report(report_of(GOOD, cat, rules), "a")
    frame = task_status_frame(cat, store.current_task_reports())
    s = frame.set_index(["task", "target_no"])
    assert s.loc[("WP2020-11", 1), "measure"] == "市级示范儿童之家数量"
    assert s.loc[("WP2020-11", 1), "reached"] == 120.0 and s.loc[("WP2020-11", 1), "met"] is True
    assert s.loc[("WP2020-01", 0), "status"] == "in_progress"

    code, out = run_cli("task-status", "--year", "2020", "--format", "json")
    assert code == 0
    rows = {(r["task"], r["target_no"]): r for r in json.loads(out)}
    r = rows[("WP2020-11", 1)]
    assert (r["title"], r["target"], r["reached"], r["met"], r["status"], r["status_label"]) == (
        "切实优化妇女儿童生存环境",
        "≥100",
        120.0,
        True,
        "done",
        "已完成",
    )
    assert rows[("WP2020-02", 0)]["status"] == "not_reported"
    code, out = run_cli("task-status", "--lang", "en")
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame.columns[:6]) == ["task", "title", "lead_units", "year", "status", "status_label"]
    row = frame.set_index(["task", "target_no"]).loc[("WP2020-11", 1)]
    assert row["status_label"] == "Done" and bool(row["met"]) is True


# ------------------------------------------------------------------------------ template
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_task_template_round_trips(store, cat, rules, tmp_path, fmt):
    out = tmp_path / f"tasks.{fmt}"
    code, _printed = run_cli("template-tasks", "--out", str(out), "--year", "2020", "--format", fmt)
    assert code == 0 and out.exists()
    blank = read_task_progress(out.read_bytes(), out.name, cat, rules)
    assert [p.code for p in blank.errors] == ["NO_DATA_ROWS"]  # nothing filled in: nothing to store
    n_rows = sum(max(1, len(t.targets)) for t in cat.tasks.values() if t.period_start <= 2020 <= t.period_end)
    assert blank.n_skipped == n_rows
    assert detect_upload_kind(out.read_bytes(), out.name, rules) == TASKS

    # Fill two rows as staff would (in the sheet) and read it back.
    if fmt == "csv":
        frame = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    else:
        frame = pd.read_excel(out, dtype=str, keep_default_na=False)
    assert list(frame.columns) == [
        "任务代码",
        "任务名称",
        "牵头单位",
        "年份",
        "状态",
        "目标",
        "目标值",
        "单位",
        "完成值",
        "备注",
    ]
    i11 = frame.index[frame["任务代码"] == "WP2020-11"][0]
    assert frame.loc[i11, "目标"] == "市级示范儿童之家数量" and frame.loc[i11, "目标值"] == "≥100"
    assert frame.loc[i11, "牵头单位"] == "市妇儿工委办"
    frame.loc[i11, ["状态", "完成值", "备注"]] = ["已完成", "120", "超额完成"]
    i07 = frame.index[frame["任务代码"] == "WP2020-07"]
    frame.loc[i07, "状态"] = "推进中"
    frame.loc[i07[0], "完成值"] = "91"
    filled = tmp_path / f"filled.{fmt}"
    if fmt == "csv":
        filled.write_bytes(frame.to_csv(index=False).encode("utf-8-sig"))
    else:
        frame.to_excel(filled, index=False)
    kind, rep = read_any_upload(filled.read_bytes(), filled.name, rules)
    assert kind == TASKS and rep.ok, [p.format() for p in rep.problems]
    assert rep.n_skipped == n_rows - 1 - len(i07)
    rows = rep.rows.set_index(["task", "target_no"])
    assert rows.loc[("WP2020-11", 1), "reached"] == 120.0 and rows.loc[("WP2020-11", 1), "note"] == "超额完成"
    assert rows.loc[("WP2020-07", 1), "reached"] == 91.0 and pd.isna(rows.loc[("WP2020-07", 2), "reached"])
    assert set(rows["status"]) == {"done", "in_progress"}
    store.commit_task_report(rep, "x")

    # --filled writes back what is stored; the same sheet uploaded again changes nothing.
    refilled = tmp_path / f"refilled.{fmt}"
    code, _ = run_cli("template-tasks", "--out", str(refilled), "--year", "2020", "--filled")
    assert code == 0
    kind, again = read_any_upload(refilled.read_bytes(), refilled.name, rules)
    assert kind == TASKS and again.ok
    assert set(preview_any(TASKS, again, store)["kind"]) == {"unchanged"}


def test_task_template_refuses_a_year_outside_the_plan(tmp_path):
    code = main(["template-tasks", "--out", str(tmp_path / "x.csv"), "--year", "2019"])
    assert code == 1 and not (tmp_path / "x.csv").exists()


def test_template_formula_notes_are_neutralised(cat):
    current = pd.DataFrame(
        {
            "task": ["WP2020-01"],
            "year": [2020],
            "target_no": [0],
            "status": ["done"],
            "reached": [float("nan")],
            "note": ['=HYPERLINK("http://x")'],
        }
    )
    data = make_task_template(cat, 2020, "csv", current=current)
    assert "'=HYPERLINK" in data.decode("utf-8-sig")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(make_task_template(cat, 2020, "xlsx", current=current)))
    cells = [c for row in book.active.iter_rows() for c in row if c.value and str(c.value).startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)


# ------------------------------------------------------------------------------ detection
@pytest.mark.parametrize(
    "content,name,kind",
    [
        (GOOD.encode("utf-8"), "a.csv", TASKS),
        (GOOD.encode("utf-8-sig"), "a.csv", TASKS),
        (GOOD.encode("gbk"), "a.csv", TASKS),
        (GOOD.replace(",", "\t").encode("utf-16"), "a.txt", TASKS),
        (b"task,year,status,reached\nWP2020-11,2020,done,120\n", "a.csv", TASKS),
        ("说明：2020 年任务进展\n代码,年份,状态\nWP2020-01,2020,推进中\n".encode(), "a.csv", TASKS),
        # An indicator column decides: a status column alone does not make a task file.
        ("区县,指标,年份,数值,状态\n万州区,W04,2021,93.5,推进中\n".encode(), "a.csv", INDICATORS),
        ("区县,指标,年份,数值\n万州区,W04,2021,93.5\n".encode(), "a.csv", INDICATORS),
        ("任务代码,年份,完成值\nWP2020-11,2020,1\n".encode(), "a.csv", INDICATORS),  # no status: not a task report
        (b"", "a.csv", INDICATORS),
        (b"PK\x03\x04broken", "a.xlsx", INDICATORS),
    ],
)
def test_detect_upload_kind(rules, content, name, kind):
    assert detect_upload_kind(content, name, rules) == kind


def test_detect_reads_only_the_head_of_a_large_file(rules):
    body = "".join(f"WP2020-0{1 + i % 9},2020,推进中,,,{'备注' * 20}\n" for i in range(3000))
    content = ("任务代码,年份,状态,目标,完成值,备注\n" + body).encode("utf-8")
    assert len(content) > 200_000
    assert detect_upload_kind(content, "big.csv", rules) == TASKS
    utf16 = ("任务代码\t年份\t状态\n" + "WP2020-01\t2020\t推进中\n" * 5000).encode("utf-16")
    assert detect_upload_kind(utf16, "big.txt", rules) == TASKS


@pytest.mark.parametrize("name", sorted(p.name for p in UPLOADS.iterdir() if p.suffix in (".csv", ".xlsx", ".txt")))
def test_every_indicator_fixture_still_goes_the_indicator_way(rules, name):
    content = (UPLOADS / name).read_bytes()
    kind, rep = read_any_upload(content, name, rules)
    assert kind == INDICATORS
    plain = read_upload(content, name, rules)
    assert [p.format() for p in rep.problems] == [p.format() for p in plain.problems]


def test_oversized_file_is_refused_before_detection(rules):
    kind, rep = read_any_upload(GOOD.encode(), "a.csv", rules, max_bytes=10)
    assert kind == INDICATORS and [p.code for p in rep.errors] == ["FILE_TOO_LARGE"]


# ------------------------------------------------------------------------------ existing databases
OLD_CHECK = "kind IN ('upload', 'demo')"


def _make_old_database(s: Store) -> None:
    """Turn ``s``'s database into what the version before task reports created: no task_reports,
    the old CHECK, no Alembic revision (tests/test_migrations.py starts from the released code's own)."""
    with s.engine.begin() as conn:
        # Later than that version (revisions 0004, 0006, 0007 and 0008).
        later = ("observation_confirmations", "task_report_confirmations", "oidc_identities", "review_events")
        for table in (*later, "not_obtainable", "analyses"):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
        conn.exec_driver_sql("ALTER TABLE observations DROP COLUMN review")
        conn.exec_driver_sql("ALTER TABLE batches DROP COLUMN review")
        conn.exec_driver_sql("DROP TABLE task_reports")
        conn.exec_driver_sql("DROP TABLE alembic_version")
        owner = ", owner_id INTEGER REFERENCES users (id)"  # revision 0005's column, added in place
        if s.is_sqlite:
            sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'batches'").scalar()
            assert "task_upload" in sql and owner in sql
            conn.exec_driver_sql("PRAGMA writable_schema = ON")
            conn.execute(
                text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'batches'"),
                {"sql": sql.replace("kind IN ('upload', 'demo', 'task_upload')", OLD_CHECK).replace(owner, "")},
            )
            conn.exec_driver_sql("PRAGMA writable_schema = OFF")
        else:
            conn.exec_driver_sql("ALTER TABLE batches DROP COLUMN owner_id")
            conn.exec_driver_sql("ALTER TABLE batches DROP CONSTRAINT ck_batches_kind")
            conn.exec_driver_sql(f"ALTER TABLE batches ADD CONSTRAINT ck_batches_kind CHECK ({OLD_CHECK})")


def test_an_existing_database_is_migrated(store, cat, rules):
    url = store.url
    first = store.commit(read_upload("区县,指标,年份,数值\n万州区,W04,2021,93.5\n".encode(), "v.csv", rules), "x")
    second = store.commit(read_upload("区县,指标,年份,数值\n万州区,W04,2021,94\n".encode(), "v2.csv", rules), "x")
    store.rollback(second, "admin")
    _make_old_database(store)
    store.dispose()
    from sqlalchemy import create_engine

    raw = create_engine(url)  # a plain engine: the old CHECK is really there before migrating
    with pytest.raises(IntegrityError):
        with raw.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO batches (created_at, uploader, file_name, sha256, kind, n_rows, n_new, "
                "n_corrected, n_unchanged, n_skipped, status) VALUES "
                "('2021-01-01', 'x', 'x', 'x', 'task_upload', 0, 0, 0, 0, 0, 'active')"
            )
    raw.dispose()

    migrated = Store(url)
    try:
        before = migrated.batches()
        assert before["id"].tolist() == [second, first] and before["status"].tolist() == ["rolled_back", "active"]
        assert migrated.current_values()["value"].tolist() == [93.5]
        batch = migrated.commit_task_report(report_of(GOOD, cat, rules), "x")
        assert batch > second and migrated.batch(batch)["kind"] == "task_upload"
        assert len(migrated.current_task_reports()) == 2
        migrated.rollback(batch, "admin")  # the foreign keys still point at the rebuilt batches table
        with pytest.raises(IntegrityError):
            with migrated.engine.begin() as conn:
                conn.exec_driver_sql(f"UPDATE batches SET kind = 'other' WHERE id = {int(batch)}")
        if migrated.is_sqlite:
            with migrated.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
                names = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")}
            assert {"ix_batches_sha256", "ux_task_reports_current", "ux_observations_current"} <= names
        migrated.clear()
        # Ids are never reused after a migration either.
        again = migrated.commit_task_report(report_of(GOOD, cat, rules), "x")
        assert again > batch
    finally:
        migrated.clear()
        migrated.dispose()
