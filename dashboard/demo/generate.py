"""Seeded synthetic data for every area, indicator and context series, clearly marked as demo.

The series start in 2020 from the plans' printed baselines (exactly, in the plan's own area; as
the centre of a noisy spread elsewhere) or, where the plan prints none, from a plausible level
derived from the target (a little short of a threshold, near an "about" centre, a sex ratio of
104–112, …). Each area × indicator then gets a fortune — strong progress, moderate progress,
stalling or worsening — so every status of the progress engine appears, plus yearly noise and
about 5 % missing values after 2020. Everything is one numpy computation on the
area × series × year cube; the only loop runs over the (about ninety) series.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from ..intake.task_progress import KIND as TASK_PROGRESS_FILE
from ..messages.numbers import decimals_for
from ..rules import RuleSet, TaskCatalogue, catalogue_for
from ..store.review import ReviewState
from .levels import TYPICAL_2020
from .review_states import apply_demo_review

DEFAULT_SEED = 20211
DEFAULT_YEARS = tuple(range(2020, 2026))
GAP_SHARE = 0.06  # of the years after the baseline year: ~5 % of all cells
_COUNT_UNITS = {"件", "人", "个", "户", "名", "张"}
# Fortune of an area × indicator: multiplier of the step that would reach the target in ~6 years.
# Most areas move toward their targets, some slowly, a few stall or slip: a plan in progress.
_FORTUNES = np.array([1.5, 0.9, 0.35, -0.4])
_FORTUNE_P = np.array([0.40, 0.32, 0.18, 0.10])


def _series_profile(rules: RuleSet, rng: np.random.Generator) -> pd.DataFrame:
    """Per series: 2020 centre, desired direction, yearly step, valid range, decimals."""
    rows = []
    for ind in rules.indicators.values():
        pct = ind.unit == "%"
        sign = {"higher": 1.0, "lower": -1.0}.get(ind.direction, 0.0)
        target = np.nan
        level = ind.check.demo_level(rng, pct)
        if level is not None:
            centre, target = level.centre, level.target
            sign = level.sign or sign
        elif pct:
            centre = rng.uniform(3, 20) if sign < 0 else rng.uniform(30, 85)
        elif ind.unit == "‰":
            centre = rng.uniform(0.5, 5)
        elif ind.unit == "万人":
            centre = rng.uniform(5, 50)
        elif ind.unit in _COUNT_UNITS:
            centre = rng.uniform(20, 400)
        else:
            centre = rng.uniform(1, 10)
        if ind.code in TYPICAL_2020:
            low, high = TYPICAL_2020[ind.code]
            centre = rng.uniform(low, high)
        if ind.baseline is not None:
            centre = ind.baseline
        step = abs(target - centre) / 6 if np.isfinite(target) and target != centre else abs(centre) * 0.03
        step = max(step, abs(centre) * 0.004)
        # Life expectancy and the sex ratio vary little between districts; rates vary a lot.
        spread = 0.02 if ind.direction == "band" or ind.unit == "岁" else 0.06
        rows.append(
            {
                "code": ind.code,
                "centre": centre,
                "sign": sign,
                "step": step,
                "spread": spread,
                "lo": ind.valid_min,
                "hi": ind.valid_max,
                "exact": ind.baseline,
                "home": ind.baseline_area,
                "decimals": decimals_for(ind.unit, ind.decimals) + 1,
            }
        )
    for cs in rules.context_series.values():
        lo, hi = cs.valid_range or ((0.0, 100.0) if cs.unit == "%" else (0.0, None))
        centre = rng.uniform(35, 45) if cs.unit == "%" else rng.uniform(1, 10)
        rows.append(
            {
                "code": cs.code,
                "centre": centre,
                "sign": 0.0,
                "step": centre * 0.02,
                "spread": 0.06,
                "lo": lo,
                "hi": hi,
                "exact": None,
                "home": None,
                "decimals": 2,
            }
        )
    frame = pd.DataFrame(rows)
    frame["lo"] = pd.to_numeric(frame["lo"]).fillna(-np.inf)
    frame["hi"] = pd.to_numeric(frame["hi"]).fillna(np.inf)
    return frame


def generate(rules: RuleSet, seed: int = DEFAULT_SEED, years=DEFAULT_YEARS) -> pd.DataFrame:
    """Demo observations: DataFrame(area, indicator, year, value), same output for the same seed."""
    rng = np.random.default_rng(seed)
    prof = _series_profile(rules, rng)
    areas = list(rules.areas)
    years = np.asarray(list(years), dtype=int)
    n_a, n_s, n_t = len(areas), len(prof), len(years)
    t = (years - years[0]).astype(float)

    centre = prof["centre"].to_numpy(float)
    level = centre[None, :] * (1 + rng.normal(0, 1, (n_a, n_s)) * prof["spread"].to_numpy(float)[None, :])
    # The plan's own area starts exactly at the printed baseline.
    home = (np.asarray(areas)[:, None] == prof["home"].to_numpy(object)[None, :]) & prof["exact"].notna().to_numpy()[
        None, :
    ]
    level = np.where(home, centre[None, :], level)

    fortune = rng.choice(_FORTUNES, size=(n_a, n_s), p=_FORTUNE_P) * rng.uniform(0.7, 1.3, (n_a, n_s))
    sign = np.broadcast_to(prof["sign"].to_numpy(float)[None, :], (n_a, n_s)).copy()
    # Context series and direction-free indicators drift either way.
    drift = sign == 0
    sign[drift] = rng.choice([-1.0, 1.0], size=int(drift.sum()))
    step = prof["step"].to_numpy(float)[None, :] * fortune * sign

    # Noise scaled to the step keeps trends visible; the level term keeps flat series wobbling.
    sigma = 0.35 * prof["step"].to_numpy(float)[None, :] + 0.004 * np.abs(level)
    noise = rng.normal(0, 1, (n_a, n_s, n_t)) * sigma[:, :, None]
    noise[:, :, 0] = 0.0  # the 2020 value is the level itself
    cube = level[:, :, None] + step[:, :, None] * t[None, None, :] + noise

    lo = prof["lo"].to_numpy(float)[None, :, None]
    hi = prof["hi"].to_numpy(float)[None, :, None]
    cube = np.clip(cube, lo, hi)
    decimals = prof["decimals"].to_numpy(int)
    cube = np.stack([np.round(cube[:, k, :], int(d)) for k, d in enumerate(decimals)], axis=1)

    gaps = (rng.random((n_a, n_s, n_t)) < GAP_SHARE) & (t[None, None, :] > 0)
    # No values for another area's added indicators, nor for those an area does not monitor.
    s_pos = {code: k for k, code in enumerate(prof["code"])}
    a_pos = {area: k for k, area in enumerate(areas)}
    for code, ind in rules.indicators.items():
        if ind.area is not None:
            gaps[[a for c, a in a_pos.items() if c != ind.area], s_pos[code], :] = True
    for area, left_out in rules.not_monitored.items():
        for code in left_out:
            if area in a_pos:
                gaps[a_pos[area], s_pos[code], :] = True
    a_idx, s_idx, t_idx = np.nonzero(~gaps)
    frame = pd.DataFrame(
        {
            # The generator knows every row's area and series by position: categorical columns cost
            # nothing here and spare the engine hashing millions of strings at national scale.
            "area": pd.Categorical.from_codes(a_idx, categories=areas),
            "indicator": pd.Categorical.from_codes(s_idx, categories=list(prof["code"])),
            "year": years[t_idx].astype("int64"),
            "value": cube[a_idx, s_idx, t_idx],
        }
    )
    return frame


# How a task stands in the n-th year of its period: most advance, some stall and fall behind.
_TASK_PATHS = (
    ("in_progress", "in_progress", "in_progress", "in_progress", "done"),
    ("in_progress", "in_progress", "done", "done", "done"),
    ("not_started", "in_progress", "in_progress", "delayed", "in_progress"),
    ("in_progress", "delayed", "delayed", "in_progress", "in_progress"),
)
_TASK_PATH_P = (0.45, 0.25, 0.18, 0.12)


def generate_task_progress(cat: TaskCatalogue, seed: int = DEFAULT_SEED, years=DEFAULT_YEARS) -> pd.DataFrame:
    """Demo task reports: DataFrame(task, year, target_no, status, reached, note), same for the same seed.

    Every task running in a demo year after the baseline gets a status for that year, following
    one of a few plausible paths (most advance, some are delayed for a year or two); a task with
    quantitative targets reports a reached number per target, moving toward the target's value.
    """
    rng = np.random.default_rng(seed + 1)
    first = int(min(years)) + 1  # the baseline year has no work plan yet
    rows = []
    for task in cat.tasks.values():
        path = _TASK_PATHS[int(rng.choice(len(_TASK_PATHS), p=_TASK_PATH_P))]
        pace = rng.uniform(0.55, 1.05)
        span = [y for y in years if first <= y and task.period_start <= y <= task.period_end]
        for k, year in enumerate(span):
            status = path[min(k, len(path) - 1)]
            if not task.targets:
                rows.append((task.code, int(year), 0, status, np.nan))
                continue
            for g in task.targets:
                value = getattr(g.check, "value", None)
                reached = np.nan
                if isinstance(value, (int, float)) and status != "not_started":
                    share = min(1.0, pace * (k + 1) / max(len(span), 1))
                    reached = round(float(value) * (0.6 + 0.4 * share) * rng.uniform(0.97, 1.03), 1)
                rows.append((task.code, int(year), g.no, status, reached))
    frame = pd.DataFrame(rows, columns=["task", "year", "target_no", "status", "reached"])
    frame["note"] = None
    return frame.astype({"year": "int64", "target_no": "int64", "reached": "float64"})


def demo_batches(store) -> pd.DataFrame:
    """The active demo batches (values and task reports), newest first — the order to roll them back."""
    b = store.batches()
    return b.loc[(b["kind"] == "demo") & (b["status"] == "active")].sort_values("id", ascending=False)


def load_demo(store, rules: RuleSet, seed: int = DEFAULT_SEED, years=DEFAULT_YEARS) -> int:
    """Store :func:`generate` as one batch of kind ``demo`` (uploader ``demo``), submitted and then
    reviewed by the demo reviewer (``review_states``: most approved, some waiting or returned, a
    few not obtainable); returns its id."""
    rows = generate(rules, seed=seed, years=years)
    digest = hashlib.sha256(rows.to_csv(index=False).encode()).hexdigest()
    batch = store.commit_rows(
        rows.assign(note=None),
        uploader="demo",
        file_name=f"demo (seed {seed})",
        sha256=digest,
        kind="demo",
        review_state=ReviewState.SUBMITTED,
    )
    # The districts' submissions, then the demo reviewer's approvals, returns and waiting values.
    apply_demo_review(store, rules, rows, seed)
    # A plan in progress has task reports too: stored as a second demo batch (labelled like the first).
    tasks = generate_task_progress(catalogue_for(rules), seed=seed, years=years)
    if len(tasks):
        content = tasks.to_csv(index=False).encode()
        report = TASK_PROGRESS_FILE.new_report(f"demo tasks (seed {seed})", content, len(content))
        report.rows = tasks.assign(source_row=range(2, len(tasks) + 2))
        store.commit_task_report(report, uploader="demo", kind="demo")
    return batch
