"""A straightforward, one-cell-at-a-time evaluation of the progress method.

It exists for two reasons: ``bench`` times it against the vectorised engine (the "per-row Python"
baseline the speed-up is measured on), and the tests use it as an independent oracle that the
vectorised engine must agree with. It reads like the method in docs/method.md, line by line.
"""
from __future__ import annotations

import math

from .models import Settings

def _growth(cur, base, t1, t0, zero):
    base = zero if base == 0 else base
    cur = zero if cur == 0 else cur
    if t1 - t0 <= 0 or cur / base <= 0:
        return None
    return (cur / base) ** (1.0 / (t1 - t0)) - 1


def evaluate_cell(series: dict[int, float], year: int, check, indicator, settings: Settings,
                  plan_baseline: float | None = None, ref_series: dict[int, float] | None = None) -> dict:
    """Status of one indicator in one area as of ``year``.

    ``series`` maps year → observed value for this area and indicator; ``ref_series`` the same for
    the series a reference target points to.
    """
    s = settings
    k = indicator.smoothing_years or 1
    judged = {}
    for y, v in series.items():
        window = [series[w] for w in range(y - k + 1, y + 1) if w in series]
        judged[y] = sum(window) / len(window)
    seen = sorted(y for y in judged if y <= year)
    if not seen:
        return {"status": "no_data", "met": False}
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
    kind = check.kind
    d = -1.0 if indicator.direction == "lower" else 1.0

    if kind in ("improve", "rise_every_year"):
        d = 1.0 if kind == "rise_every_year" or check.direction == "up" else -1.0
        margin = s.significant_change if (kind == "improve" and check.significant) else 0.0
        met = d * (cur - base) - margin * abs(base) > 0
        fell = any(judged[b] < judged[a] for a, b in zip(seen, seen[1:]))
        if kind == "rise_every_year":
            met = met and not fell
        if cur_year <= base_year:
            # One point in time: only a met target at the deadline is judged.
            return {"status": "achieved" if met and year >= s.target_year else "no_data", "met": met}
        g = _growth(cur, base, cur_year, base_year, zero)
        sign = -1.0 if base < 0 else 1.0
        p = sign * d * g if g is not None else float("nan")
        coeff = 1.0
        if d > 0 and indicator.unit == "%" and indicator.valid_max is not None:
            b, lim, a = abs(base), abs(indicator.valid_max), s.no_target_thresholds.limit_exponent
            coeff = 1.0 if b >= 2 * lim else (1 - (b / lim) ** a if b <= lim else 1 - ((2 * lim - b) / lim) ** a)
        t = s.no_target_thresholds
        if coeff == 0 and p >= 0:
            status = "on_track"
        elif p >= t.on_track * coeff:
            status = "on_track"
        elif p >= t.needs_acceleration * coeff:
            status = "needs_acceleration"
        elif p >= t.limited:
            status = "limited"
        else:
            status = "deterioration"
        if kind == "rise_every_year" and fell and status == "on_track":
            status = "needs_acceleration"
        if met and year >= s.target_year:
            status = "achieved"
        return {"status": status, "met": met}

    # Targets to reach: work out the value to reach and, for about/band, the distance transform.
    centre = half = None
    strict = False
    if kind in ("threshold", "ratio"):
        target = check.value
        if check.op == "==":
            centre, half = check.value, s.about_tolerance * abs(check.value)
        else:
            d = 1.0 if check.op in (">=", ">") else -1.0
            strict = check.op in (">", "<")
    elif kind == "about":
        tol = check.tolerance if check.tolerance is not None else s.about_tolerance
        centre, half = check.value, tol * abs(check.value)
    elif kind == "band":
        lo = check.low if check.low is not None else s.sex_ratio_band[0]
        hi = check.high if check.high is not None else s.sex_ratio_band[1]
        centre, half = (lo + hi) / 2, (hi - lo) / 2
    elif kind == "contain":
        target, d = base, -1.0
    elif kind == "maintain":
        target = base - d * check.tolerance
    elif kind == "reference":
        ref_seen = sorted(y for y in (ref_series or {}) if y <= year)
        if not ref_seen:
            return {"status": "no_data", "met": False}
        refv = ref_series[ref_seen[-1]]
        if check.op == "about":
            tol = check.tolerance if check.tolerance is not None else s.about_tolerance
            centre, half = refv, tol * abs(refv)
        else:
            target, d = refv, (1.0 if check.op == ">=" else -1.0)
    if centre is not None:
        d = -1.0
        yt, bt, tt = centre + abs(cur - centre), centre + abs(base - centre), centre + half
    else:
        yt, bt, tt = cur, base, target
    beyond = d * (yt - tt)
    met = beyond > 0 if strict else beyond >= 0
    if met:
        return {"status": "achieved", "met": True}
    if cur_year <= base_year:
        return {"status": "no_data", "met": False}
    g_obs = _growth(yt, bt, cur_year, base_year, zero)
    g_req = _growth(tt, bt, s.target_year, base_year, zero)
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
