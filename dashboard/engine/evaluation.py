"""评估 Evaluation: the plan's own indicator table for one area and year, with a line per domain.

This is the table a committee hands around at a mid-term (2025) or final (2030) evaluation: the
plan's order, its printed targets and attributes, the baseline, the value, the status.
"""

from __future__ import annotations

import pandas as pd

from ..messages import t
from ..rules import RuleSet, attribute_label
from .statuses import STATUSES, status_label


def evaluation_table(rules: RuleSet, evaluated: pd.DataFrame, area: str, year: int, lang: str = "zh") -> pd.DataFrame:
    """Rows in plan order: plan, domain, number, code, name, unit, target, attribute, baseline,
    value (and its year), status, status_label."""
    e = evaluated[(evaluated["area_code"].astype(str) == area) & (evaluated["year"] == year)]
    e = e.set_index(e["indicator"].astype(str))
    rows = []
    for ind in rules.indicators.values():
        r = e.loc[ind.code] if ind.code in e.index else None
        tgt = rules.target_for(area, ind.code)
        status = str(r.status) if r is not None else "no_data"
        rows.append(
            {
                "plan": ind.plan,
                "domain": ind.domain,
                "domain_name": rules.domain_name(ind.plan, ind.domain, lang),
                "number": ind.number,
                "code": ind.code,
                "name": ind.name(lang),
                "unit": ind.unit,
                "target_text": tgt.target_text,
                "attribute": tgt.attribute,
                "attribute_label": attribute_label(tgt.attribute, lang),
                "baseline": r.baseline if r is not None else None,
                "baseline_year": r.baseline_year if r is not None else None,
                "value": r.value_used if r is not None else None,
                "value_year": r.value_year if r is not None else None,
                "status": status,
                "status_label": status_label(status, lang),
            }
        )
    return pd.DataFrame(rows)


def status_count_parts(status: pd.Series, lang: str = "zh") -> list[str]:
    """``6 项已达标``, ``2 项进展顺利`` … for the statuses present, in the vocabulary's order."""
    counts = status.value_counts()
    return [
        t(
            "eval_status_count",
            lang,
            n=int(counts[s]),
            status=status_label(s, lang).lower() if lang == "en" else status_label(s, lang),
        )
        for s in STATUSES
        if counts.get(s, 0)
    ]


def domain_summary(rules: RuleSet, table: pd.DataFrame, lang: str = "zh") -> list[str]:
    """One sentence per domain, in plan order: "妇女与健康 11 项指标：6 项已达标，2 项进展顺利，…"."""
    lines = []
    for (plan, domain), group in table.groupby(["plan", "domain"], sort=False):
        parts = status_count_parts(group["status"], lang)
        lines.append(
            t(
                "eval_domain_line",
                lang,
                domain=rules.domain_name(plan, domain, lang),
                n=len(group),
                parts=t("list_comma", lang).join(parts),
            )
        )
    return lines
