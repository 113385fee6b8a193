"""总览 Overview: counts by status, the domains, what needs attention."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..engine import (
    GOOD,
    SEVERITY,
    STATUSES,
    flags_words,
    status_label,
    statuses_for,
)
from ..engine.practice import attainment, class_counts
from ..messages import colon, t
from ..messages.numbers import MISSING
from ..rules import RuleSet, attribute_label
from .common import (
    indicator_meta,
    slice_ev,
    status_strings,
    with_latest,
    with_not_monitored,
)
from .tasks import indicator_lead_units

WARNING_FLAGS = ("fell_below", "will_miss", "near_miss", "may_slip", "swing")


def status_counts(ev: pd.DataFrame, area: str, year: int, lang: str = "zh", target_year: int = 2030) -> pd.DataFrame:
    """Counts of indicators by status for one area and year, every status (zeros kept) — "not
    achieved" from the target year on, when a target can only be met or not.

    Columns: status, label, total, binding, expected.
    """
    part = slice_ev(ev, area, year)
    st = status_strings(part["status"])
    rows = []
    for s in statuses_for(year, target_year):
        hit = st == s
        rows.append(
            {
                "status": s,
                "label": status_label(s, lang),
                "total": int(hit.sum()),
                "binding": int((hit & (part["attribute"] == "binding")).sum()),
                "expected": int((hit & (part["attribute"] == "expected")).sum()),
            }
        )
    return pd.DataFrame(rows, columns=["status", "label", "total", "binding", "expected"])


def practice_summary(
    ev: pd.DataFrame, rules: RuleSet, area: str, year: int, lang: str = "zh"
) -> tuple[list[dict[str, str]], str]:
    """The committee's own measures for one area and year (docs/method.md, part C), as shown:

    the 达标率 of all, binding and expected indicators (``label``, ``value`` "28.9%" or "—",
    ``help`` "28.9%（26/90）"), and the four classes in one line ("评估分类：提前达标 26 · …").
    """
    part = with_not_monitored(slice_ev(ev, area, year), rules, area)
    rates = attainment(part)
    metrics = [
        {
            "label": t(title, lang),
            "value": MISSING if rates[group].rate is None else f"{rates[group].rate * 100:.1f}%",
            "help": rates[group].text(lang),
        }
        for group, title in (
            ("all", "all_indicators"),
            ("binding", "binding_indicators"),
            ("expected", "expected_indicators"),
        )
    ]
    counts = class_counts(part, lang, final=year >= rules.settings.target_year)
    parts = " · ".join(f"{r.label} {r.total}" for r in counts.itertuples())
    return metrics, f"{t('classes_title', lang)}{colon(lang)}{parts}"


def domain_status(ev: pd.DataFrame, rules: RuleSet, area: str, year: int, lang: str = "zh") -> pd.DataFrame:
    """Indicators per domain and status for one area and year (only non-zero cells).

    Columns: plan, domain, domain_name, domain_order, status, label, n.
    """
    part = slice_ev(ev, area, year)
    meta = indicator_meta(rules, lang, area)
    cols = ["plan", "domain", "domain_name", "domain_order", "status", "label", "n"]
    if part.empty or meta.empty:
        return pd.DataFrame(columns=cols)
    merged = pd.DataFrame(
        {"indicator": part["indicator"].astype(str).to_numpy(), "status": status_strings(part["status"]).to_numpy()}
    ).merge(meta, on="indicator")
    dom_order = {key: k for k, key in enumerate(rules.domains)}
    g = merged.groupby(["plan", "domain", "domain_name", "status"], observed=True).size().reset_index(name="n")
    g["domain_order"] = [dom_order.get((p, d), 999) for p, d in zip(g["plan"], g["domain"])]
    g["label"] = [status_label(s, lang) for s in g["status"]]
    g["_s"] = g["status"].map({s: k for k, s in enumerate(STATUSES)})
    g = g.sort_values(["domain_order", "_s"]).drop(columns="_s").reset_index(drop=True)
    g["n"] = g["n"].astype(int)
    return g[cols]


def attention_list(ev: pd.DataFrame, rules: RuleSet, area: str, year: int, lang: str = "zh") -> pd.DataFrame:
    """What a leader should look at: binding indicators not achieved or on track, and any indicator
    with a warning (projected to miss, may slip, unusual swing). Most worrying first.

    Columns: indicator, name, attribute, attribute_label, status, label, value_used, value_text, unit,
    target_text, reason, lead_units (the lead units of the work-plan tasks linked to the indicator,
    empty when none).
    """
    cols = [
        "indicator",
        "name",
        "attribute",
        "attribute_label",
        "status",
        "label",
        "value_used",
        "value_text",
        "unit",
        "target_text",
        "reason",
        "lead_units",
    ]
    part = slice_ev(ev, area, year)
    if part.empty:
        return pd.DataFrame(columns=cols)
    st = status_strings(part["status"])
    binding_bad = (part["attribute"] == "binding") & ~st.isin(GOOD)
    warned = np.zeros(len(part), dtype=bool)
    for f in WARNING_FLAGS:
        warned |= part[f].to_numpy(dtype=bool)
    sel = part.loc[binding_bad.to_numpy() | warned]
    sel = with_latest(sel, ev, rules, lang)
    if sel.empty:
        return pd.DataFrame(columns=cols)
    meta = indicator_meta(rules, lang, area).set_index("indicator")
    codes = sel["indicator"].astype(str)
    sel_st = status_strings(sel["status"])
    words = flags_words(sel, lang, WARNING_FLAGS)
    reasons = []
    sep = "；" if lang != "en" else "; "
    for is_bind, s, w in zip((sel["attribute"] == "binding") & ~sel_st.isin(GOOD), sel_st, words):
        parts = [t("reason_binding", lang, status=status_label(s, lang))] if is_bind else []
        if w:
            parts.append(w)
        reasons.append(sep.join(parts))
    out = pd.DataFrame(
        {
            "indicator": codes.to_numpy(),
            "name": [meta.at[c, "name"] for c in codes],
            "attribute": sel["attribute"].to_numpy(),
            "attribute_label": [attribute_label(a, lang) for a in sel["attribute"]],
            "status": sel_st.to_numpy(),
            "label": [status_label(s, lang) for s in sel_st],
            "value_used": sel["value_used"].to_numpy(),
            "unit": [meta.at[c, "unit"] for c in codes],
            "target_text": sel["target_text"].to_numpy(),
            "reason": reasons,
        }
    )
    out["value_text"] = sel["value_text"].to_numpy()
    leads = indicator_lead_units(rules, lang)
    out["lead_units"] = [leads.get(c, "") for c in out["indicator"]]
    out["_bind"] = (out["attribute"] != "binding").astype(int)
    out["_sev"] = out["status"].map(SEVERITY)
    out["_order"] = [meta.at[c, "order"] for c in out["indicator"]]
    out = out.sort_values(["_bind", "_sev", "_order"]).drop(columns=["_bind", "_sev", "_order"])
    return out.reset_index(drop=True)[cols]
