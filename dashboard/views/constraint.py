"""约束性/预期性: every indicator of an area by type (binding or expected)."""

from __future__ import annotations

import pandas as pd

from ..engine import (
    flags_words,
    status_label,
)
from ..rules import RuleSet
from .common import (
    indicator_meta,
    slice_ev,
    status_strings,
    with_latest,
)


def constraint_table(ev: pd.DataFrame, rules: RuleSet, area: str, year: int, lang: str = "zh") -> pd.DataFrame:
    """Every indicator of one area and year with its type (binding/expected), status and flags.

    Columns: attribute, indicator, name, domain_name, unit, target_text, value_used, value_text, status,
    label, flags.
    """
    cols = [
        "attribute",
        "indicator",
        "name",
        "domain_name",
        "unit",
        "target_text",
        "value_used",
        "value_text",
        "status",
        "label",
        "flags",
    ]
    part = slice_ev(ev, area, year)
    if part.empty:
        return pd.DataFrame(columns=cols)
    meta = indicator_meta(rules, lang, area)[["indicator", "name", "domain_name", "unit", "order"]]
    part = with_latest(part, ev, rules, lang)
    out = pd.DataFrame(
        {
            "value_text": part["value_text"].to_numpy(),
            "attribute": part["attribute"].to_numpy(),
            "indicator": part["indicator"].astype(str).to_numpy(),
            "target_text": part["target_text"].to_numpy(),
            "value_used": part["value_used"].to_numpy(),
            "status": status_strings(part["status"]).to_numpy(),
            "flags": flags_words(part, lang).to_numpy(),
        }
    ).merge(meta, on="indicator")
    out["label"] = [status_label(s, lang) for s in out["status"]]
    return out.sort_values("order").reset_index(drop=True)[cols]
