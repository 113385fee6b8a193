"""预警 Early warnings: filtered, ordered, counted."""

from __future__ import annotations

import pandas as pd

from ..engine import status_label
from ..engine.warnings import KINDS, SEVERITY, kind_label, warnings_frame
from ..rules import RuleSet, attribute_label
from .common import EMPTY_EVALUATION, area_options
from .tasks import indicator_lead_units


def warning_kinds() -> list[str]:
    return list(KINDS)


def warning_kind_label(kind: str, lang: str = "zh") -> str:
    return kind_label(kind, lang)


def warnings_view(
    ev: pd.DataFrame,
    rules: RuleSet,
    year: int,
    lang: str = "zh",
    areas: list[str] | None = None,
    kinds: list[str] | None = None,
    binding_only: bool = False,
) -> pd.DataFrame:
    """Warnings of ``year`` (``early_warning.warnings_frame``), filtered, areas in the picker's order.

    Columns: those of ``warnings_frame`` plus attribute_label, label (the status in words),
    lead_units (of the tasks linked to the indicator) and area_order.
    """
    part = ev
    if areas:
        part = ev[ev["area_code"].astype(str).isin([str(a) for a in areas])]
    if part is None or part.empty or "will_miss" not in part:
        w = warnings_frame(
            rules, part.iloc[0:0] if part is not None and "will_miss" in part else EMPTY_EVALUATION, year, lang
        )
    else:
        w = warnings_frame(rules, part, year, lang)
    if kinds:
        w = w[w["kind"].isin(kinds)]
    if binding_only:
        w = w[w["attribute"].astype(str) == "binding"]
    w = w.copy()
    w["area_code"] = w["area_code"].astype(str)
    w["area_name"] = w["area_name"].astype(str)
    w["indicator"] = w["indicator"].astype(str)
    order = {c: k for k, c in enumerate(area_options(rules))}
    w["area_order"] = w["area_code"].astype(str).map(order)
    w["attribute_label"] = [attribute_label(str(a), lang) for a in w["attribute"]]
    w["label"] = [status_label(str(s), lang) for s in w["status"]]
    leads = indicator_lead_units(rules, lang)
    w["lead_units"] = [leads.get(str(c), "") for c in w["indicator"]]
    w["_sev"] = w["kind"].map(SEVERITY)
    w = w.sort_values(["area_order", "_sev", "indicator"], kind="stable").drop(columns="_sev")
    return w.reset_index(drop=True)


def warning_counts(warnings_: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Number of warnings of each kind (every kind, zeros kept). Columns: kind, label, n."""
    counts = warnings_["kind"].value_counts() if len(warnings_) else pd.Series(dtype=int)
    return pd.DataFrame(
        [{"kind": k, "label": kind_label(k, lang), "n": int(counts.get(k, 0))} for k in warning_kinds()],
        columns=["kind", "label", "n"],
    )


def top_warnings(warnings_: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The ``n`` most severe warnings, one per indicator (binding first, then by kind)."""
    if warnings_.empty:
        return warnings_
    w = warnings_.assign(
        _sev=warnings_["kind"].map(SEVERITY), _bind=(warnings_["attribute"].astype(str) != "binding").astype(int)
    )
    w = w.sort_values(["_sev", "_bind", "area_order", "indicator"], kind="stable")
    w = w.drop_duplicates(["area_code", "indicator"])
    return w.head(n).drop(columns=["_sev", "_bind"]).reset_index(drop=True)
