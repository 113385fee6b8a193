"""The progress engine: for every area × indicator × year, where the plan stands.

Method (docs/method.md): Statistics Canada's progress measure as implemented by Open SDG
(sdg-build ``ProgressMeasure``). Targets to reach are judged by R = observed / required compound
annual growth; direction-only targets by the signed observed growth against fixed thresholds.

Everything is computed on a dense cube ``series × years`` with numpy: the only Python loops run over
the (at most eleven) plan years, never over observations.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from ..checks import REACH, RISE
from ..rules import MethodSettings, RuleSet
from .statuses import STATUSES
from .targets import TargetTable, build_targets

GROWTH_EPSILON = 1e-12
# Where a pair's baseline comes from, in the order the engine prefers them.
BASELINE_SOURCES = ("data", "plan", "first_value", "none")


def observation_cube(rules: RuleSet, obs: pd.DataFrame, areas: list[str]) -> np.ndarray:
    """Scatter long observations (area, indicator, year, value) into ``areas × series × years``."""
    s = rules.settings
    series = list(rules.indicators) + list(rules.context_series)
    years = np.arange(s.plan_period.start, s.plan_period.end + 1)
    cube = np.full((len(areas), len(series), len(years)), np.nan)
    if obs is None or obs.empty:
        return cube
    a = _positions(obs["area"], areas)
    i = _positions(obs["indicator"], series)
    y = obs["year"].to_numpy(dtype=np.int64) - years[0]
    ok = (a >= 0) & (i >= 0) & (y >= 0) & (y < len(years))
    # One flat position per observation: a 1-D scatter is much cheaper than a 3-D fancy index.
    flat = (a * len(series) + i) * len(years) + y
    values = obs["value"].to_numpy(dtype=float)
    if ok.all():
        cube.reshape(-1)[flat] = values
    else:
        cube.reshape(-1)[flat[ok]] = values[ok]
    return cube


def _positions(column: pd.Series, known: list[str]) -> np.ndarray:
    """Position of each value in ``known`` (-1 if absent): hash the few distinct values, not every row."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        # Already coded (the demo generator, the store): only the categories need looking up.
        codes, uniques = column.cat.codes.to_numpy(), column.cat.categories
    else:
        codes, uniques = pd.factorize(column, sort=False)
    lookup = pd.Index(known).get_indexer(pd.Index(uniques).astype(str))
    return np.where(codes >= 0, lookup[codes], -1).astype(np.int64)


def _ffill_index(valid: np.ndarray) -> np.ndarray:
    """For each cell, the column index of the latest valid cell at or before it (-1 if none)."""
    idx = np.where(valid, np.arange(valid.shape[1], dtype=np.int64)[None, :], -1)
    # A loop over the (at most eleven) year columns: several times faster than ``accumulate(axis=1)``,
    # which walks each short row on its own.
    for k in range(1, idx.shape[1]):
        np.maximum(idx[:, k - 1], idx[:, k], out=idx[:, k])
    return idx


def _or_so_far(m: np.ndarray) -> np.ndarray:
    """Row-wise running OR along the years (``logical_or.accumulate(axis=1)``, column by column)."""
    out = m.copy()
    for k in range(1, out.shape[1]):
        np.logical_or(out[:, k - 1], out[:, k], out=out[:, k])
    return out


def _sum_so_far(m: np.ndarray) -> np.ndarray:
    """Row-wise running sum along the years, added in year order (the same numbers as ``cumsum``)."""
    out = m.astype(float, copy=True)
    for k in range(1, out.shape[1]):
        np.add(out[:, k - 1], out[:, k], out=out[:, k])
    return out


class _AsOf:
    """Picks, per row, the cell in column ``col`` (NaN / False where ``col`` is -1).

    The flat positions are computed once and reused for every matrix read at the same columns:
    a plain 1-D take is an order of magnitude faster than ``take_along_axis``.
    """

    def __init__(self, col: np.ndarray):
        n_rows, n_cols = col.shape
        self.has = col >= 0
        self.flat = np.arange(n_rows)[:, None] * n_cols + np.where(self.has, col, 0)

    def values(self, m: np.ndarray) -> np.ndarray:
        return np.where(self.has, np.take(m, self.flat), np.nan)

    def flags(self, m: np.ndarray) -> np.ndarray:
        return self.has & np.take(m, self.flat)


def _grade(conditions: list[np.ndarray]) -> np.ndarray:
    """1 where the first condition holds, 2 where the second is the first to hold, …, else len+1.

    ``np.select``'s first-true-wins rule, computed by counting: once each condition is widened to
    include the ones before it, the grade is ``len + 1`` minus the number that hold. Adding boolean
    arrays viewed as bytes is far faster on large grids than ``select`` or masked assignment.
    """
    grade = np.full(conditions[0].shape, len(conditions) + 1, dtype=np.int8)
    so_far = np.zeros(conditions[0].shape, dtype=bool)
    for cond in conditions:
        so_far = so_far | cond
        grade -= so_far.view(np.int8)
    return grade


def _growth(cur, base, t1, t0, zero, replace_end: bool = False):
    """Compound annual growth rate (NaN where undefined), with Open SDG's zero replacement.

    Open SDG replaces a zero *base* (and a zero *target*, the end point of the required growth:
    ``replace_end``) by ``zero``; a current value of zero is used as it is (growth −100 %).
    """
    base = np.where(base == 0, zero, base)
    if replace_end:
        cur = np.where(cur == 0, zero, cur)
    span = t1 - t0
    with np.errstate(all="ignore"):
        # exp(log(r)/span) is the same number as r**(1/span) and several times faster on arrays.
        g = np.expm1(np.log(cur / base) / span)
    # A growth below 1e-12 a year is rounding, not change (a mean of 3.1 and 2.96 is 3.0300000000000002):
    # counted as none, so a value that stands still is judged the same by every correct implementation.
    g = np.where(np.abs(g) < GROWTH_EPSILON, 0.0, g)
    return np.where(span > 0, g, np.nan)


def _evaluate_block(s, tt_all: TargetTable, cube: np.ndarray, lo: int, hi: int, n_i: int) -> dict:
    """The method for the pairs ``lo:hi`` (whole areas), on ``cube`` = those areas' observations."""
    tt = tt_all.rows(lo, hi)
    start = s.plan_period.start
    ny = s.plan_period.end - start + 1
    P = hi - lo
    raw = cube[:, :n_i, :].reshape(P, ny)
    zero = s.zero_replacement
    method = s.method
    smooth = tt.smooth if method.smoothing else np.ones_like(tt.smooth)
    strict = tt.strict & method.strict_boundary

    # Rare-event rates: judge the mean of the last k observed years, at years that have a value.
    judged = raw.copy()
    k_max = int(smooth.max()) if P else 1
    smoothed_flag = np.zeros((P, ny), dtype=bool)
    if k_max > 1:
        rows = smooth > 1
        sub = raw[rows]
        present = ~np.isnan(sub)
        k = smooth[rows][:, None, None]
        # Sum each window of the last k years in year order, as a person would: running-sum differences
        # drift by a unit in the last place, and a mean of exactly 0.1 must not read as 0.0999… < 0.1.
        padded = np.concatenate([np.zeros((sub.shape[0], k_max - 1)), np.nan_to_num(sub)], axis=1)
        counts = np.concatenate([np.zeros((sub.shape[0], k_max - 1)), present.astype(float)], axis=1)
        age = np.arange(k_max - 1, -1, -1)[None, None, :]  # 0 = the year itself
        in_window = age < k
        tot = np.where(in_window, sliding_window_view(padded, k_max, axis=1), 0.0).sum(axis=2)
        cnt = np.where(in_window, sliding_window_view(counts, k_max, axis=1), 0.0).sum(axis=2)
        with np.errstate(all="ignore"):
            mean = tot / cnt
        judged[rows] = np.where(present, mean, np.nan)
        smoothed_flag[rows] = present & (cnt > 1)

    valid = ~np.isnan(judged)
    last = _ffill_index(valid)  # P × ny: latest observed column as of each year
    as_of = _AsOf(last)
    cur = as_of.values(judged)
    cur_year = np.where(last >= 0, start + last, -1).astype(float)

    # Baseline: own value in the baseline year, else the printed plan baseline, else first value.
    b0 = s.baseline_year - start
    first = np.full(P, -1)
    for col in range(ny - 1, -1, -1):  # the earliest observed column: years right to left
        first[valid[:, col]] = col
    own = judged[:, b0] if 0 <= b0 < ny else np.full(P, np.nan)
    first_val = np.where(first >= 0, judged[np.arange(P), np.clip(first, 0, None)], np.nan)
    base = np.where(~np.isnan(own), own, np.where(~np.isnan(tt.plan_base), tt.plan_base, first_val))
    base_year = np.where(
        ~np.isnan(own) | ~np.isnan(tt.plan_base), s.baseline_year, np.where(first >= 0, start + first, np.nan)
    ).astype(float)
    # Where the baseline came from, as a code into BASELINE_SOURCES (strings are labelled at the end).
    base_src = _grade([~np.isnan(own), ~np.isnan(tt.plan_base), first >= 0]) - 1
    # One baseline per pair: a column that numpy broadcasts across the years, never a copied grid.
    B = base[:, None]
    BY = base_year[:, None]

    # Reference targets: the referenced series in the same area, as of the same year.
    refval = np.full((P, ny), np.nan)
    has_ref = tt.ref >= 0
    if has_ref.any():
        full = cube
        fvalid = ~np.isnan(full)
        ref_rows = np.nonzero(has_ref)[0]
        a_idx = ref_rows // n_i
        src = full[a_idx, tt.ref[ref_rows], :]
        refval[ref_rows] = _AsOf(_ffill_index(fvalid[a_idx, tt.ref[ref_rows], :])).values(src)

    # ---------------------------------------------------------------- reach-a-value targets
    d = tt.d[:, None]
    T = tt.tval[:, None]
    # 得到控制 / maintain: the value to reach is the baseline plus a (signed) offset.
    T = np.where(tt.from_baseline[:, None], B + tt.offset[:, None], T)
    T = np.where(has_ref[:, None] & ~tt.ref_about[:, None], refval, T)
    centre = tt.centre[:, None]
    half = tt.half[:, None]
    ref_about = (has_ref & tt.ref_about)[:, None]
    centre = np.where(ref_about, refval, centre)
    half = np.where(ref_about, tt.half[:, None] * np.abs(refval), half)
    dist = ~np.isnan(centre)  # about/band: distance transform (Open SDG)
    yt = np.where(dist, centre + np.abs(cur - centre), cur)
    bt = np.where(dist, centre + np.abs(B - centre), B)
    # Ours: aim at the edge of the tolerance (inside it counts as met); Open SDG's transform: the centre.
    Tt = np.where(dist, centre + (half if method.aim == "tolerance" else 0.0), T)
    target_value = np.where(dist & ~np.isnan(tt.tval[:, None]), tt.tval[:, None], np.where(dist, np.nan, T))
    with np.errstate(invalid="ignore"):
        beyond = d * (yt - Tt)
        met_reach = np.where(strict[:, None], beyond > 0, beyond >= 0)
    # Growth on the raw scale serves every row; only distance-transformed rows need their own.
    g_raw = _growth(cur, B, cur_year, BY, zero)
    g_obs = g_raw.copy()
    drows = np.nonzero(dist[:, 0] | dist[:, -1])[0]
    if len(drows):
        g_obs[drows] = _growth(yt[drows], bt[drows], cur_year[drows], BY[drows], zero)
    # The required growth is one number per pair, except for targets that follow another series.
    g_req = np.broadcast_to(
        _growth(Tt[:, -1:], bt[:, -1:], float(s.target_year), BY[:, -1:], zero, replace_end=True), (P, ny)
    ).copy()
    varying = np.nonzero(has_ref)[0]
    if len(varying):
        g_req[varying] = _growth(Tt[varying], bt[varying], float(s.target_year), BY[varying], zero, replace_end=True)
    sign = np.where(bt < 0, -1.0, 1.0)
    with np.errstate(all="ignore"):
        R = np.where(np.abs(g_req) > 1e-12, sign * d * g_obs / np.abs(g_req), np.where(d * g_obs > 0, np.inf, -np.inf))
    tht = s.target_thresholds
    st_reach = _grade([tht.on_track <= R, tht.needs_acceleration <= R, tht.limited <= R])
    st_reach = np.where(met_reach, 0, st_reach)
    with np.errstate(all="ignore"):
        # Progress toward the target only means something while the baseline is short of it.
        base_short = d * (bt - Tt) < 0
        progress_reach = np.where(base_short & (np.abs(Tt - bt) > 1e-12), (yt - bt) / (Tt - bt) * 100, np.nan)

    # ---------------------------------------------------------------- direction-only targets
    with np.errstate(invalid="ignore"):
        P_dir = sign * d * g_raw
    # Open SDG's scaling factor near a natural limit depends only on the pair's baseline.
    use_lim = ~np.isnan(tt.limit) & (tt.d > 0)
    a_exp = s.no_target_thresholds.limit_exponent
    with np.errstate(all="ignore"):
        babs, labs = np.abs(base), np.abs(tt.limit)
        coeff_pair = np.where(
            babs >= 2 * labs,
            1.0,
            np.where(babs <= labs, 1 - (babs / labs) ** a_exp, 1 - ((2 * labs - babs) / labs) ** a_exp),
        )
    coeff = np.where(use_lim, coeff_pair, 1.0)[:, None]
    ntt = s.no_target_thresholds
    st_dir = _grade([P_dir >= ntt.on_track * coeff, P_dir >= ntt.needs_acceleration * coeff, P_dir >= ntt.limited])
    st_dir = np.where((coeff == 0) & (P_dir >= 0), 1, st_dir)
    with np.errstate(invalid="ignore"):
        change = d * (cur - B) - tt.margin[:, None] * np.abs(B)
        met_dir = change > 0
    # 逐年提高: a fall between two consecutive observed values breaks the target for good.
    prev = np.concatenate([np.full((P, 1), -1), last[:, :-1]], axis=1)
    prev_at = _AsOf(prev)
    prev_val = prev_at.values(judged)
    fell_here = valid & (prev >= 0) & (judged < prev_val)
    ever_fell = _or_so_far(fell_here)
    is_rise = (tt.family == RISE)[:, None]
    met_dir = np.where(is_rise, met_dir & ~ever_fell, met_dir)
    if method.rise_dip_cap:
        st_dir = np.where(is_rise & ever_fell & (st_dir == 1), 2, st_dir)
    year_grid = (start + np.arange(ny))[None, :]

    # ---------------------------------------------------------------- combine
    reach = (tt.family == REACH)[:, None]
    status = np.where(reach, st_reach, st_dir)
    met = np.where(reach, met_reach, met_dir)
    margin = np.where(reach, np.where(dist, Tt - yt, beyond), change)
    ratio = np.where(reach, R, P_dir)
    progress_pct = np.where(reach, progress_reach, np.nan)
    no_value = np.isnan(cur)
    single = ~no_value & (cur_year <= BY)
    ref_missing = has_ref[:, None] & np.isnan(refval) & ~no_value
    unknown = no_value | ref_missing | np.isnan(B)
    # One point in time says nothing about a trend: only an already-met target is judged.
    status = np.where(unknown | (single & (status != 0)), 5, status)
    met = np.where(unknown, False, met)
    # At the deadline the only honest answers are met or not met — judged on a value of that year
    # itself; a value carried from an earlier year says nothing about the deadline (no data).
    final = year_grid >= s.target_year
    final_status = np.where(cur_year >= s.target_year, np.where(met, 0, 6), 5)
    if method.deadline_rule:
        status = np.where(final & ~unknown, final_status, status)

    # Projection to the deadline: the observed growth continued (linear where growth is undefined).
    horizon = s.target_year - cur_year
    with np.errstate(all="ignore"):
        proj_exp = cur * np.exp(np.log1p(g_raw) * horizon)
        slope = (cur - B) / (cur_year - BY)
        proj_lin = cur + slope * horizon
    projected = np.where(~np.isnan(g_raw), proj_exp, np.where(cur_year > BY, proj_lin, np.nan))
    # A projection never leaves the indicator's valid range (a coverage rate stops at 100 %).
    # (min/max against ±inf where a bound is absent; a NaN projection stays NaN.)
    vmax = np.where(np.isnan(tt.vmax), np.inf, tt.vmax)[:, None]
    vmin = np.where(np.isnan(tt.vmin), -np.inf, tt.vmin)[:, None]
    projected = np.maximum(np.minimum(projected, vmax), vmin)
    pt = np.where(dist, centre + np.abs(projected - centre), projected)
    with np.errstate(invalid="ignore"):
        proj_ok_reach = np.where(strict[:, None], d * (pt - Tt) > 0, d * (pt - Tt) >= 0)
        proj_ok_dir = d * (projected - B) - tt.margin[:, None] * np.abs(B) > 0
    proj_ok = np.where(reach, proj_ok_reach, proj_ok_dir)
    has_proj = ~np.isnan(projected) & ~unknown
    # The warning follows the status, never contradicts it: "will miss" only where the status says
    # progress is short of the pace (R < 0.95: needs acceleration, limited, deterioration). An
    # on-track row whose projection ends just short (R in [0.95, 1)) says exactly that instead.
    will_miss = has_proj & ~proj_ok & (status >= 2) & (status <= 4)
    near_miss = has_proj & ~proj_ok & (status == 1)
    # A target met at an earlier observed year and missed now has slipped below it, whatever the
    # trend from the baseline says (86 → 84 on ≥85): a projection from the baseline cannot see it.
    met_seen = valid & met_reach & reach
    met_before = np.concatenate([np.zeros((P, 1), dtype=bool), _or_so_far(met_seen)[:, :-1]], 1)
    fell_below = reach & met_before & ~met_reach & ~unknown
    # Achieved but the latest change went the wrong way, or the trend leaves the target by 2030.
    with np.errstate(invalid="ignore"):
        worsened = valid & (prev >= 0) & (d * (judged - prev_val) < 0)
    worsened_asof = as_of.flags(worsened)
    may_slip = (status == 0) & (worsened_asof | (has_proj & ~proj_ok))

    # Unusual swing: the latest per-year change against the series' usual (mean absolute) change
    # before it. Running sums keep this O(cells); a median would need a sort per year.
    with np.errstate(all="ignore"):
        step = np.where(
            valid & (prev >= 0), np.abs(raw - prev_at.values(raw)) / (np.arange(ny)[None, :] - prev), np.nan
        )
    has_step = ~np.isnan(step)
    run_sum = _sum_so_far(np.where(has_step, step, 0.0))
    run_cnt = _sum_so_far(has_step)
    prior_sum = np.concatenate([np.zeros((P, 1)), run_sum[:, :-1]], axis=1)
    prior_cnt = np.concatenate([np.zeros((P, 1)), run_cnt[:, :-1]], axis=1)
    fl = s.flags
    with np.errstate(all="ignore"):
        usual = prior_sum / prior_cnt
        swing_at = (prior_cnt >= fl.swing_min_changes) & (step > fl.swing_multiple * np.maximum(usual, 1e-9))
    swing = as_of.flags(swing_at)
    data_gap = (last < 0) | ((np.arange(ny)[None, :] - last) >= fl.gap_years)
    smoothed = as_of.flags(smoothed_flag)

    return {
        "cur": cur,
        "cur_year": cur_year,
        "value_year": np.where(cur_year > 0, cur_year, np.nan),
        "base": base,
        "base_year": base_year,
        "base_src": base_src,
        "target_value": target_value,
        "met": met,
        "margin": np.where(unknown, np.nan, margin),
        "progress_pct": np.where(unknown | (status == 5), np.nan, progress_pct),
        "projected": np.where(unknown, np.nan, projected),
        "ratio": np.where(unknown, np.nan, ratio),
        "status": status.astype(np.int8),
        "will_miss": will_miss,
        "near_miss": near_miss,
        "fell_below": fell_below,
        "may_slip": may_slip,
        "swing": swing & ~np.isnan(cur),
        "data_gap": data_gap,
        "single": single,
        "smoothed": smoothed,
        "reference_missing": ref_missing,
        "ref_missing": ref_missing,
    }


_BLOCK_AREAS = 64  # areas per block: keeps each block's arrays in the CPU cache


def evaluate(
    rules: RuleSet,
    obs: pd.DataFrame,
    years: list[int] | None = None,
    areas: list[str] | None = None,
    method: MethodSettings | None = None,
) -> pd.DataFrame:
    """Evaluate observations against the rules.

    ``obs`` is a long frame with columns ``area, indicator, year, value``. Returns one row per
    area × indicator × year (``years`` defaults to every plan year up to the latest observed one),
    with the resolved target, met, margin, progress %, projection, status and flag columns.
    ``method`` replaces the rules' ``settings.method`` (``PUBLISHED_METHOD``: Open SDG unadapted).
    """
    s = rules.settings if method is None else rules.settings.model_copy(update={"method": method})
    areas = list(areas) if areas is not None else list(rules.areas)
    start = s.plan_period.start
    ny = s.plan_period.end - start + 1
    tt = build_targets(rules, areas)
    n_a, n_i = len(areas), len(tt.indicators)
    P = n_a * n_i
    cube = observation_cube(rules, obs, areas)

    # Areas are independent: evaluate them in blocks (cache-sized arrays), on all cores
    # (numpy releases the GIL inside its loops), then stitch the blocks together.
    bounds = [(a0, min(a0 + _BLOCK_AREAS, n_a)) for a0 in range(0, max(n_a, 1), _BLOCK_AREAS)]
    r: dict[str, np.ndarray] = {}

    def run(bound):
        lo, hi = bound[0] * n_i, bound[1] * n_i
        for key, arr in _evaluate_block(s, tt, cube[bound[0] : bound[1]], lo, hi, n_i).items():
            if key not in r:  # first block to finish allocates; the dict insert is atomic under the GIL
                r.setdefault(key, np.empty((P, *arr.shape[1:]), dtype=arr.dtype))
            r[key][lo:hi] = arr

    with ThreadPoolExecutor(max_workers=min(os.cpu_count() or 1, 4)) as pool:
        list(pool.map(run, bounds))
    # The observed values straight from the cube (one copy, not one per block and another to stitch).
    raw = cube[:, :n_i, :].reshape(P, ny)
    cur, cur_year, base, base_year, base_src = (
        r["cur"],
        r["cur_year"],
        r["base"],
        r["base_year"],
        r["base_src"],
    )
    target_value, met, margin, progress_pct, projected, ratio, status = (
        r["target_value"],
        r["met"],
        r["margin"],
        r["progress_pct"],
        r["projected"],
        r["ratio"],
        r["status"],
    )
    near_miss, fell_below = r["near_miss"], r["fell_below"]
    will_miss, may_slip, swing, data_gap, single, smoothed, ref_missing = (
        r["will_miss"],
        r["may_slip"],
        r["swing"],
        r["data_gap"],
        r["single"],
        r["smoothed"],
        r["ref_missing"],
    )
    # ---------------------------------------------------------------- assemble the long frame
    if years is None:  # every plan year up to the latest observed one (cur_year is -1 where none)
        latest = int(cur_year.max()) if cur_year.size else -1
        years = list(range(start, max(latest, start) + 1))
    wanted = np.array(years, dtype=int)
    wanted = wanted[(wanted >= start) & (wanted < start + ny)]
    cols = wanted - start
    n_y = len(cols)
    all_years = n_y == ny and bool((cols == np.arange(ny)).all())

    def pick(m):
        # A reshape of the full grid is a view; only a subset of years needs a copy.
        return m.reshape(-1) if all_years else m[:, cols].reshape(-1)

    def per_pair(codes: np.ndarray, categories) -> pd.Categorical:
        # Strings repeat per pair: stored once as categories, indexed by small codes (already valid).
        return pd.Categorical.from_codes(np.repeat(codes, n_y), categories=categories, validate=False)

    pair_area = np.repeat((np.arange(P) // n_i).astype(np.int32), n_y)
    pair_ind = np.repeat((np.arange(P) % n_i).astype(np.int16), n_y)
    names = [rules.area_name(a) for a in areas]
    area_names = (
        pd.Categorical.from_codes(pair_area, categories=names)
        if len(set(names)) == len(names)
        else np.array(names, dtype=object)[pair_area]
    )
    out = pd.DataFrame(
        {
            "area_code": pd.Categorical.from_codes(pair_area, categories=areas),
            "area_name": area_names,
            "indicator": pd.Categorical.from_codes(pair_ind, categories=tt.indicators),
            "year": np.tile(start + cols, P),
            "value": pick(raw),
            "value_used": pick(cur),
            "value_year": pick(r["value_year"]),
            "baseline": np.repeat(base, n_y),
            "baseline_year": np.repeat(base_year, n_y),
            "baseline_source": per_pair(base_src, BASELINE_SOURCES),
            "target_text": per_pair(tt.text.codes, tt.text.categories),
            "check_kind": per_pair(tt.kind.codes, tt.kind.categories),
            "target_value": pick(target_value),
            "target_source": per_pair(tt.source.codes, tt.source.categories),
            "attribute": per_pair(tt.attribute.codes, tt.attribute.categories),
            "met": pick(met),
            "margin": pick(margin),
            "progress_pct": pick(progress_pct),
            "projected_2030": pick(projected),
            "ratio": pick(ratio),
            "status": pd.Categorical.from_codes(pick(status), categories=STATUSES),
            "will_miss": pick(will_miss),
            "near_miss": pick(near_miss),
            "fell_below": pick(fell_below),
            "may_slip": pick(may_slip),
            "swing": pick(swing),
            "data_gap": pick(data_gap),
            "single_point": pick(single),
            "smoothed": pick(smoothed),
            "reference_missing": pick(ref_missing),
        },
        copy=False,
    )
    if tt.applicable is not None:
        # Another area's added indicators and those an area does not monitor are none of its rows.
        out = out[np.repeat(tt.applicable, n_y)].reset_index(drop=True)
    return out
