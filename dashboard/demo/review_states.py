"""The demo's review cycle: a seeded, realistic mix of review states, labelled as demo.

The demo values are stored as the districts' submissions (``submitted``); a demo reviewer then
approves almost all of them — every value of the earlier years, most of the latest — leaves some of
the latest year (and a few of the year before) waiting, returns a few with a plausible comment,
and the reporting units state one or two values of those years not obtainable (无法取得), with the
reason. Every state change is an ordinary review event by an actor whose name says it is the demo
(:data:`REVIEWER`, :data:`EDITOR`): the history shows them like any other.

Only indicators someone reports (``rules/reporting.yaml``) are left waiting, returned or stated not
obtainable, so the completeness page shows each state; context series are all approved. The
dashboards show approved values by default, so the waiting and returned values are hidden until the
switch 含未审核 is on: that is the point of the cycle.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..rules import RuleSet, catalogue_for
from ..store.review import Action, Actor

# Who acts in the demo's cycle (names only: no account signs in as them).
REVIEWER = Actor("demo-reviewer（演示审核员）")
EDITOR = Actor("demo-editor（演示填报员）")

# Of the due values stored for the latest demo year / the year before: left waiting, returned.
WAITING_SHARE = {0: 0.08, 1: 0.015}
RETURNED_SHARE = {0: 0.012, 1: 0.004}
# Values of those years stated not obtainable (among the ones the demo left missing).
NOT_OBTAINABLE_COUNT = {0: 2, 1: 1}

RETURN_COMMENTS = (
    "口径与上年不一致，请核实",
    "较上年变化过大，请说明原因或核对数据",
    "与统计年鉴公布数不一致，请核对",
    "单位应为百分比，请核实换算",
)
NOT_OBTAINABLE_REASONS = (
    "该指标本年度未开展专项调查",
    "统计部门尚未发布本年度数据，待发布后补报",
)


def _due_keys(rules: RuleSet) -> set[tuple[str, str]]:
    """The (area, indicator) pairs someone must report: a reporting unit for the area's level, an
    indicator the area monitors (as ``views.completeness.due_frame`` counts them)."""
    from ..rules.reporting import area_level

    reporting = catalogue_for(rules).reporting
    due = set()
    for area in rules.areas:
        level = area_level(rules, area)
        for ind in rules.indicators_for(area):
            a = reporting.for_indicator(ind.code)
            if a is not None and a.unit_for(level) and rules.not_monitored_in(area, ind.code) is None:
                due.add((area, ind.code))
    return due


def _pick(rng: np.random.Generator, keys: list, share: float) -> list:
    n = round(len(keys) * share)
    if n == 0 or not keys:
        return []
    chosen = rng.choice(len(keys), size=min(n, len(keys)), replace=False)
    return [keys[k] for k in sorted(chosen)]


def apply_demo_review(store, rules: RuleSet, rows: pd.DataFrame, seed: int) -> dict[str, int]:
    """Give the demo values (``rows``: area, indicator, year, stored ``submitted``) their review
    states and state some missing values not obtainable; returns how many of each."""
    rng = np.random.default_rng(seed + 2)
    due = _due_keys(rules)
    years = sorted(int(y) for y in pd.unique(rows["year"]))
    keys = list(zip(rows["area"].astype(str), rows["indicator"].astype(str), rows["year"].astype("int64")))
    keys = [(a, i, int(y)) for a, i, y in keys]
    waiting: list[tuple[str, str, int]] = []
    returned: list[tuple[str, str, int]] = []
    stated: list[tuple[str, str, int, str]] = []
    for back, year in enumerate(reversed(years[-2:])):
        mine = sorted(k for k in keys if k[2] == year and (k[0], k[1]) in due)
        out = _pick(rng, mine, WAITING_SHARE[back] + RETURNED_SHARE[back])
        n_returned = round(len(mine) * RETURNED_SHARE[back])
        order = rng.permutation(len(out))
        returned += [out[k] for k in sorted(order[:n_returned])]
        waiting += [out[k] for k in sorted(order[n_returned:])]
        have = {(a, i) for a, i, y in keys if y == year}
        gaps = sorted(k for k in due if k not in have)
        for k in _pick(rng, gaps, NOT_OBTAINABLE_COUNT[back] / max(len(gaps), 1)):
            stated.append((k[0], k[1], year, NOT_OBTAINABLE_REASONS[len(stated) % len(NOT_OBTAINABLE_REASONS)]))
    held = set(waiting) | set(returned)
    store.change_review(Action.APPROVE, REVIEWER, keys=[k for k in keys if k not in held])
    for n, comment in enumerate(RETURN_COMMENTS):
        mine = returned[n :: len(RETURN_COMMENTS)]
        if mine:
            store.change_review(Action.RETURN, REVIEWER, keys=mine, comment=comment)
    for area, indicator, year, reason in stated:
        store.declare_not_obtainable(EDITOR, area, indicator, year, reason)
    return {
        "approved": len(keys) - len(held),
        "submitted": len(waiting),
        "returned": len(returned),
        "not_obtainable": len(stated),
    }
