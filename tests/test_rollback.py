"""Rollback never loses another batch's value (issue 14).

Every batch records what it reported — a row it reported with the value already stored as a
confirmation of that version — and rolling a batch back makes current, for every key it reported,
the value reported by the newest remaining active batch, or no value when none did.

On SQLite always and on PostgreSQL when DASHBOARD_TEST_PG_URL is set (the ``store`` fixture): the
issue's scenario written out by hand, for indicator values and for task reports; a property-based
test in which Hypothesis interleaves imports and rollbacks, applied to the store and to a reference
model of a few lines, the current values compared after every step; and the confirmations' write
inside the batch's one transaction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import SimpleNamespace

import pandas as pd
import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select

from dashboard.store import Store, StoreError
from dashboard.store.schema import observation_confirmations, task_report_confirmations

X = ("500101", "W04", 2021)
Y = ("500101", "W02", 2021)
INDICATOR_COLUMNS = ["area", "indicator", "year", "value", "note"]
TASK_COLUMNS = ["task", "year", "target_no", "status", "reached", "note"]


def commit_values(store: Store, rows: dict, uploader: str = "x") -> int:
    """Commit {(area, indicator, year): value or (value, note)} as one batch."""
    records = [(*key, *(v if isinstance(v, tuple) else (v, None))) for key, v in rows.items()]
    frame = pd.DataFrame(records, columns=INDICATOR_COLUMNS)
    return store.commit_rows(frame, uploader=uploader, file_name=f"{uploader}.csv", sha256="")


def commit_tasks(store: Store, rows: dict, uploader: str = "x") -> int:
    """Commit {(task, year, target_no): (status, reached, note)} as one task batch."""
    frame = pd.DataFrame([(*key, *value) for key, value in rows.items()], columns=TASK_COLUMNS)
    frame["reached"] = frame["reached"].astype("float64")
    report = SimpleNamespace(ok=True, rows=frame, file_name=f"{uploader}.csv", sha256="", n_skipped=0)
    return store.commit_task_report(report, uploader)


def _plain(x):
    """None for a missing cell (NaN, None), the value otherwise: both sides compare alike."""
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def values(store: Store) -> dict:
    """{(area, indicator, year): value} of the current values, notes left out."""
    frame = store.current_values()
    return {(r.area, r.indicator, int(r.year)): r.value for r in frame.itertuples()}


def current(store: Store, kind: str) -> dict:
    """{key: (reported values, batch_id)} of every current record of ``kind``."""
    if kind == "indicators":
        frame = store.current_values()
        return {
            (r.area, r.indicator, int(r.year)): ((r.value, _plain(r.note)), int(r.batch_id)) for r in frame.itertuples()
        }
    frame = store.current_task_reports()
    return {
        (r.task, int(r.year), int(r.target_no)): ((r.status, _plain(r.reached), _plain(r.note)), int(r.batch_id))
        for r in frame.itertuples()
    }


def batch_of(store: Store, key: tuple) -> int:
    return int(store.current_values().set_index(["area", "indicator", "year"]).loc[key, "batch_id"])


# ------------------------------------------------------------------------------ the scenario
def test_a_later_confirmation_keeps_a_value_through_rollbacks(store):
    # A city editor's batch sets X = 5.
    b1 = commit_values(store, {X: 5.0}, "city")
    # An area editor's batch reports X = 5 again (unchanged: no version of its own) and Y = 3.
    b2 = commit_values(store, {X: 5.0, Y: 3.0}, "area")
    info = store.batch(b2)
    assert (info["n_new"], info["n_corrected"], info["n_unchanged"]) == (1, 0, 1)
    assert len(store.history_of(*X[:2])) == 1  # the value is stored once…
    assert values(store) == {X: 5.0, Y: 3.0} and batch_of(store, X) == b1

    # Rolling back B1 keeps X = 5: B2, still active, reported it. B2 now holds it as its own version.
    assert store.rollback(b1, "city") == {"batch_id": b1, "removed": 1, "restored": 0, "kept": 1}
    assert values(store) == {X: 5.0, Y: 3.0} and batch_of(store, X) == b2
    history = store.history_of(*X[:2])
    assert history[["value", "batch_id", "is_current", "status"]].values.tolist() == [
        [5.0, b1, False, "rolled_back"],
        [5.0, b2, True, "active"],
    ]

    # The city editor corrects X to 7 and reports Y = 3 unchanged.
    b3 = commit_values(store, {X: 7.0, Y: 3.0}, "city")
    assert values(store) == {X: 7.0, Y: 3.0}

    # Rolling back B2: X keeps B3's correction; Y stays, confirmed by B3.
    assert store.rollback(b2, "area") == {"batch_id": b2, "removed": 1, "restored": 0, "kept": 1}
    assert values(store) == {X: 7.0, Y: 3.0} and batch_of(store, X) == b3 and batch_of(store, Y) == b3

    # Rolling back B3: no active batch reported X or Y any more.
    assert store.rollback(b3, "city") == {"batch_id": b3, "removed": 2, "restored": 0, "kept": 0}
    assert values(store) == {}


def test_rolling_back_the_confirming_batch_first_changes_nothing_then_the_value_goes(store):
    b1 = commit_values(store, {X: 5.0}, "city")
    b2 = commit_values(store, {X: 5.0, Y: 3.0}, "area")
    # B2 stored only Y; X stays B1's.
    assert store.rollback(b2, "area") == {"batch_id": b2, "removed": 1, "restored": 0, "kept": 0}
    assert values(store) == {X: 5.0} and batch_of(store, X) == b1
    assert store.rollback(b1, "city")["removed"] == 1
    assert values(store) == {}


def test_an_earlier_value_comes_back_when_every_later_report_is_rolled_back(store):
    b1 = commit_values(store, {X: 5.0})
    b2 = commit_values(store, {X: 6.0})
    b3 = commit_values(store, {X: 6.0})  # confirms B2's 6
    # B2 first: B3 still reports 6.
    assert store.rollback(b2, "admin") == {"batch_id": b2, "removed": 1, "restored": 0, "kept": 1}
    assert values(store) == {X: 6.0} and batch_of(store, X) == b3
    # Then B3: B1's 5 comes back, the very version B1 stored.
    assert store.rollback(b3, "admin") == {"batch_id": b3, "removed": 1, "restored": 1, "kept": 0}
    assert values(store) == {X: 5.0} and batch_of(store, X) == b1
    assert store.history_of(*X[:2])["is_current"].tolist() == [True, False, False]


def test_a_confirmation_of_a_rolled_back_value_restores_it_as_the_confirming_batch_s(store):
    b1 = commit_values(store, {X: 5.0})
    b2 = commit_values(store, {X: 5.0})  # confirms B1's 5
    b3 = commit_values(store, {X: 8.0})
    assert store.rollback(b1, "admin")["removed"] == 0  # X is B3's now: nothing of B1's is current
    assert values(store) == {X: 8.0}
    # B3 goes: the newest active batch that reported X is B2, whose 5 was B1's version — B2 now
    # holds it as a version of its own, so no current value belongs to a rolled-back batch.
    assert store.rollback(b3, "admin") == {"batch_id": b3, "removed": 1, "restored": 1, "kept": 0}
    assert values(store) == {X: 5.0} and batch_of(store, X) == b2


def test_any_order_of_rollbacks_keeps_later_corrections(store):
    b1 = commit_values(store, {X: 5.0, Y: 1.0})
    b2 = commit_values(store, {X: 6.0})
    # The earlier batch may go first: B2's correction stands, B1's other value goes.
    assert store.rollback(b1, "admin") == {"batch_id": b1, "removed": 1, "restored": 0, "kept": 0}
    assert values(store) == {X: 6.0}
    # And then B2: B1 is gone, so its 5 does not come back.
    assert store.rollback(b2, "admin")["removed"] == 1
    assert values(store) == {}
    with pytest.raises(StoreError) as exc:
        store.rollback(b1, "admin")
    assert exc.value.problem.code == "ALREADY_ROLLED_BACK"


def test_task_reports_keep_a_confirmed_report_through_rollbacks(store):
    key, other = ("WP2020-11", 2020, 1), ("WP2020-01", 2020, 0)
    done = ("done", 120.0, "建成")
    b1 = commit_tasks(store, {key: done}, "city")
    b2 = commit_tasks(store, {key: done, other: ("in_progress", None, None)}, "area")
    assert store.batch(b2)["n_unchanged"] == 1
    assert store.rollback(b1, "city") == {"batch_id": b1, "removed": 1, "restored": 0, "kept": 1}
    now = current(store, "tasks")
    assert now == {key: (done, b2), other: (("in_progress", None, None), b2)}
    history = store.task_report_history("WP2020-11")
    assert history[["reached", "batch_id", "is_current", "batch_status"]].values.tolist() == [
        [120.0, b1, False, "rolled_back"],
        [120.0, b2, True, "active"],
    ]
    store.rollback(b2, "area")
    assert current(store, "tasks") == {}


def test_confirmations_are_recorded_and_cleared(store):
    b1 = commit_values(store, {X: 5.0, Y: 3.0})
    b2 = commit_values(store, {X: 5.0, Y: 4.0})
    commit_tasks(store, {("WP2020-01", 2020, 0): ("done", None, None)})
    commit_tasks(store, {("WP2020-01", 2020, 0): ("done", None, None)})
    with store.engine.connect() as conn:
        rows = conn.execute(select(observation_confirmations.c.batch_id)).scalars().all()
        tasks = conn.execute(select(func.count()).select_from(task_report_confirmations)).scalar()
    assert rows == [b2] and tasks == 1 and b1 < b2
    store.clear()
    with store.engine.connect() as conn:
        for table in (observation_confirmations, task_report_confirmations):
            assert conn.execute(select(func.count()).select_from(table)).scalar() == 0


def test_a_failure_while_writing_confirmations_leaves_nothing(store, monkeypatch):
    rows = {(f"5001{i:02d}", "W04", 2021): float(i) for i in range(60)}
    commit_values(store, rows)
    before = (store.current_values(), store.batches())
    written: list[int] = []

    # SQLite: the confirmations' executemany fails; PostgreSQL: their COPY, at its 50th row.
    def boom(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO observation_confirmations"):
            written.append(len(parameters))
            raise RuntimeError("disk full")

    def write_row(copy, row):
        copy_row(copy, row)
        written.append(1)
        if len(written) == 50:
            raise RuntimeError("disk full")

    copy_row = psycopg.Copy.write_row
    monkeypatch.setattr(psycopg.Copy, "write_row", write_row)
    event.listen(store.engine, "after_cursor_execute", boom)
    try:
        with pytest.raises(RuntimeError, match="disk full"):
            commit_values(store, rows)  # all 60 unchanged: confirmations only
    finally:
        event.remove(store.engine, "after_cursor_execute", boom)
    assert sum(written) == (60 if store.is_sqlite else 50)
    pd.testing.assert_frame_equal(before[0], store.current_values())
    pd.testing.assert_frame_equal(before[1], store.batches())
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(observation_confirmations)).scalar() == 0


# ------------------------------------------------------------------------------ the reference model
# A small key space and few values, so that rows are often reported unchanged and rollbacks often
# meet confirmations. A note or a reached number alone makes a value differ.
INDICATOR_KEYS = [(a, i, y) for a in ("500101", "500102") for i in ("W04", "W02") for y in (2021, 2022)]
INDICATOR_VALUES = [(v, n) for v in (1.0, 2.0) for n in (None, "初报")]
TASK_KEYS = [(t, 2021, n) for t in ("WP2020-01", "WP2020-11") for n in (0, 1)]
TASK_VALUES = [("done", None, None), ("done", 120.0, None), ("delayed", None, "滞后")]


@dataclass
class Reported:
    """One batch in the model: its kind, what it reported, whether it is still active."""

    kind: str
    rows: dict
    active: bool = True


@dataclass
class Model:
    """What the store must show: a key's value is the one the newest active batch reported."""

    batches: dict[int, Reported] = field(default_factory=dict)

    def current(self, kind: str) -> dict:
        values: dict = {}
        for _id, batch in sorted(self.batches.items()):
            if batch.active and batch.kind == kind:
                values.update(batch.rows)
        return values


imports = st.one_of(
    st.tuples(
        st.just("indicators"),
        st.dictionaries(st.sampled_from(INDICATOR_KEYS), st.sampled_from(INDICATOR_VALUES), min_size=1, max_size=5),
    ),
    st.tuples(
        st.just("tasks"),
        st.dictionaries(st.sampled_from(TASK_KEYS), st.sampled_from(TASK_VALUES), min_size=1, max_size=4),
    ),
)
rollbacks = st.tuples(st.sampled_from(["rollback", "again"]), st.integers(min_value=0, max_value=30))
operations = st.lists(st.one_of(imports, imports, rollbacks), min_size=1, max_size=14)


def _check(store: Store, model: Model) -> dict:
    """The store's current records equal the model's, each held by an active batch that reported it."""
    seen = {}
    for kind in ("indicators", "tasks"):
        records = current(store, kind)
        assert {k: v for k, (v, _batch) in records.items()} == model.current(kind), kind
        for key, (value, batch) in records.items():
            assert model.batches[batch].active and model.batches[batch].rows[key] == value, (key, batch)
        seen[kind] = records
    return seen


def _import(store: Store, model: Model, kind: str, rows: dict) -> None:
    before = model.current(kind)
    batch = commit_values(store, rows) if kind == "indicators" else commit_tasks(store, rows)
    model.batches[batch] = Reported(kind, dict(rows))
    expected = (
        sum(k not in before for k in rows),
        sum(k in before and before[k] != v for k, v in rows.items()),
        sum(before.get(k) == v for k, v in rows.items()),
    )
    info = store.batch(batch)
    assert (info["n_new"], info["n_corrected"], info["n_unchanged"]) == expected


def _rollback(store: Store, model: Model, batch: int) -> None:
    kind = model.batches[batch].kind
    before = current(store, kind)
    result = store.rollback(batch, "model")
    model.batches[batch].active = False
    after = _check(store, model)[kind]
    # Only the batch's own current records change; each either goes, or gives way to an earlier
    # report (restored) or to a later one that confirmed it (kept).
    held = {key for key, (_v, b) in before.items() if b == batch}
    for key in before.keys() - held:
        assert after.get(key) == before[key], key
    assert result["removed"] == len(held)
    assert result["kept"] == sum(key in after and after[key][1] > batch for key in held)
    assert result["restored"] == sum(key in after and after[key][1] < batch for key in held)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI is reproducible
    database=None,  # nothing written into the checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations)
def test_store_agrees_with_the_reference_model(store, steps):
    store.clear()  # one database for every example of the run
    model = Model()
    for op, arg in steps:
        if op in ("indicators", "tasks"):
            _import(store, model, op, arg)
            _check(store, model)
            continue
        pool = sorted(b for b, r in model.batches.items() if r.active == (op == "rollback"))
        if not pool:
            continue
        batch = pool[arg % len(pool)]
        if op == "again":
            before = (store.current_values(), store.current_task_reports())
            with pytest.raises(StoreError) as exc:
                store.rollback(batch, "model")
            assert exc.value.problem.code == "ALREADY_ROLLED_BACK"
            pd.testing.assert_frame_equal(before[0], store.current_values())
            pd.testing.assert_frame_equal(before[1], store.current_task_reports())
            continue
        _rollback(store, model, batch)
