"""The progress engine: for every area × indicator × year, where the plan stands.

Method (docs/method.md): Statistics Canada's progress measure as implemented by Open SDG
(sdg-build ``ProgressMeasure``). Targets to reach are judged by R = observed / required compound
annual growth; direction-only targets by the signed observed growth against fixed thresholds.

Everything is computed on a dense cube ``series × years`` with numpy: the only Python loops run over
the (at most eleven) plan years, never over observations. A target is one value per pair except
where it follows another series (``reference``): the blocks of areas keep targets as per-pair
columns, and those few pairs are judged again in a pass of their own with per-year targets.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

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
    values = obs["value"].to_numpy(dtype=float)
    # One flat position per observation: a 1-D scatter is much cheaper than a 3-D fancy index.
    # Computed in place: each pass over millions of rows costs as much as the scatter itself.
    flat = a * len(series)
    flat += i
    flat *= len(years)
    flat += y
    # Four reductions tell whether any row falls outside; the mask is built only when one does.
    if a.min() < 0 or i.min() < 0 or y.min() < 0 or y.max() >= len(years):
        ok = (a >= 0) & (i >= 0) & (y >= 0) & (y < len(years))
        flat, values = flat[ok], values[ok]
    cube.reshape(-1)[flat] = values
    return cube


def _positions(column: pd.Series, known: list[str]) -> np.ndarray:
    """Position of each value in ``known`` (-1 if absent): hash the few distinct values, not every row."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        # Already coded (the demo generator, the store): only the categories need looking up.
        codes, uniques = column.cat.codes.to_numpy(), column.cat.categories
    else:
        codes, uniques = pd.factorize(column, sort=False)
    lookup = pd.Index(known).get_indexer(pd.Index(uniques).astype(str))
    if (lookup == np.arange(len(lookup))).all():
        # Coded in the rules' own order (the demo generator): each code is its position already,
        # and a cast is several times cheaper than looking every row up.
        return codes.astype(np.int64, copy=False)  # never written to
    # A -1 appended: the code -1 (a missing value) indexes it from the end, so one take serves all.
    return np.append(lookup, -1).astype(np.int64)[codes]


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


def _any_before(m: np.ndarray) -> np.ndarray:
    """Row-wise: whether ``m`` held in any earlier year (False in the first), column by column."""
    out = np.empty(m.shape, dtype=bool)
    out[:, :1] = False
    for k in range(1, m.shape[1]):
        np.logical_or(out[:, k - 1], m[:, k - 1], out=out[:, k])
    return out


def _sum_before(m: np.ndarray) -> np.ndarray:
    """Row-wise sum over the earlier years (0 in the first), added in year order (as ``cumsum`` does)."""
    out = np.empty(m.shape, dtype=float)
    out[:, :1] = 0.0
    for k in range(1, m.shape[1]):
        np.add(out[:, k - 1], m[:, k - 1], out=out[:, k])
    return out


class _AsOf:
    """Picks, per row, the cell in column ``col`` (NaN / False where ``col`` is -1).

    The flat positions are computed once and reused for every matrix read at the same columns:
    a plain 1-D take is an order of magnitude faster than ``take_along_axis``.
    """

    def __init__(self, col: np.ndarray):
        n_rows, n_cols = col.shape
        self.has = col >= 0
        # (col is -1 where there is none: ``maximum`` reads column 0 there, as a ``where`` would.)
        self.flat = np.arange(n_rows)[:, None] * n_cols + np.maximum(col, 0)

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


def _growth(cur, base, span, zero, replace_end: bool = False):
    """Compound annual growth rate over ``span`` years (NaN where undefined), with Open SDG's zero replacement.

    Open SDG replaces a zero *base* (and a zero *target*, the end point of the required growth:
    ``replace_end``) by ``zero``; a current value of zero is used as it is (growth −100 %).
    """
    base = np.where(base == 0, zero, base)
    if replace_end:
        cur = np.where(cur == 0, zero, cur)
    with np.errstate(all="ignore"):
        # exp(log(r)/span) is the same number as r**(1/span) and several times faster on arrays.
        # In place: one grid instead of a fresh temporary per step.
        g = cur / base
        np.log(g, out=g)
        g /= span
        np.expm1(g, out=g)
    # A growth below 1e-12 a year is rounding, not change (a mean of 3.1 and 2.96 is 3.0300000000000002):
    # counted as none, so a value that stands still is judged the same by every correct implementation.
    np.copyto(g, 0.0, where=np.abs(g) < GROWTH_EPSILON)
    np.copyto(g, np.nan, where=~(span > 0))
    return g


def _pace(g_req, sign, d, g_obs):
    """R: the observed growth against the required one (±inf where none is required)."""
    with np.errstate(all="ignore"):
        R = sign * d * g_obs / np.abs(g_req)
        none = ~(np.abs(g_req) > 1e-12)  # NaN included
        if none.shape[1] == 1:
            # One required growth per pair: only the pairs without one are patched, not every cell
            # chosen by a full-grid ``where``.
            rows = np.nonzero(none[:, 0])[0]
            if len(rows):
                R[rows] = np.where(d[rows] * g_obs[rows] > 0, np.inf, -np.inf)
            return R
        return np.where(none, np.where(d * g_obs > 0, np.inf, -np.inf), R)


def _where_rows(cond: np.ndarray, value, other: np.ndarray) -> np.ndarray:
    """``np.where(cond, value, other)`` for a per-pair ``cond`` column: only the chosen rows computed.

    ``value`` is a function of the chosen row indices, so the rows not chosen cost nothing.
    """
    rows = np.nonzero(cond[:, 0])[0]
    if not len(rows):
        return other
    out = other.copy()
    out[rows] = value(rows)
    return out


def _evaluate_block(s, tt: TargetTable, raw: np.ndarray, refval: np.ndarray | None) -> dict:
    """The method for the pairs of ``tt``, whose observed values are ``raw`` (pairs × years).

    ``refval`` is, for targets that follow another series, that series as of each year. Without it
    (``None``) every target is one value per pair and the per-pair quantities below are columns
    that numpy broadcasts across the years; rows whose target follows another series are then
    wrong and must be judged again with their ``refval``. With it, the same code runs on grids.
    An output may be a column or a scalar: the caller broadcasts it across the years.
    """
    start = s.plan_period.start
    ny = s.plan_period.end - start + 1
    P = raw.shape[0]
    zero = s.zero_replacement
    method = s.method
    smooth = tt.smooth if method.smoothing else np.ones_like(tt.smooth)
    strict = tt.strict & method.strict_boundary

    # Rare-event rates: judge the mean of the last k observed years, at years that have a value.
    k_max = int(smooth.max()) if P else 1
    # Read-only unless smoothing rewrites rows: a copy only then (the published method has none).
    judged = raw.copy() if k_max > 1 else raw
    smoothed_flag = np.zeros((P, ny), dtype=bool)
    if k_max > 1:
        rows = smooth > 1
        sub = raw[rows]
        present = ~np.isnan(sub)
        k = smooth[rows][:, None]
        # Sum each window of the last k years in year order, as a person would: running-sum differences
        # drift by a unit in the last place, and a mean of exactly 0.1 must not read as 0.0999… < 0.1.
        padded = np.concatenate([np.zeros((sub.shape[0], k_max - 1)), np.nan_to_num(sub)], axis=1)
        counts = np.concatenate([np.zeros((sub.shape[0], k_max - 1)), present.astype(float)], axis=1)
        # Added oldest first, one window position at a time on the grid (no years × window array):
        # the order of the per-cell reference's ``sum``, and of numpy's sum over a window axis of
        # fewer than eight terms (the rules allow at most five years).
        tot = np.where(k_max - 1 < k, padded[:, :ny], 0.0)
        cnt = np.where(k_max - 1 < k, counts[:, :ny], 0.0)
        for j in range(1, k_max):
            age = k_max - 1 - j  # 0 = the year itself
            tot += np.where(age < k, padded[:, j : j + ny], 0.0)
            cnt += np.where(age < k, counts[:, j : j + ny], 0.0)
        with np.errstate(all="ignore"):
            mean = tot / cnt
        judged[rows] = np.where(present, mean, np.nan)
        smoothed_flag[rows] = present & (cnt > 1)

    valid = ~np.isnan(judged)
    last = _ffill_index(valid)  # P × ny: latest observed column as of each year
    as_of = _AsOf(last)
    # No value up to a year means none in the first year either: the cell read there is NaN already.
    cur = np.take(judged, as_of.flat)
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

    # ---------------------------------------------------------------- reach-a-value targets
    d = tt.d[:, None]
    T = tt.tval[:, None]
    # 得到控制 / maintain: the value to reach is the baseline plus a (signed) offset.
    T = np.where(tt.from_baseline[:, None], B + tt.offset[:, None], T)
    centre = tt.centre[:, None]
    half = tt.half[:, None]
    has_ref = (tt.ref >= 0)[:, None]
    if refval is not None:
        # Reference targets: the referenced series in the same area, as of the same year.
        T = np.where(has_ref & ~tt.ref_about[:, None], refval, T)
        ref_about = has_ref & tt.ref_about[:, None]
        centre = np.where(ref_about, refval, centre)
        half = np.where(ref_about, tt.half[:, None] * np.abs(refval), half)
    dist = ~np.isnan(centre)  # about/band: distance transform (Open SDG)
    if dist.shape[1] == 1:
        # Few pairs are distance-transformed: the others keep their own values, without a grid ``where``.
        yt = _where_rows(dist, lambda r: centre[r] + np.abs(cur[r] - centre[r]), cur)
    else:
        yt = np.where(dist, centre + np.abs(cur - centre), cur)
    bt = np.where(dist, centre + np.abs(B - centre), B)
    # Ours: aim at the edge of the tolerance (inside it counts as met); Open SDG's transform: the centre.
    Tt = np.where(dist, centre + (half if method.aim == "tolerance" else 0.0), T)
    target_value = np.where(dist & ~np.isnan(tt.tval[:, None]), tt.tval[:, None], np.where(dist, np.nan, T))
    # A boundary value meets a target unless it is strict: ``where(strict, x > 0, x >= 0)`` as bit
    # operations, which numpy runs several times faster than a ``where`` on a grid of booleans.
    loose = ~strict[:, None]
    with np.errstate(invalid="ignore"):
        beyond = d * (yt - Tt)
        met_reach = (beyond > 0) | (loose & (beyond == 0))
    # Growth on the raw scale serves every row; only distance-transformed rows need their own.
    # Years from the baseline to the value judged: shared by the growth and the linear projection.
    span = cur_year - BY
    g_raw = _growth(cur, B, span, zero)
    drows = np.nonzero(dist[:, 0] | dist[:, -1])[0]
    if len(drows):
        g_obs = g_raw.copy()
        g_obs[drows] = _growth(yt[drows], bt[drows], span[drows], zero)
    else:
        g_obs = g_raw
    sign = np.where(bt < 0, -1.0, 1.0)

    # The required growth: one number per pair (a column), or per year where the target follows
    # another series.
    g_req = _growth(Tt, bt, float(s.target_year) - BY, zero, replace_end=True)
    R = _pace(g_req, sign, d, g_obs)
    tht = s.target_thresholds
    st_reach = _grade([tht.on_track <= R, tht.needs_acceleration <= R, tht.limited <= R])
    st_reach *= ~met_reach  # a met target is achieved (0): the grade times "not met"
    reach = (tt.family == REACH)[:, None]
    with np.errstate(all="ignore"):
        # Progress toward the target only means something while the baseline is short of it.
        base_short = d * (bt - Tt) < 0
        # Only targets to reach have a progress percentage.
        progress_pct = np.where(reach & base_short & (np.abs(Tt - bt) > 1e-12), (yt - bt) / (Tt - bt) * 100, np.nan)

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
    np.copyto(st_dir, 1, where=(coeff == 0) & (P_dir >= 0))
    with np.errstate(invalid="ignore"):
        change = d * (cur - B) - tt.margin[:, None] * np.abs(B)
        met_dir = change > 0
    # 逐年提高: a fall between two consecutive observed values breaks the target for good.
    prev = np.empty_like(last)
    prev[:, :1] = -1
    prev[:, 1:] = last[:, :-1]
    prev_at = _AsOf(prev)
    prev_val = prev_at.values(judged)
    # (A comparison with NaN is false: no value this year or none before it is no fall.)
    fell_here = judged < prev_val
    ever_fell = _or_so_far(fell_here)
    rise_broken = (tt.family == RISE)[:, None] & ever_fell
    met_dir &= ~rise_broken
    if method.rise_dip_cap:
        st_dir += rise_broken & (st_dir == 1)  # on track (1) becomes needs acceleration (2)

    # ---------------------------------------------------------------- combine
    status = np.where(reach, st_reach, st_dir)
    met = (reach & met_reach) | (~reach & met_dir)
    if dist.shape[1] == 1:
        margin = np.where(reach, _where_rows(dist, lambda r: Tt[r] - yt[r], beyond), change)
    else:
        margin = np.where(reach, np.where(dist, Tt - yt, beyond), change)
    ratio = np.where(reach, R, P_dir)
    no_value = np.isnan(cur)
    single = ~no_value & (cur_year <= BY)
    ref_missing = (has_ref & np.isnan(refval) & ~no_value) if refval is not None else np.zeros((1, 1), dtype=bool)
    unknown = no_value | ref_missing | np.isnan(B)
    # One point in time says nothing about a trend: only an already-met target is judged.
    np.copyto(status, 5, where=unknown | (single & (status != 0)))
    met &= ~unknown
    # At the deadline the only honest answers are met or not met — judged on a value of that year
    # itself; a value carried from an earlier year says nothing about the deadline (no data).
    # Only the columns from the deadline on are looked at (one of eleven, not the grid).
    k0 = max(s.target_year - start, 0)
    if method.deadline_rule and k0 < ny:
        at_end = cur_year[:, k0:] >= s.target_year
        final_status = np.where(at_end, np.where(met[:, k0:], 0, 6), 5)
        status[:, k0:] = np.where(~unknown[:, k0:], final_status, status[:, k0:])

    # Projection to the deadline: the observed growth continued (linear where growth is undefined).
    horizon = s.target_year - cur_year
    with np.errstate(all="ignore"):
        proj_exp = cur * np.exp(np.log1p(g_raw) * horizon)
        slope = (cur - B) / span
        proj_lin = cur + slope * horizon
    projected = np.where(~np.isnan(g_raw), proj_exp, np.where(span > 0, proj_lin, np.nan))
    # A projection never leaves the indicator's valid range (a coverage rate stops at 100 %).
    # (min/max against ±inf where a bound is absent; a NaN projection stays NaN.)
    vmax = np.where(np.isnan(tt.vmax), np.inf, tt.vmax)[:, None]
    vmin = np.where(np.isnan(tt.vmin), -np.inf, tt.vmin)[:, None]
    projected = np.maximum(np.minimum(projected, vmax), vmin)
    if dist.shape[1] == 1:
        pt = _where_rows(dist, lambda r: centre[r] + np.abs(projected[r] - centre[r]), projected)
    else:
        pt = np.where(dist, centre + np.abs(projected - centre), projected)
    with np.errstate(invalid="ignore"):
        beyond_proj = d * (pt - Tt)
        proj_ok_reach = (beyond_proj > 0) | (loose & (beyond_proj == 0))
        proj_ok_dir = d * (projected - B) - tt.margin[:, None] * np.abs(B) > 0
    proj_ok = (reach & proj_ok_reach) | (~reach & proj_ok_dir)
    has_proj = ~np.isnan(projected) & ~unknown
    # The warning follows the status, never contradicts it: "will miss" only where the status says
    # progress is short of the pace (R < 0.95: needs acceleration, limited, deterioration). An
    # on-track row whose projection ends just short (R in [0.95, 1)) says exactly that instead.
    will_miss = has_proj & ~proj_ok & (status >= 2) & (status <= 4)
    near_miss = has_proj & ~proj_ok & (status == 1)
    # A target met at an earlier observed year and missed now has slipped below it, whatever the
    # trend from the baseline says (86 → 84 on ≥85): a projection from the baseline cannot see it.
    met_seen = valid & met_reach & reach
    met_before = _any_before(met_seen)
    fell_below = reach & met_before & ~met_reach & ~unknown
    # Achieved but the latest change went the wrong way, or the trend leaves the target by 2030.
    with np.errstate(invalid="ignore"):
        worsened = d * (judged - prev_val) < 0  # NaN without a value this year or one before it
    worsened_asof = as_of.flags(worsened)
    may_slip = (status == 0) & (worsened_asof | (has_proj & ~proj_ok))

    # Unusual swing: the latest per-year change against the series' usual (mean absolute) change
    # before it. Running sums keep this O(cells); a median would need a sort per year.
    with np.errstate(all="ignore"):
        # The observed values before: the judged ones, except on the rows smoothing rewrote.
        if k_max > 1:
            raw_prev = prev_val.copy()
            sm = np.nonzero(smooth > 1)[0]
            raw_prev[sm] = np.where(prev_at.has[sm], np.take(raw, prev_at.flat[sm]), np.nan)
        else:
            raw_prev = prev_val
        # NaN without a value this year (raw) or one before it (raw_prev): no step there.
        step = np.abs(raw - raw_prev) / (np.arange(ny)[None, :] - prev)
    has_step = ~np.isnan(step)
    prior_sum = _sum_before(np.where(has_step, step, 0.0))
    prior_cnt = _sum_before(has_step)
    fl = s.flags
    with np.errstate(all="ignore"):
        usual = prior_sum / prior_cnt
        swing_at = (prior_cnt >= fl.swing_min_changes) & (step > fl.swing_multiple * np.maximum(usual, 1e-9))
    swing = as_of.flags(swing_at)
    data_gap = (last < 0) | ((np.arange(ny)[None, :] - last) >= fl.gap_years)
    smoothed = as_of.flags(smoothed_flag)

    # The output grids are this block's own temporaries: masked in place, not copied again.
    np.copyto(cur_year, np.nan, where=~(cur_year > 0))
    np.copyto(margin, np.nan, where=unknown)
    np.copyto(progress_pct, np.nan, where=unknown | (status == 5))
    np.copyto(projected, np.nan, where=unknown)
    np.copyto(ratio, np.nan, where=unknown)
    # Keyed by the result's column names; a per-pair output is one value per pair.
    return {
        "value_used": cur,
        "value_year": cur_year,
        "baseline": base,
        "baseline_year": base_year,
        "baseline_source": base_src,
        "target_value": target_value,
        "met": met,
        "margin": margin,
        "progress_pct": progress_pct,
        "projected_2030": projected,
        "ratio": ratio,
        "status": status,
        "will_miss": will_miss,
        "near_miss": near_miss,
        "fell_below": fell_below,
        "may_slip": may_slip,
        "swing": swing & ~np.isnan(cur),
        "data_gap": data_gap,
        "single_point": single,
        "smoothed": smoothed,
        "reference_missing": ref_missing,
    }


def _code_dtype(n_categories: int) -> type[np.signedinteger]:
    """The integer type pandas keeps category codes in for ``n_categories`` (it copies others into it)."""
    for dtype in (np.int8, np.int16, np.int32):
        if n_categories < np.iinfo(dtype).max:
            return dtype
    return np.int64


# The result's columns, each with one value per pair and year, and their types.
_FLOAT_COLUMNS = (
    "value",
    "value_used",
    "value_year",
    "baseline",
    "baseline_year",
    "target_value",
    "margin",
    "progress_pct",
    "projected_2030",
    "ratio",
)
_FLAG_COLUMNS = (
    "met",
    "will_miss",
    "near_miss",
    "fell_below",
    "may_slip",
    "swing",
    "data_gap",
    "single_point",
    "smoothed",
    "reference_missing",
)
_BLOCK_AREAS = 64  # areas per block: keeps each block's arrays in the CPU cache


def _empty_grids(kinds: dict[str, type], shape: tuple[int, int]) -> dict[str, np.ndarray]:
    """An empty grid of each type; those of one or two bytes a cell are views into one buffer.

    numpy asks the kernel for 2 MB pages from 4 MB on: alone, a national result's flag columns
    (2.8 MB each) were filled 4 KB page by 4 KB page, tens of milliseconds of page faults.
    """
    n = shape[0] * shape[1]
    offsets: dict[str, int] = {}
    total = 0
    for name, kind in kinds.items():
        if np.dtype(kind).itemsize <= 2:
            offsets[name] = total
            total += -(-n * np.dtype(kind).itemsize // 64) * 64  # each view starts 64-byte aligned
    shared = np.empty(total, dtype=np.uint8)
    return {
        name: (
            shared[offsets[name] : offsets[name] + n * np.dtype(kind).itemsize].view(kind).reshape(shape)
            if name in offsets
            else np.empty(shape, dtype=kind)
        )
        for name, kind in kinds.items()
    }


def _latest_year(cube: np.ndarray, n_i: int, start: int) -> int:
    """The latest plan year in which any indicator has a value (-1 if none): years right to left."""
    for col in range(cube.shape[2] - 1, -1, -1):
        if not np.isnan(cube[:, :n_i, col]).all():
            return start + col
    return -1


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

    if years is None:  # every plan year up to the latest observed one
        years = list(range(start, max(_latest_year(cube, n_i, start), start) + 1))
    wanted = np.array(years, dtype=int)
    wanted = wanted[(wanted >= start) & (wanted < start + ny)]
    cols = wanted - start
    n_y = len(cols)
    all_years = n_y == ny and bool((cols == np.arange(ny)).all())

    # Every column of the result as a pairs × wanted-years grid, filled block by block on all cores:
    # the long frame's columns are then these grids flattened, views and not copies.
    labels = {"target_text": tt.text, "check_kind": tt.kind, "target_source": tt.source, "attribute": tt.attribute}
    kinds: dict[str, type] = dict.fromkeys(_FLOAT_COLUMNS, np.float64)
    kinds.update(dict.fromkeys(_FLAG_COLUMNS, np.bool_))
    kinds.update(
        status=_code_dtype(len(STATUSES)),
        baseline_source=_code_dtype(len(BASELINE_SOURCES)),
        year=np.int64,
        area_code=_code_dtype(n_a),
        area_name=_code_dtype(n_a),
        indicator=_code_dtype(n_i),
        **{name: _code_dtype(len(lab.categories)) for name, lab in labels.items()},
    )
    cells = _empty_grids(kinds, (P, n_y))

    def put(rows, results: dict) -> None:
        for key, arr in results.items():
            if arr.ndim == 1:  # one value per pair: the same in every year
                arr = arr[:, None]
            elif arr.shape[1] == ny and not all_years:
                arr = arr[:, cols]
            cells[key][rows] = arr  # a per-pair column or a scalar is broadcast across the years

    # Areas are independent: evaluate them in blocks (cache-sized arrays), on all cores
    # (numpy releases the GIL inside its loops).
    bounds = [(a0, min(a0 + _BLOCK_AREAS, n_a)) for a0 in range(0, max(n_a, 1), _BLOCK_AREAS)]

    def run(bound):
        a0, a1 = bound
        lo, hi = a0 * n_i, a1 * n_i
        # The block's observed values (the cube also holds context series): straight into the
        # result's column when every year is wanted.
        raw = cells["value"][lo:hi] if all_years else np.empty((hi - lo, ny))
        raw.reshape(a1 - a0, n_i, ny)[...] = cube[a0:a1, :n_i]
        if not all_years:
            cells["value"][lo:hi] = raw[:, cols]
        put(slice(lo, hi), _evaluate_block(s, tt.rows(lo, hi), raw, None))
        pairs = np.arange(lo, hi)
        cells["area_code"][lo:hi] = (pairs // n_i)[:, None]
        cells["area_name"][lo:hi] = cells["area_code"][lo:hi]  # codes of its own, not shared
        cells["indicator"][lo:hi] = (pairs % n_i)[:, None]
        cells["year"][lo:hi] = wanted[None, :]
        for name, lab in labels.items():
            cells[name][lo:hi] = lab.codes[lo:hi, None]

    # Targets that follow another series (a few pairs) are judged again, all at once, with that
    # series in the same area as of each year: only they need the per-year target grids. That
    # pass reads the cube alone, so it runs beside the blocks; its rows are written after theirs.
    ref_rows = np.nonzero(tt.ref >= 0)[0]
    with ThreadPoolExecutor(max_workers=min(os.cpu_count() or 1, 4)) as pool:
        again = None
        if len(ref_rows):
            a_idx = ref_rows // n_i
            src = cube[a_idx, tt.ref[ref_rows], :]
            refval = _AsOf(_ffill_index(~np.isnan(src))).values(src)
            again = pool.submit(_evaluate_block, s, tt.take(ref_rows), cube[a_idx, ref_rows % n_i, :], refval)
        list(pool.map(run, bounds))
        if again is not None:
            put(ref_rows, again.result())

    # ---------------------------------------------------------------- assemble the long frame
    def flat(name: str) -> np.ndarray:
        return cells[name].reshape(-1)

    def coded(name: str, categories) -> pd.Categorical:
        # Strings repeat per pair: stored once as categories, indexed by small codes (already valid).
        return pd.Categorical.from_codes(flat(name), categories=categories, validate=False)

    names = [rules.area_name(a) for a in areas]
    area_names = (
        coded("area_name", names) if len(set(names)) == len(names) else np.array(names, dtype=object)[flat("area_name")]
    )
    columns = {
        "area_code": coded("area_code", areas),
        "area_name": area_names,
        "indicator": coded("indicator", tt.indicators),
        "year": flat("year"),
        "value": flat("value"),
        "value_used": flat("value_used"),
        "value_year": flat("value_year"),
        "baseline": flat("baseline"),
        "baseline_year": flat("baseline_year"),
        "baseline_source": coded("baseline_source", BASELINE_SOURCES),
        "target_text": coded("target_text", tt.text.categories),
        "check_kind": coded("check_kind", tt.kind.categories),
        "target_value": flat("target_value"),
        "target_source": coded("target_source", tt.source.categories),
        "attribute": coded("attribute", tt.attribute.categories),
        "met": flat("met"),
        "margin": flat("margin"),
        "progress_pct": flat("progress_pct"),
        "projected_2030": flat("projected_2030"),
        "ratio": flat("ratio"),
        "status": coded("status", STATUSES),
    }
    columns.update({name: flat(name) for name in _FLAG_COLUMNS if name != "met"})
    out = pd.DataFrame(columns, copy=False)
    if tt.applicable is not None:
        # Another area's added indicators and those an area does not monitor are none of its rows.
        out = out[np.repeat(tt.applicable, n_y)].reset_index(drop=True)
    return out
