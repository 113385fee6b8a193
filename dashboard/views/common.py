"""What every page's frames share: indicator metadata, area order, years, slices of the evaluation."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..rules import RuleSet


def indicator_meta(rules: RuleSet, lang: str = "zh") -> pd.DataFrame:
    """One row per indicator in plan order: code, plan, domain, names, unit, default attribute."""
    rows = []
    for ind in sorted(rules.indicators.values(), key=lambda i: i.order):
        rows.append({
            "indicator": ind.code,
            "plan": ind.plan,
            "domain": ind.domain,
            "domain_name": rules.domain_name(ind.plan, ind.domain, lang),
            "number": ind.number,
            "order": ind.order,
            "name": ind.name(lang),
            "label": f"{ind.code} {ind.name(lang)}",
            "unit": ind.unit,
            "direction": ind.direction,
            "default_attribute": ind.attribute,
        })
    return pd.DataFrame(rows, columns=["indicator", "plan", "domain", "domain_name", "number", "order", "name",
                                       "label", "unit", "direction", "default_attribute"])


def area_options(rules: RuleSet) -> list[str]:
    """Area codes, the city first, then the districts in the YAML order."""
    city = [c for c, a in rules.areas.items() if a.parent is None]
    return city + [c for c, a in rules.areas.items() if a.parent is not None]


def city_code(rules: RuleSet) -> str | None:
    return next((c for c, a in rules.areas.items() if a.parent is None), None)


def years_of(ev: pd.DataFrame, rules: RuleSet | None = None) -> list[int]:
    """The years the evaluation covers (ascending); the plan's start year when it is empty."""
    if ev is None or ev.empty:
        return [rules.settings.plan_period.start] if rules is not None else []
    return sorted(int(y) for y in pd.unique(ev["year"]))


def default_year(ev: pd.DataFrame, rules: RuleSet | None = None) -> int | None:
    """The latest year that has any observed value; else the latest year covered."""
    years = years_of(ev, rules)
    if not years:
        return None
    if ev is not None and not ev.empty:
        with_value = ev.loc[ev["value"].notna(), "year"]
        if not with_value.empty:
            return int(with_value.max())
    return years[-1]


def slice_ev(ev: pd.DataFrame, area: str | None = None, year: int | None = None) -> pd.DataFrame:
    """The rows of one area and/or one year."""
    mask = np.ones(len(ev), dtype=bool)
    if area is not None:
        mask &= (ev["area_code"] == area).to_numpy()
    if year is not None:
        mask &= (ev["year"] == year).to_numpy()
    return ev.loc[mask]


def status_strings(series: pd.Series) -> pd.Series:
    """The status column as plain strings (it is categorical in the engine's frame)."""
    return series.astype(str)


EMPTY_EVALUATION = pd.DataFrame({c: pd.Series(dtype=object) for c in (
    "area_code", "area_name", "indicator", "year", "status", "attribute", "will_miss", "swing", "data_gap",
    "value_year", "value_used", "target_text", "projected_2030", "baseline", "baseline_year")})
"""An evaluation frame with no rows (no data yet), with the columns the views read."""
