"""预警 Early warning: what a committee must look at, each with its reason in words.

Built from the engine's output (``progress.evaluate``); one row per warning, so an indicator with
two problems in one area shows twice, each with its own reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..messages import t
from ..rules import Indicator, RuleSet
from .statuses import status_label

KINDS = ["binding_not_on_track", "fell_below", "will_miss", "deterioration", "swing", "data_gap"]
WARNING_COLUMNS = [
    "area_code",
    "area_name",
    "indicator",
    "name",
    "attribute",
    "kind",
    "kind_label",
    "status",
    "value",
    "target_text",
    "projected_2030",
    "reason",
]
SEVERITY = {"binding_not_on_track": 0, "fell_below": 1, "will_miss": 2, "deterioration": 3, "swing": 4, "data_gap": 5}


def kind_label(kind: str, lang: str = "zh") -> str:
    return t(f"warning_kind_{kind}", lang)


def warnings_frame(rules: RuleSet, evaluated: pd.DataFrame, year: int, lang: str = "zh") -> pd.DataFrame:
    """Warnings for ``year`` from an ``evaluate`` frame, most severe first.

    Columns: area_code, area_name, indicator, name, attribute, kind, kind_label, status, value,
    target_text, projected_2030, reason (a sentence in ``lang``).
    """
    e = evaluated[evaluated["year"] == year]
    if e.empty:
        return pd.DataFrame(columns=WARNING_COLUMNS)
    status = e["status"].astype(str)
    binding = e["attribute"].astype(str) == "binding"
    masks = {
        "binding_not_on_track": binding & ~status.isin(["achieved", "on_track", "no_data"]),
        "fell_below": e["fell_below"].to_numpy() & ~status.isin(["no_data"]),
        "will_miss": e["will_miss"].to_numpy() & ~status.isin(["no_data"]),
        "deterioration": status == "deterioration",
        "swing": e["swing"].to_numpy(),
        "data_gap": e["data_gap"].to_numpy() & e["value_year"].notna(),
    }
    parts = []
    for kind, mask in masks.items():
        sub = e[np.asarray(mask)]
        if not sub.empty:
            parts.append(sub.assign(kind=kind))
    if not parts:
        return warnings_frame(rules, e.iloc[0:0], year, lang)
    w = pd.concat(parts, ignore_index=True)
    inds = rules.indicators
    smoothed_ind = {c for c, i in inds.items() if i.smoothing_years}
    w["name"] = [inds[c].name(lang) for c in w["indicator"].astype(str)]
    w["kind_label"] = [kind_label(k, lang) for k in w["kind"]]
    w["reason"] = [_reason(r, lang, str(r.indicator) in smoothed_ind, inds[str(r.indicator)]) for r in w.itertuples()]
    w["severity"] = w["kind"].map(SEVERITY)
    w = w.sort_values(["severity", "area_code", "indicator"]).drop(columns="severity")
    # "value" is the value judged (carried from its own year when none was reported in this one).
    return w.drop(columns="value").rename(columns={"value_used": "value"})[WARNING_COLUMNS].reset_index(drop=True)


def _reason(r, lang: str, rare_event: bool, ind: Indicator) -> str:
    """One sentence a leader can read out (loops over warnings, not observations)."""
    v, target, p = ind.format(r.value_used, lang), r.target_text, ind.format(r.projected_2030, lang)
    if r.kind == "binding_not_on_track":
        return t("warning_reason_binding", lang, value=v, target=target, status=status_label(str(r.status), lang))
    if r.kind == "fell_below":
        return t("warning_reason_fell_below", lang, value=v, target=target)
    if r.kind == "will_miss":
        return t("warning_reason_will_miss", lang, projected=p, target=target)
    if r.kind == "deterioration":
        return t(
            "warning_reason_deterioration",
            lang,
            value=v,
            baseline=ind.format(r.baseline, lang),
            year=int(r.baseline_year),
        )
    if r.kind == "swing":
        return t("warning_reason_swing_rare" if rare_event else "warning_reason_swing", lang)
    if r.kind == "data_gap":
        return t("warning_reason_data_gap", lang, year=int(r.value_year))
    return ""
