"""``python -m dashboard bench``: the engine on a synthetic national-scale data set.

2,844 county-level areas × every indicator × 2020–2030, seeded. Times the vectorised evaluation of
the whole set, and the straightforward per-cell evaluation (``progress_scalar``) on a sample in
the same run, and reports the per-cell speed-up. Figures, not assertions: rerun it on any machine.
"""

from __future__ import annotations

import dataclasses
import statistics
import time

import numpy as np

from ..demo import generate
from ..engine import STATUSES, evaluate
from ..rules import Area, RuleSet
from .per_cell import evaluate_cell


def national_rules(rules: RuleSet, n_areas: int) -> RuleSet:
    """The loaded rules with ``n_areas`` generated county-level areas under one root."""
    root = Area(code="000000", name_zh="全国", name_en="National", level="city")
    areas = {root.code: root}
    for k in range(n_areas):
        code = f"{k + 1:06d}"
        areas[code] = Area(code=code, name_zh=f"县{k + 1}", name_en=f"County {k + 1}", parent="000000", level="county")
    return dataclasses.replace(rules, areas=areas, overrides={})


def run_bench(base_rules: RuleSet, areas: int = 2844, seed: int = 20211, sample: int = 10000, repeat: int = 5) -> dict:
    """Time the vectorised engine on the full set and the per-cell evaluation on a sample."""
    rules = national_rules(base_rules, areas)
    years = list(range(rules.settings.plan_period.start, rules.settings.plan_period.end + 1))
    # The demo generator: plausible series for every kind of target, seeded, with ~5 % gaps.
    obs = generate(rules, seed=seed, years=years)

    # The median of several runs: one run on a shared 2-core machine says more about its neighbours.
    runs = []
    for _ in range(max(repeat, 1)):
        t0 = time.perf_counter()
        out = evaluate(rules, obs, years=years)
        runs.append(time.perf_counter() - t0)
    vector_seconds = statistics.median(runs)

    # The per-cell baseline: the same question answered one cell at a time, on a random sample.
    rng = np.random.default_rng(seed + 1)
    pick = rng.choice(len(out), size=min(sample, len(out)), replace=False)
    grouped = {
        key: dict(zip(g["year"], g["value"]))
        for key, g in obs.groupby(["area", "indicator"], sort=False, observed=True)
    }
    cells = out.iloc[pick][["area_code", "indicator", "year", "status"]].astype(
        {"area_code": str, "indicator": str, "status": str}
    )
    # The inputs of each cell are gathered before the clock starts: only the evaluation is timed.
    inputs = []
    for area, code, year, status in cells.itertuples(index=False):
        target = rules.target_for(area, code)
        ref_code = target.check.engine_row(rules.indicators[code].direction, rules.settings).ref_series
        inputs.append(
            (
                grouped.get((area, code), {}),
                int(year),
                target.check,
                rules.indicators[code],
                target.baseline,
                grouped.get((area, ref_code), {}) if ref_code is not None else None,
                status,
            )
        )
    t1 = time.perf_counter()
    agree = 0
    for series, year, check, indicator, baseline, ref, status in inputs:
        res = evaluate_cell(series, year, check, indicator, rules.settings, baseline, ref)
        agree += res["status"] == status
    per_cell_seconds = time.perf_counter() - t1

    n_cells = len(out)
    per_row_vector = vector_seconds / n_cells
    per_row_scalar = per_cell_seconds / len(cells)
    counts = out["status"].value_counts().reindex(STATUSES).fillna(0).astype(int).to_dict()
    return {
        "areas": areas,
        "indicators": len(rules.indicators),
        "observations": len(obs),
        "rows": n_cells,
        "evaluate_runs": len(runs),
        "evaluate_seconds": round(vector_seconds, 3),
        "evaluate_seconds_min": round(min(runs), 3),
        "per_row_sample": len(cells),
        "per_row_seconds": round(per_cell_seconds, 3),
        "per_row_us_vectorised": round(per_row_vector * 1e6, 3),
        "per_row_us_python": round(per_row_scalar * 1e6, 1),
        "speedup": round(per_row_scalar / per_row_vector, 1),
        "sample_status_agreement": f"{agree}/{len(cells)}",
        "status_counts": counts,
    }
