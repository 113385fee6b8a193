"""The engine's way of working does not show in its results.

It judges areas in blocks on several threads, the targets that follow another series in a second
pass of their own, and fills only the years asked for: none of that may change a single cell.
"""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from dashboard.bench.per_cell import evaluate_cell
from dashboard.demo import generate
from dashboard.engine import evaluate, progress
from dashboard.rules import PUBLISHED_METHOD

PLAN_YEARS = list(range(2020, 2031))


@pytest.fixture(scope="module")
def demo_obs(rules):
    """The demo series for every plan year, with holes and a few zeros (seeded)."""
    data = generate(rules, seed=11, years=PLAN_YEARS)
    rng = np.random.default_rng(11)
    data = data[rng.random(len(data)) > 0.2].reset_index(drop=True)
    data.loc[rng.random(len(data)) < 0.01, "value"] = 0.0
    return data


def test_the_shipped_rules_have_targets_that_follow_another_series(rules):
    # Otherwise the second pass below would not be exercised.
    kinds = {rules.target_for(a, code).check.kind for a in rules.areas for code in rules.indicators}
    assert "reference" in kinds


@pytest.mark.parametrize("method", [None, PUBLISHED_METHOD], ids=["ours", "published"])
def test_results_do_not_depend_on_how_the_areas_are_split_into_blocks(rules, demo_obs, monkeypatch, method):
    expected = evaluate(rules, demo_obs, years=PLAN_YEARS, method=method)
    for size in (1, 3, 1000):
        monkeypatch.setattr(progress, "_BLOCK_AREAS", size)
        pd.testing.assert_frame_equal(
            evaluate(rules, demo_obs, years=PLAN_YEARS, method=method), expected, check_exact=True
        )


def test_some_years_are_the_same_rows_as_in_every_year(rules, demo_obs):
    every = evaluate(rules, demo_obs, years=PLAN_YEARS)
    some = evaluate(rules, demo_obs, years=[2022, 2025, 2030])
    expected = every[every["year"].isin([2022, 2025, 2030])].reset_index(drop=True)
    pd.testing.assert_frame_equal(some, expected, check_exact=True)


def test_without_years_the_result_ends_at_the_latest_observed_year(rules, demo_obs):
    up_to_2024 = demo_obs[demo_obs["year"] <= 2024]
    out = evaluate(rules, up_to_2024)
    assert sorted(out["year"].unique()) == [2020, 2021, 2022, 2023, 2024]
    assert evaluate(rules, up_to_2024.iloc[:0])["year"].unique().tolist() == [2020]


def test_an_area_is_judged_the_same_whatever_areas_come_with_it(rules, demo_obs):
    every = evaluate(rules, demo_obs, years=PLAN_YEARS)
    some = list(rules.areas)[::-3]  # another order, and areas missing between them
    alone = evaluate(rules, demo_obs, years=PLAN_YEARS, areas=some)
    key = ["area_code", "indicator", "year"]
    picked = every[every["area_code"].isin(some)].astype({"area_code": str, "indicator": str})
    alone = alone.astype({"area_code": str, "indicator": str})
    pd.testing.assert_frame_equal(
        alone.sort_values(key).reset_index(drop=True),
        picked.sort_values(key).reset_index(drop=True).astype(alone.dtypes.to_dict()),
        check_exact=True,
    )


def test_five_year_smoothing_agrees_with_the_per_cell_reference(rules, demo_obs):
    # The longest window the rules allow, on every third indicator.
    indicators = {
        code: ind.model_copy(update={"smoothing_years": 5}) if k % 3 == 0 else ind
        for k, (code, ind) in enumerate(rules.indicators.items())
    }
    smoothed = dataclasses.replace(rules, indicators=indicators)
    areas = list(rules.areas)[:2]
    out = evaluate(smoothed, demo_obs, years=PLAN_YEARS, areas=areas)
    series = {k: dict(zip(g.year, g.value)) for k, g in demo_obs.groupby(["area", "indicator"], observed=True)}
    mismatches = []
    for r in out.itertuples():
        ind = smoothed.indicator_for(r.area_code, r.indicator)
        t = smoothed.target_for(r.area_code, r.indicator)
        ref_code = t.check.engine_row(ind.direction, smoothed.settings).ref_series
        ref = series.get((r.area_code, ref_code), {}) if ref_code is not None else None
        got = evaluate_cell(
            series.get((r.area_code, r.indicator), {}), r.year, t.check, ind, smoothed.settings, t.baseline, ref
        )
        if got["status"] != r.status:
            mismatches.append((r.area_code, r.indicator, r.year, r.status, got["status"]))
    assert out["smoothed"].sum() > 100
    assert mismatches == []
