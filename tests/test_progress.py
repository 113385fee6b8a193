"""The progress engine on hand-made series whose answers were worked out by hand (docs/method.md).

The targets are the small rule set of the tests (conftest ``small_rules``), each mirroring a kind
the plans print, so a correction of the shipped tables cannot change these answers.
"""

import numpy as np
import pandas as pd
import pytest

from dashboard.bench.per_cell import evaluate_cell
from dashboard.engine import evaluate, flags_text

JIANGJIN = "100001"  # the plan's own area: printed baselines belong to it
WANZHOU = "100002"


def obs(*rows):
    """rows of (area, indicator, {year: value})."""
    out = [(a, i, y, v) for a, i, series in rows for y, v in series.items()]
    return pd.DataFrame(out, columns=["area", "indicator", "year", "value"])


def cell(rules, data, area, indicator, year):
    out = evaluate(rules, data, years=[year], areas=[area])
    row = out[out["indicator"] == indicator]
    assert len(row) == 1
    return row.iloc[0]


def test_threshold_smoothed_rare_event_on_track(small_rules):
    # T01 maternal mortality <8, judged on a 3-year mean: (11+10+9)/3 = 10 against a baseline of 12.
    r = cell(small_rules, obs((JIANGJIN, "T01", {2020: 12, 2021: 11, 2022: 10, 2023: 9})), JIANGJIN, "T01", 2023)
    assert r.value == 9 and r.value_used == pytest.approx(10)
    assert r.smoothed and r.baseline == 12 and r.baseline_source == "data"
    assert r.progress_pct == pytest.approx(50.0)  # (10-12)/(8-12)
    required = (8 / 12) ** (1 / 10) - 1
    observed = (10 / 12) ** (1 / 3) - 1
    assert r.ratio == pytest.approx(-observed / abs(required))  # 1.484
    assert r.status == "on_track" and not r.met and r.margin == pytest.approx(-2)


@pytest.mark.parametrize(
    "later,status",
    [
        (98.5, "achieved"),
        (96.0, "needs_acceleration"),  # R = 0.632
        (95.5, "limited"),  # R = 0.316
        (94.0, "deterioration"),
    ],
)
def test_threshold_classes(small_rules, later, status):
    # T02 preschool gross enrolment ≥98.2, from 95 in 2020 to `later` in 2025.
    r = cell(small_rules, obs((WANZHOU, "T02", {2020: 95, 2025: later})), WANZHOU, "T02", 2025)
    assert r.status == status


def test_r_value_for_needs_acceleration(small_rules):
    r = cell(small_rules, obs((WANZHOU, "T02", {2020: 95, 2025: 96})), WANZHOU, "T02", 2025)
    assert r.ratio == pytest.approx(0.6317, abs=1e-3)


def test_about_target_uses_distance_transform(small_rules):
    # T03 "45左右": 44 is inside 42.75–47.25; 41 is judged as a move of 45+|y-45| toward 47.25.
    assert cell(small_rules, obs((WANZHOU, "T03", {2020: 40, 2023: 44})), WANZHOU, "T03", 2023).status == "achieved"
    r = cell(small_rules, obs((WANZHOU, "T03", {2020: 40, 2023: 41})), WANZHOU, "T03", 2023)
    assert r.ratio == pytest.approx(1.189, abs=1e-3) and r.status == "on_track"
    far = cell(small_rules, obs((WANZHOU, "T03", {2020: 40, 2023: 55})), WANZHOU, "T03", 2023)
    assert far.status == "deterioration"  # overshooting the band moves away from 45


def test_band_for_sex_ratio(small_rules):
    assert cell(small_rules, obs((WANZHOU, "T04", {2020: 112, 2024: 106})), WANZHOU, "T04", 2024).status == "achieved"
    r = cell(small_rules, obs((WANZHOU, "T04", {2020: 112, 2024: 110})), WANZHOU, "T04", 2024)
    # transformed: 105+|110-105| = 110 from 112, toward 107 (the band edge); R = 0.9864
    required = (107 / 112) ** (1 / 10) - 1
    observed = (110 / 112) ** (1 / 4) - 1
    assert r.ratio == pytest.approx(observed / required) == pytest.approx(0.9864, abs=1e-4)
    assert r.status == "on_track"


def test_rise_every_year_breaks_on_a_fall(small_rules):
    rising = cell(small_rules, obs((WANZHOU, "T05", {2020: 50, 2021: 52, 2022: 53, 2023: 55})), WANZHOU, "T05", 2023)
    assert rising.met and rising.status == "on_track"
    fell = cell(small_rules, obs((WANZHOU, "T05", {2020: 50, 2021: 52, 2022: 51, 2023: 55})), WANZHOU, "T05", 2023)
    assert not fell.met and fell.status == "needs_acceleration"


def test_improve_uses_limit_scaled_thresholds(small_rules):
    # T06 提高 (%): growth 0.125 %/yr; near the 100 % limit thresholds shrink by C = 1-(80/100)^4.44.
    r = cell(small_rules, obs((WANZHOU, "T06", {2020: 80, 2025: 80.5})), WANZHOU, "T06", 2025)
    assert r.ratio == pytest.approx((80.5 / 80) ** 0.2 - 1)
    assert r.status == "limited" and r.met
    done = cell(small_rules, obs((WANZHOU, "T06", {2020: 80, 2030: 85})), WANZHOU, "T06", 2030)
    assert done.status == "achieved"  # direction targets are achieved at the deadline


def test_significant_decrease(small_rules):
    # T07 明显降低: 15 % below baseline meets the 10 % margin; 5 % does not.
    assert cell(small_rules, obs((WANZHOU, "T07", {2020: 1.0, 2025: 0.85})), WANZHOU, "T07", 2025).met
    assert not cell(small_rules, obs((WANZHOU, "T07", {2020: 1.0, 2025: 0.95})), WANZHOU, "T07", 2025).met


def test_contain_and_maintain(small_rules):
    assert cell(small_rules, obs((WANZHOU, "T08", {2020: 30, 2023: 28})), WANZHOU, "T08", 2023).status == "achieved"
    assert (
        cell(small_rules, obs((WANZHOU, "T08", {2020: 30, 2023: 33})), WANZHOU, "T08", 2023).status == "deterioration"
    )
    kept = cell(small_rules, obs((WANZHOU, "T09", {2020: 40, 2023: 38.5})), WANZHOU, "T09", 2023)
    assert kept.status == "achieved" and kept.target_value == 38
    assert (
        cell(small_rules, obs((WANZHOU, "T09", {2020: 40, 2023: 37})), WANZHOU, "T09", 2023).status == "deterioration"
    )


def test_reference_to_another_indicator(small_rules):
    data = obs((WANZHOU, "T09", {2020: 40, 2023: 40}), (WANZHOU, "T10", {2020: 38, 2023: 42}))
    r = cell(small_rules, data, WANZHOU, "T10", 2023)
    assert r.status == "achieved" and r.target_value == 40
    missing = cell(small_rules, obs((WANZHOU, "T10", {2020: 38, 2023: 42})), WANZHOU, "T10", 2023)
    assert missing.status == "no_data" and missing.reference_missing


def test_reference_to_a_context_series(small_rules):
    # T11 与女职工比例相适应: within ±5 % of the share of women among employees (CTX_FEMALE_WORKERS).
    near = obs((WANZHOU, "CTX_WORKERS", {2020: 40, 2023: 42}), (WANZHOU, "T11", {2020: 30, 2023: 41}))
    r = cell(small_rules, near, WANZHOU, "T11", 2023)
    assert r.status == "achieved" and r.check_kind == "reference"
    far = obs((WANZHOU, "CTX_WORKERS", {2020: 40, 2023: 42}), (WANZHOU, "T11", {2020: 30, 2023: 31}))
    # judged around 42 (the reference as of 2023): 42+|30-42| = 54 → 42+|31-42| = 53, toward 44.1: R = 0.31
    r = cell(small_rules, far, WANZHOU, "T11", 2023)
    assert r.ratio == pytest.approx(((53 / 54) ** (1 / 3) - 1) / -((44.1 / 54) ** 0.1 - 1) * -1)
    assert r.status == "limited"


def test_ratio_target(small_rules):
    assert cell(small_rules, obs((WANZHOU, "T12", {2020: 1.2, 2023: 1.6})), WANZHOU, "T12", 2023).status == "achieved"


def test_no_data_and_single_point(small_rules):
    none = cell(small_rules, obs((WANZHOU, "T02", {2020: 95})), WANZHOU, "T03", 2023)
    assert none.status == "no_data" and none.data_gap
    single = cell(small_rules, obs((WANZHOU, "T02", {2023: 95})), WANZHOU, "T02", 2023)
    assert single.status == "no_data" and single.single_point
    assert pd.isna(single.progress_pct) and pd.isna(single.projected_2030)


def test_printed_baseline_serves_only_its_own_area(small_rules):
    # T13 baseline 92.55 is Jiangjin's (001): it is used there, not in Wanzhou.
    jj = cell(small_rules, obs((JIANGJIN, "T13", {2023: 93})), JIANGJIN, "T13", 2023)
    assert jj.baseline == 92.55 and jj.baseline_source == "plan" and jj.status == "on_track"
    wz = cell(small_rules, obs((WANZHOU, "T13", {2023: 93})), WANZHOU, "T13", 2023)
    assert wz.baseline_source == "first_value" and wz.status == "no_data"


def test_flags(small_rules):
    slow = cell(small_rules, obs((WANZHOU, "T02", {2020: 95, 2023: 95.3})), WANZHOU, "T02", 2023)
    assert slow.will_miss and slow.projected_2030 < 98.2
    gap = cell(small_rules, obs((WANZHOU, "T02", {2020: 95, 2021: 95.5})), WANZHOU, "T02", 2024)
    assert gap.data_gap and gap.value_year == 2021
    swing = cell(
        small_rules, obs((WANZHOU, "T06", {2020: 50, 2021: 51, 2022: 52, 2023: 53, 2024: 60})), WANZHOU, "T06", 2024
    )
    assert swing.swing
    calm = cell(
        small_rules, obs((WANZHOU, "T06", {2020: 50, 2021: 51, 2022: 52, 2023: 53, 2024: 54})), WANZHOU, "T06", 2024
    )
    assert not calm.swing
    slip = cell(small_rules, obs((WANZHOU, "T02", {2020: 98.5, 2021: 99.5, 2022: 99.0})), WANZHOU, "T02", 2022)
    assert slip.status == "achieved" and slip.may_slip
    frame = evaluate(small_rules, obs((WANZHOU, "T02", {2020: 95, 2023: 95.3})), years=[2023], areas=[WANZHOU])
    text = flags_text(frame[frame.indicator == "T02"])
    assert text.iloc[0] == "will_miss"


def test_override_changes_only_its_area(small_rules, tmp_path):
    import shutil

    from dashboard.rules import load_rules

    shutil.copytree(small_rules.root, tmp_path / "rules")
    (tmp_path / "rules" / "overrides").mkdir(exist_ok=True)
    (tmp_path / "rules" / "overrides" / "wanzhou.yaml").write_text(
        'area: "100002"\nsource: 乙区规划（测试）\ntargets:\n  T02:\n    target: "≥90"\n    attribute: 预期性\n',
        encoding="utf-8",
    )
    local = load_rules(tmp_path / "rules")
    assert local.ok, [p.format() for p in local.problems]
    data = obs((WANZHOU, "T02", {2020: 85, 2023: 91}), (JIANGJIN, "T02", {2020: 85, 2023: 91}))
    out = evaluate(local, data, years=[2023]).set_index(["area_code", "indicator"])
    wz, jj = out.loc[(WANZHOU, "T02")], out.loc[(JIANGJIN, "T02")]
    assert (wz.target_source, wz.target_text, wz.attribute, wz.status) == ("override", "≥90", "expected", "achieved")
    assert (jj.target_source, jj.target_text, jj.attribute) == ("default", "≥98.2", "binding")
    assert jj.status != "achieved"


def test_every_year_and_every_pair_is_present(small_rules):
    out = evaluate(small_rules, obs((WANZHOU, "T02", {2020: 95, 2022: 96})))
    assert sorted(out.year.unique()) == [2020, 2021, 2022]
    assert len(out) == len(small_rules.areas) * len(small_rules.indicators) * 3


def test_vectorised_engine_agrees_with_per_cell_evaluation(rules):
    # The shipped rules here: every kind and every printed target of the plans, judged both ways.
    """Random series for every indicator: the vectorised statuses equal the per-cell oracle's."""
    rng = np.random.default_rng(7)
    areas = ["500101", "500116", "500103"]
    rows = []
    for area in areas:
        for code, ind in list(rules.indicators.items()) + [(c, None) for c in rules.context_series]:
            centre = 50.0 if ind is None or ind.unit == "%" else 10.0
            if ind is not None and ind.direction == "band":
                centre = 108.0
            level = centre * rng.uniform(0.7, 1.3)
            for year in range(2020, 2027):
                if rng.random() < 0.2:
                    continue
                level *= 1 + rng.normal(0, 0.05)
                rows.append((area, code, year, min(level, 100.0) if (ind and ind.unit == "%") else level))
    data = pd.DataFrame(rows, columns=["area", "indicator", "year", "value"])
    out = evaluate(rules, data, areas=areas)
    series = {k: dict(zip(g.year, g.value)) for k, g in data.groupby(["area", "indicator"])}
    mismatches = []
    for r in out.itertuples():
        ind = rules.indicators[r.indicator]
        t = rules.target_for(r.area_code, r.indicator)
        ref_code = t.check.engine_row(ind.direction, rules.settings).ref_series
        ref = series.get((r.area_code, ref_code), {}) if ref_code is not None else None
        expected = evaluate_cell(
            series.get((r.area_code, r.indicator), {}), r.year, t.check, ind, rules.settings, t.baseline, ref
        )
        if expected["status"] != r.status:
            mismatches.append((r.area_code, r.indicator, r.year, r.status, expected["status"]))
    assert len(out) == 3 * len(rules.indicators) * 7
    assert mismatches == []
    assert set(out.status) >= {"achieved", "on_track", "deterioration", "no_data"}


def test_override_of_the_plans_own_area_stays_there(small_rules, tmp_path):
    """An override for 江津区 (whose plan printed the defaults) must not become everyone's default."""
    import shutil

    from dashboard.rules import load_rules

    shutil.copytree(small_rules.root, tmp_path / "rules")
    (tmp_path / "rules" / "overrides").mkdir(exist_ok=True)
    (tmp_path / "rules" / "overrides" / "jiangjin.yaml").write_text(
        'area: "100001"\nsource: 测试\ntargets:\n  T02:\n    target: "≥90"\n', encoding="utf-8"
    )
    local = load_rules(tmp_path / "rules")
    data = obs((WANZHOU, "T02", {2020: 85, 2023: 91}), (JIANGJIN, "T02", {2020: 85, 2023: 91}))
    out = evaluate(local, data, years=[2023]).set_index(["area_code", "indicator"])
    assert out.loc[(JIANGJIN, "T02")].target_text == "≥90"
    assert out.loc[(WANZHOU, "T02")].target_text == "≥98.2"
    assert out.loc[(WANZHOU, "T02")].target_source == "default"
    cat = local.catalogue().set_index("code")
    assert cat.loc["T02", "target_text"] == "≥98.2"


def test_a_mean_exactly_on_the_target_is_judged_exactly(small_rules):
    # T01 <8 on a 3-year mean: (8.1 + 7.9 + 8.0) / 3 is 8 — not below 8, whatever the float rounding.
    r = cell(small_rules, obs((WANZHOU, "T01", {2020: 9.0, 2022: 8.1, 2023: 7.9, 2024: 8.0})), WANZHOU, "T01", 2024)
    assert r.value_used == pytest.approx(8.0) and not r.met and r.status != "achieved"
    # A district at 0.1 on a <0.1 target, from a mean of 0.11, 0.1, 0.09: exactly on the line, not met.
    exact = cell(
        small_rules, obs((WANZHOU, "T01", {2020: 0.13, 2022: 0.11, 2023: 0.1, 2024: 0.09})), WANZHOU, "T01", 2024
    )
    assert exact.value_used == pytest.approx(0.1)


def test_a_value_that_stands_still_has_no_growth(small_rules):
    # T02 ≥98.2 from 95.0 to a mean that is 95 up to rounding: R = 0 → limited, not deterioration.
    r = cell(small_rules, obs((WANZHOU, "T02", {2020: 95.0, 2024: 95.0})), WANZHOU, "T02", 2024)
    assert r.ratio == 0 and r.status == "limited"


def test_on_track_just_short_says_so_and_never_will_miss(small_rules):
    # T02 ≥98.2 from 95 in 2020. Required CAGR (98.2/95)^(1/10) − 1 = 0.0033184. Observed 95 → 96.54
    # in 5 years: (96.54/95)^(1/5) − 1 = 0.0032213, R = 0.0032213 / 0.0033184 = 0.9707 ≥ 0.95: on track.
    # Projected 2030: 96.54 × 1.0032213^5 = 98.105 < 98.2 — short, but the status says "on pace".
    r = cell(small_rules, obs((WANZHOU, "T02", {2020: 95, 2025: 96.54})), WANZHOU, "T02", 2025)
    assert r.ratio == pytest.approx(0.9707, abs=1e-4)
    assert r.projected_2030 == pytest.approx(98.105, abs=1e-3)
    assert r.status == "on_track" and not r.will_miss and r.near_miss
    # R = 0.632 (test above): needs acceleration, and then the projection's shortfall is a will-miss.
    slow = cell(small_rules, obs((WANZHOU, "T02", {2020: 95, 2025: 96})), WANZHOU, "T02", 2025)
    assert slow.status == "needs_acceleration" and slow.will_miss and not slow.near_miss


def test_no_row_of_the_demo_data_is_on_track_with_a_will_miss_warning(rules, demo_db):
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{demo_db}")
    values = pd.read_sql("SELECT area, indicator, year, value FROM observations WHERE is_current", engine)
    engine.dispose()
    out = evaluate(rules, values)
    good = out["status"].isin(["achieved", "on_track"])
    assert len(out) > 10_000 and out["will_miss"].sum() > 0
    assert not (good & out["will_miss"]).any()


def test_a_target_met_then_missed_is_a_warning(small_rules):
    # T02 ≥98.2: 95 (2020), 98.6 (2023: met), 98.0 (2024: below again). From the baseline the trend is
    # still strong (R = 2.34: on track), so only the fall below the target tells: fell_below.
    from dashboard.engine.warnings import warnings_frame

    data = obs((WANZHOU, "T02", {2020: 95, 2023: 98.6, 2024: 98.0}))
    r = cell(small_rules, data, WANZHOU, "T02", 2024)
    assert r.status == "on_track" and r.fell_below and not r.met
    assert not cell(small_rules, data, WANZHOU, "T02", 2023).fell_below  # met that year
    w = warnings_frame(small_rules, evaluate(small_rules, data, years=[2024], areas=[WANZHOU]), 2024)
    assert w["kind"].tolist() == ["fell_below"]  # binding, yet on track: no other warning
    assert w.loc[0, "reason"] == "最新值 98.0% 已低于目标 ≥98.2，此前曾经达标"


# ------------------------------------------------------------------------------ the published method's edges
def test_a_rate_that_stays_at_zero_is_not_judged_as_standing_still(small_rules):
    # T07 明显降低 (lower). Open SDG replaces a zero *base* by 0.001, never the current value:
    # growth (0 / 0.001)^(1/3) − 1 = −1; progress = sign × direction × growth = 1 × −1 × −1 = 1 ≥ 0.015:
    # on track (replacing the current 0 as well would give growth 0: "limited", "will miss").
    r = cell(small_rules, obs((WANZHOU, "T07", {2020: 0, 2023: 0})), WANZHOU, "T07", 2023)
    assert r.ratio == pytest.approx(1.0)
    assert r.status == "on_track" and not r.will_miss


def test_direction_only_target_at_the_deadline_needs_a_value_of_that_year(small_rules):
    # T06 提高 (higher), met since 2024 (60 > 50). In the 2030 row, without a 2030 value, the
    # deadline cannot be judged: no data. With a 2030 value of 60 it is achieved.
    carried = cell(small_rules, obs((WANZHOU, "T06", {2020: 50, 2024: 60})), WANZHOU, "T06", 2030)
    assert carried.status == "no_data" and carried.value_year == 2024
    final = cell(small_rules, obs((WANZHOU, "T06", {2020: 50, 2030: 60})), WANZHOU, "T06", 2030)
    assert final.status == "achieved"


def test_at_the_deadline_a_target_is_met_or_not(small_rules):
    # T02 ≥98.2 from 95: 98.1 in 2030 is R = ((98.1/95)^(1/10) − 1) / ((98.2/95)^(1/10) − 1)
    # = 0.0032162 / 0.0033184 = 0.969 — "on track" by the classes, but 2030 is the deadline and
    # 98.1 < 98.2: not achieved.
    r = cell(small_rules, obs((WANZHOU, "T02", {2020: 95, 2030: 98.1})), WANZHOU, "T02", 2030)
    assert r.ratio == pytest.approx(0.969, abs=1e-3)
    assert r.status == "not_achieved" and not r.met
    assert cell(small_rules, obs((WANZHOU, "T02", {2020: 95, 2030: 98.3})), WANZHOU, "T02", 2030).status == "achieved"


def test_a_projection_stays_inside_the_valid_range(small_rules):
    # T02 (%): 95 → 99 in 4 years is 1.0364 % a year; 99 × 1.010364^6 = 105.3 — a rate above 100 %.
    r = cell(small_rules, obs((WANZHOU, "T02", {2020: 95, 2024: 99})), WANZHOU, "T02", 2024)
    assert r.projected_2030 == 100.0


def test_a_baseline_already_past_the_target(small_rules):
    # T02 ≥98.2 with 99 in 2020: still met at 98.5 in 2023 (achieved). At 98.0 it has fallen below:
    # required growth (98.2/99)^(1/10) − 1 = −0.000811, observed (98/99)^(1/3) − 1 = −0.003378,
    # R = −0.003378 / 0.000811 = −4.16: deterioration — and the target met before is now missed.
    assert cell(small_rules, obs((WANZHOU, "T02", {2020: 99, 2023: 98.5})), WANZHOU, "T02", 2023).status == "achieved"
    r = cell(small_rules, obs((WANZHOU, "T02", {2020: 99, 2023: 98.0})), WANZHOU, "T02", 2023)
    assert r.ratio == pytest.approx(-4.16, abs=0.01)
    assert r.status == "deterioration" and r.fell_below


def test_published_method_beside_ours_on_about_and_rise_targets(small_rules):
    from dashboard.rules import PUBLISHED_METHOD

    # T03 45左右 (±5 %): 40 (2020) → 44 (2023). Ours: inside 42.75–47.25, achieved. Published: the
    # transform aims at 45 itself: y′ = 45 + |44 − 45| = 46, base′ = 50, CAGRₒ = (46/50)^(1/3) − 1 =
    # −0.02741, CAGRᵣ = (45/50)^(1/10) − 1 = −0.010481, R = −1 × −0.02741 / 0.010481 = 2.615: on track.
    data = obs((WANZHOU, "T03", {2020: 40, 2023: 44}))
    ours = evaluate(small_rules, data, years=[2023], areas=[WANZHOU]).set_index("indicator").loc["T03"]
    published = evaluate(small_rules, data, years=[2023], areas=[WANZHOU], method=PUBLISHED_METHOD)
    published = published.set_index("indicator").loc["T03"]
    assert ours.status == "achieved"
    assert published.status == "on_track" and published.ratio == pytest.approx(2.615, abs=1e-3)
    # T05 逐年提高 50, 52, 51, 55: ours caps at needs acceleration after the fall; published: growth
    # (55/50)^(1/3) − 1 = 3.23 % a year ≥ 1.5 %: on track.
    data = obs((WANZHOU, "T05", {2020: 50, 2021: 52, 2022: 51, 2023: 55}))
    published = evaluate(small_rules, data, years=[2023], areas=[WANZHOU], method=PUBLISHED_METHOD)
    assert published.set_index("indicator").loc["T05", "status"] == "on_track"
