"""Which definition of an indicator a row of an upload is read with: the catalogue's, its area's, or
a previous plan's.

An area's file may define an indicator otherwise (a rate in % where the catalogue counts 万人), add
indicators of its own, or leave some out (``rules/overrides/``, docs/rules.md). A value is then
checked against its area's unit and range, and a value for an indicator that is none of its area's,
or that its area does not monitor, is refused rather than stored where nothing reads it. A value of
a year a previous plan judges (``rules/periods/``) must be one of that plan's indicators.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..rules import Indicator, RuleSet


def definition_key(area: str, code: str) -> str:
    """The key an area's own definition of ``code`` is looked up by (the catalogue's is the bare code)."""
    return f"{area}|{code}"


def area_definitions(rules: RuleSet) -> dict[str, Indicator]:
    """Every area's own definition of an indicator, by :func:`definition_key`; and the indicators only
    a previous plan has, by their code (the current plan's own win where both have one)."""
    out: dict[str, Indicator] = {}
    for plan in sorted(rules.periods.values(), key=lambda p: p.settings.target_year):
        out |= {c: i for c, i in plan.indicators.items() if c not in rules.indicators}
        out |= {definition_key(a, c): i for a, own in plan.area_indicators.items() for c, i in own.items()}
    return out | {
        definition_key(area, code): ind for area, own in rules.area_indicators.items() for code, ind in own.items()
    }


def definition_keys(rules: RuleSet, area: pd.Series, indicator: pd.Series) -> pd.Series:
    """Per row, the key of the definition that applies: the indicator's code, or its area's key."""
    keys = indicator.astype(object)
    own_keys = [k for k in area_definitions(rules) if "|" in k]
    if not own_keys:
        return keys
    pair = area.astype(str) + "|" + indicator.astype(str)
    own = pair.isin(own_keys).to_numpy()
    return keys.where(~own, pair)


def not_the_areas(rules: RuleSet, area: pd.Series, indicator: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Rows for another area's added indicator, and rows for one the area does not monitor."""
    false = pd.Series(np.zeros(len(area), dtype=bool), index=area.index)
    owners = {c: i.area for c, i in rules.indicators.items() if i.area is not None}
    foreign = false
    if owners:
        owner = indicator.map(owners)
        foreign = owner.notna() & area.notna() & (owner != area)
    left_out = false
    pairs = {f"{a}|{c}" for a, codes in rules.not_monitored.items() for c in codes}
    if pairs:
        left_out = (area.astype(str) + "|" + indicator.astype(str)).isin(pairs) & area.notna()
    return foreign, left_out


def year_range(rules: RuleSet) -> tuple[int, int]:
    """The first and last year any plan takes values of (a previous plan's baseline year to the last)."""
    plans = rules.all_plans()
    return min(p.settings.plan_period.start for p in plans), max(p.settings.plan_period.end for p in plans)


def not_in_plan_of_year(rules: RuleSet, indicator: pd.Series, year: pd.Series) -> pd.Series:
    """Rows whose indicator is in no plan that takes values of the row's year (only with previous plans)."""
    false = pd.Series(np.zeros(len(indicator), dtype=bool), index=indicator.index)
    if not rules.periods:
        return false
    ok = false.copy()
    for plan in rules.all_plans():
        s = plan.settings.plan_period
        codes = set(plan.indicators) | set(plan.context_series)
        ok |= indicator.isin(codes) & (year >= s.start) & (year <= s.end)
    return ~ok & indicator.notna()


def plans_of_year(rules: RuleSet, year: int) -> str:
    """The plans that take values of ``year``, named by their years (``2011-2020``), for a message."""
    keys = [
        p.period_key for p in rules.all_plans() if p.settings.plan_period.start <= year <= p.settings.plan_period.end
    ]
    return "、".join(keys) if keys else rules.period_key
