"""A straightforward, one-cell-at-a-time statement of the progress method: a test oracle and the
benchmark's comparator — never a production path.

``bench`` times it against the vectorised engine (the "per-row Python" baseline the speed-up is
measured on), and the tests require both to give the same status for every cell of random data.
It reads like docs/method.md, line by line, from the same engine parameters of each target kind
(``CheckKind.engine_row``), so it needs no change when a kind is added.
"""

from __future__ import annotations

import itertools
import math

from ..checks import IMPROVE, RISE, CheckKind
from ..rules import Indicator, Settings


def _growth(cur: float, base: float, t1: float, t0: float, zero: float, replace_end: bool = False) -> float | None:
    # Open SDG replaces a zero base and a zero target (the end of the required growth), not a zero
    # current value: 0 after a positive base is a growth of −100 %.
    base = zero if base == 0 else base
    if replace_end:
        cur = zero if cur == 0 else cur
    if t1 - t0 <= 0 or cur / base < 0:
        return None
    g = (cur / base) ** (1.0 / (t1 - t0)) - 1
    return 0.0 if abs(g) < 1e-12 else g  # rounding, not change (docs/method.md)


def evaluate_cell(
    series: dict[int, float],
    year: int,
    check: CheckKind,
    indicator: Indicator,
    settings: Settings,
    plan_baseline: float | None = None,
    ref_series: dict[int, float] | None = None,
) -> dict:
    """Status of one indicator in one area as of ``year``.

    ``series`` maps year → observed value for this area and indicator; ``ref_series`` the same for
    the series a reference target points to. At the target year the answer is met or not met,
    judged on a value of that year (a value carried from before is no data for the deadline).
    """
    out = _judge(series, year, check, indicator, settings, plan_baseline, ref_series)
    if settings.method.deadline_rule and year >= settings.target_year and not out.get("unknown"):
        has_final = any(y >= settings.target_year for y in series if y <= year)
        out = {**out, "status": ("achieved" if out["met"] else "not_achieved") if has_final else "no_data"}
    return out


def _judge(
    series: dict[int, float],
    year: int,
    check: CheckKind,
    indicator: Indicator,
    settings: Settings,
    plan_baseline: float | None = None,
    ref_series: dict[int, float] | None = None,
) -> dict:
    s = settings
    row = check.engine_row(indicator.direction, s)
    k = (indicator.smoothing_years or 1) if s.method.smoothing else 1
    judged = {}
    for y in series:
        window = [series[w] for w in range(y - k + 1, y + 1) if w in series]
        judged[y] = sum(window) / len(window)
    seen = sorted(y for y in judged if y <= year)
    if not seen:
        return {"status": "no_data", "met": False, "unknown": True}
    cur_year = seen[-1]
    cur = judged[cur_year]
    if s.baseline_year in judged:
        base, base_year = judged[s.baseline_year], s.baseline_year
    elif plan_baseline is not None:
        base, base_year = plan_baseline, s.baseline_year
    else:
        base_year = min(judged)
        base = judged[base_year]
    zero = s.zero_replacement
    d = row.d

    if row.family in (IMPROVE, RISE):
        met = d * (cur - base) - row.margin * abs(base) > 0
        fell = any(judged[b] < judged[a] for a, b in itertools.pairwise(seen))
        if row.family == RISE:
            met = met and not fell
        if cur_year <= base_year:
            # One point in time: only a met target at the deadline is judged.
            final = met and year >= s.target_year and s.method.deadline_rule
            return {"status": "achieved" if final else "no_data", "met": met}
        g = _growth(cur, base, cur_year, base_year, zero)
        sign = -1.0 if base < 0 else 1.0
        p = sign * d * g if g is not None else float("nan")
        coeff = 1.0
        if d > 0 and indicator.unit == "%" and indicator.valid_max is not None:
            b, lim, a = abs(base), abs(indicator.valid_max), s.no_target_thresholds.limit_exponent
            coeff = 1.0 if b >= 2 * lim else (1 - (b / lim) ** a if b <= lim else 1 - ((2 * lim - b) / lim) ** a)
        t = s.no_target_thresholds
        if (coeff == 0 and p >= 0) or p >= t.on_track * coeff:
            status = "on_track"
        elif p >= t.needs_acceleration * coeff:
            status = "needs_acceleration"
        elif p >= t.limited:
            status = "limited"
        else:
            status = "deterioration"
        if row.family == RISE and fell and status == "on_track" and s.method.rise_dip_cap:
            status = "needs_acceleration"
        if met and year >= s.target_year and s.method.deadline_rule:
            status = "achieved"
        return {"status": status, "met": met}

    # Targets to reach: the value to reach and, for about/band, the distance transform.
    centre = None if math.isnan(row.centre) else row.centre
    half = row.half
    target = row.tval
    if row.from_baseline:
        target = base + row.offset
    if row.ref_series is not None:
        ref_seen = sorted(y for y in (ref_series or {}) if y <= year)
        if not ref_seen:
            return {"status": "no_data", "met": False, "unknown": True}
        refv = (ref_series or {})[ref_seen[-1]]
        if row.ref_about:
            centre, half = refv, row.half * abs(refv)
        else:
            target = refv
    if centre is not None:
        aim = half if s.method.aim == "tolerance" else 0.0
        yt, bt, tt = centre + abs(cur - centre), centre + abs(base - centre), centre + aim
    else:
        yt, bt, tt = cur, base, target
    beyond = d * (yt - tt)
    met = beyond > 0 if (row.strict and s.method.strict_boundary) else beyond >= 0
    if met:
        return {"status": "achieved", "met": True}
    if cur_year <= base_year:
        return {"status": "no_data", "met": False}
    g_obs = _growth(yt, bt, cur_year, base_year, zero)
    g_req = _growth(tt, bt, s.target_year, base_year, zero, replace_end=True)
    if g_obs is None or g_req is None:
        return {"status": "deterioration", "met": False}
    sign = -1.0 if bt < 0 else 1.0
    if abs(g_req) > 1e-12:
        r = sign * d * g_obs / abs(g_req)
    else:
        r = math.inf if d * g_obs > 0 else -math.inf
    t = s.target_thresholds
    if r >= t.on_track:
        status = "on_track"
    elif r >= t.needs_acceleration:
        status = "needs_acceleration"
    elif r >= t.limited:
        status = "limited"
    else:
        status = "deterioration"
    return {"status": status, "met": False}
