"""评估 Evaluation: the plan's own indicator table for one area and year, with a line per domain.

This is the table a committee hands around at a mid-term (2025) or final (2030) evaluation: the
plan's order, its printed targets and attributes, the baseline, the value, the status.
"""
from __future__ import annotations

import pandas as pd

from .progress import STATUSES, status_label
from .rules import RuleSet


def evaluation_table(rules: RuleSet, evaluated: pd.DataFrame, area: str, year: int,
                     lang: str = "zh") -> pd.DataFrame:
    """Rows in plan order: plan, domain, number, code, name, unit, target, attribute, baseline,
    value (and its year), status, status_label."""
    e = evaluated[(evaluated["area_code"].astype(str) == area) & (evaluated["year"] == year)]
    e = e.set_index(e["indicator"].astype(str))
    rows = []
    for ind in rules.indicators.values():
        r = e.loc[ind.code] if ind.code in e.index else None
        t = rules.target_for(area, ind.code)
        status = str(r.status) if r is not None else "no_data"
        rows.append({
            "plan": ind.plan,
            "domain": ind.domain,
            "domain_name": rules.domain_name(ind.plan, ind.domain, lang),
            "number": ind.number,
            "code": ind.code,
            "name": ind.name(lang),
            "unit": ind.unit,
            "target_text": t.target_text,
            "attribute": t.attribute,
            "attribute_label": ("约束性" if t.attribute == "binding" else "预期性") if lang != "en" else t.attribute,
            "baseline": r.baseline if r is not None else None,
            "baseline_year": r.baseline_year if r is not None else None,
            "value": r.value_used if r is not None else None,
            "value_year": r.value_year if r is not None else None,
            "status": status,
            "status_label": status_label(status, lang),
        })
    return pd.DataFrame(rows)


def domain_summary(rules: RuleSet, table: pd.DataFrame, lang: str = "zh") -> list[str]:
    """One sentence per domain, in plan order: "妇女与健康 11 项指标：6 项已达标，2 项进展顺利，…"."""
    lines = []
    for (plan, domain), group in table.groupby(["plan", "domain"], sort=False):
        counts = group["status"].value_counts()
        name = rules.domain_name(plan, domain, lang)
        parts = [f"{int(counts[s])} {'项' if lang != 'en' else ''}{status_label(s, lang)}"
                 if lang != "en" else f"{int(counts[s])} {status_label(s, lang).lower()}"
                 for s in STATUSES if counts.get(s, 0)]
        if lang == "en":
            lines.append(f"{name}: {len(group)} indicators — " + ", ".join(parts) + ".")
        else:
            lines.append(f"{name} {len(group)} 项指标：" + "，".join(parts) + "。")
    return lines
