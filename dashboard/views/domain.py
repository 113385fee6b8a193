"""分领域 By domain: each indicator of a domain with its series and status."""

from __future__ import annotations

import pandas as pd

from ..engine import (
    flags_words,
    status_label,
)
from ..rules import RuleSet, attribute_label
from .common import (
    indicator_meta,
    slice_ev,
    status_strings,
    with_latest,
)


def domain_summary(
    ev: pd.DataFrame, rules: RuleSet, plan: str, domain: str, area: str, year: int, lang: str = "zh"
) -> pd.DataFrame:
    """Each indicator of one domain for one area and year.

    Columns: indicator, name, unit, target_text, attribute, attribute_label, value_used, value_year,
    value_text, smoothed_text (``common.with_latest``), status, label, flags.
    """
    cols = [
        "indicator",
        "name",
        "unit",
        "target_text",
        "attribute",
        "attribute_label",
        "value_used",
        "value_year",
        "value_text",
        "smoothed_text",
        "status",
        "label",
        "flags",
    ]
    meta = indicator_meta(rules, lang, area)  # the area's own names and units, its added rows
    meta = meta[(meta["plan"] == plan) & (meta["domain"] == domain)]
    part = slice_ev(ev, area, year)
    part = part[part["indicator"].astype(str).isin(meta["indicator"])]
    if part.empty:
        return pd.DataFrame(columns=cols)
    part = with_latest(part, ev, rules, lang)
    out = pd.DataFrame(
        {
            "indicator": part["indicator"].astype(str).to_numpy(),
            "value_text": part["value_text"].to_numpy(),
            "smoothed_text": part["smoothed_text"].to_numpy(),
            "target_text": part["target_text"].to_numpy(),
            "attribute": part["attribute"].to_numpy(),
            "value_used": part["value_used"].to_numpy(),
            "value_year": part["value_year"].to_numpy(),
            "status": status_strings(part["status"]).to_numpy(),
            "flags": flags_words(part, lang).to_numpy(),
        }
    ).merge(meta[["indicator", "name", "unit", "order"]], on="indicator")
    out["attribute_label"] = [attribute_label(a, lang) for a in out["attribute"]]
    out["label"] = [status_label(s, lang) for s in out["status"]]
    return out.sort_values("order").reset_index(drop=True)[cols]


def domain_series(
    ev: pd.DataFrame, rules: RuleSet, plan: str, domain: str, area: str, upto: int | None = None
) -> pd.DataFrame:
    """Observed values of every indicator of a domain in one area (for small multiples).

    Columns: indicator, year, value, target_value.
    """
    codes = [c for c, i in rules.indicators.items() if i.plan == plan and i.domain == domain]
    part = slice_ev(ev, area)
    part = part[part["indicator"].astype(str).isin(codes)]
    if upto is not None:
        part = part[part["year"] <= upto]
    return pd.DataFrame(
        {
            "indicator": part["indicator"].astype(str).to_numpy(),
            "year": part["year"].to_numpy(dtype=int),
            "value": part["value"].to_numpy(dtype=float),
            "target_value": part["target_value"].to_numpy(dtype=float),
        }
    )
