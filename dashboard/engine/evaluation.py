"""评估 Evaluation: the plan's own indicator table for one area and year, with a line per domain.

This is the table a committee hands around at a mid-term (2025) or final (2030) evaluation: the
plan's order, its printed targets and attributes, the baseline, the value, the status. Each row is
the indicator as the area's plan defines it (its name and unit, its own added rows); an indicator
the area does not monitor keeps its row, with the status ``not_monitored`` and the reason.
"""

from __future__ import annotations

import pandas as pd

from ..messages import t
from ..rules import RuleSet, attribute_label
from .practice import NOT_MONITORED
from .statuses import STATUSES, status_label


def evaluation_table(rules: RuleSet, evaluated: pd.DataFrame, area: str, year: int, lang: str = "zh") -> pd.DataFrame:
    """Rows in plan order: plan, domain, number, code, name, unit, target, attribute, baseline,
    value (and its year), status, status_label, the reason an indicator is not monitored, the
    maintainer's note, and whether the area defines the indicator otherwise than the catalogue."""
    e = evaluated[(evaluated["area_code"].astype(str) == area) & (evaluated["year"] == year)]
    e = e.set_index(e["indicator"].astype(str))
    rows = []
    for ind in rules.indicators_for(area):
        left_out = rules.not_monitored_in(area, ind.code)
        r = e.loc[ind.code] if ind.code in e.index and left_out is None else None
        tgt = rules.target_for(area, ind.code)
        status = NOT_MONITORED if left_out is not None else str(r.status) if r is not None else "no_data"
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
                "not_monitored_reason": left_out.reason if left_out is not None else "",
                "note": "；".join(dict.fromkeys(n for n in (ind.note, tgt.note, left_out and left_out.note) if n)),
                "area_definition": ind.area is not None,
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
        for s in (*STATUSES, NOT_MONITORED)
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
