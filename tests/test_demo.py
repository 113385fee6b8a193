"""Demo data: seeded, complete, plausible, within valid ranges, labelled as demo in the store."""

import io
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard.cli import main
from dashboard.demo import generate, load_demo
from dashboard.engine import evaluate
from dashboard.intake.indicator_values import read_upload
from dashboard.rules import load_rules

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def rules():
    return load_rules(ROOT / "rules")


@pytest.fixture(scope="module")
def demo(rules):
    return generate(rules)


def test_same_seed_same_data_other_seed_other_data(rules, demo):
    pd.testing.assert_frame_equal(demo, generate(rules))
    assert not generate(rules, seed=1)["value"].equals(demo["value"])


def test_every_area_and_series_from_2020_to_2025(rules, demo):
    assert set(demo["area"]) == set(rules.areas) and len(rules.areas) == 40
    assert set(demo["indicator"]) == rules.series_codes()
    assert sorted(demo["year"].unique()) == list(range(2020, 2026))
    assert not demo.duplicated(["area", "indicator", "year"]).any()
    # 2020 is complete (it is every area's baseline year); later years have ~5 % gaps overall.
    full = len(rules.areas) * len(rules.series_codes())
    assert (demo["year"] == 2020).sum() == full
    gap_share = 1 - len(demo) / (full * 6)
    assert 0.03 < gap_share < 0.07


def test_values_respect_valid_ranges_and_pass_upload_validation(rules, demo):
    lo = demo["indicator"].map({c: i.valid_min for c, i in rules.indicators.items()}).astype(float)
    hi = demo["indicator"].map({c: i.valid_max for c, i in rules.indicators.items()}).astype(float)
    assert not (demo["value"] < lo).any() and not (demo["value"] > hi).any()
    assert np.isfinite(demo["value"]).all()
    # The strongest check: the demo data would be accepted as an upload.
    text = demo.to_csv(index=False).encode()
    rep = read_upload(text, "demo.csv", rules)
    assert rep.ok, rep.problems[:3]
    assert len(rep.rows) == len(demo)


def test_printed_baselines_are_the_2020_values_in_the_plan_area(rules, demo):
    base = demo[demo["year"] == 2020].set_index(["area", "indicator"])["value"]
    with_baseline = [i for i in rules.indicators.values() if i.baseline is not None]
    assert len(with_baseline) >= 10
    for ind in with_baseline:
        assert base[(ind.baseline_area, ind.code)] == pytest.approx(ind.baseline)
    # Elsewhere the baseline is a centre, not a copy.
    w04 = base.xs("W04", level="indicator")
    assert w04.nunique() > 30 and abs(w04.median() - 92.55) < 3


def test_plausible_levels(demo):
    by = demo[demo["year"] == 2020].groupby("indicator", observed=True)["value"].median()
    assert 103 <= by["W40"] <= 112  # sex ratio at birth
    assert by["W41"] < 1.5  # toilet ratio starts short of 2:3
    assert 75 < by["W02"] < 90  # life expectancy
    assert by["C01"] < 5  # neonatal mortality ‰


def test_every_progress_status_appears(rules, demo):
    out = evaluate(rules, demo, years=[2025])
    seen = set(out["status"])
    assert {"achieved", "on_track", "needs_acceleration", "limited", "deterioration"} <= seen


def test_load_demo_is_two_marked_batches_values_and_task_progress(store, rules, demo):
    assert store.is_empty() and not store.has_demo_data()
    batch = load_demo(store, rules)
    b = store.batch(batch)
    assert (b["kind"], b["uploader"], b["n_rows"], b["n_new"]) == ("demo", "demo", len(demo), len(demo))
    assert store.has_demo_data()
    assert len(store.current_values()) == len(demo)
    # The task reports: a second batch, labelled demo as well, every status a member unit may report.
    tasks = store.batches()
    assert sorted(tasks["kind"]) == ["demo", "demo"]
    reports = store.current_task_reports()
    assert set(reports["status"]) == {"not_started", "in_progress", "done", "delayed"}
    assert reports["year"].between(2021, 2025).all()
    for b_id in store.batches()["id"]:
        store.rollback(int(b_id), "admin")
    assert not store.has_demo_data() and store.current_values().empty and store.current_task_reports().empty


def test_demo_task_progress_is_seeded_and_within_each_task_s_period(rules):
    from dashboard.demo.generate import generate_task_progress
    from dashboard.rules import catalogue_for

    cat = catalogue_for(rules)
    one, again = generate_task_progress(cat, seed=7), generate_task_progress(cat, seed=7)
    pd.testing.assert_frame_equal(one, again)
    assert not one.equals(generate_task_progress(cat, seed=8))
    period = {c: (t.period_start, t.period_end) for c, t in cat.tasks.items()}
    assert all(period[r.task][0] <= r.year <= period[r.task][1] for r in one.itertuples())
    # One status per task and year, across its targets (as the upload requires).
    assert (one.groupby(["task", "year"])["status"].nunique() == 1).all()


def test_cli_demo_only_fills_an_empty_database(store):
    def run(*argv):
        out = io.StringIO()
        with redirect_stdout(out):
            return main(list(argv)), out.getvalue()

    code, out = run("demo", "--if-empty")
    assert code == 0 and "demo data loaded" in out
    n = len(store.current_values())
    code, out = run("demo", "--if-empty")
    assert code == 0 and "not loaded" in out
    assert run("demo")[0] == 1
    assert len(store.current_values()) == n and len(store.batches()) == 2  # values and task progress
