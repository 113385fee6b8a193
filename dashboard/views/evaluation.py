"""评估 Evaluation: the plan's indicator table for an area and evaluation year."""

from __future__ import annotations

import pandas as pd

from ..engine.evaluation import domain_summary as evaluation_lines
from ..engine.evaluation import evaluation_table
from ..engine.periods import final_evaluations as engine_final_evaluations
from ..engine.practice import attainment, class_counts
from ..engine.sentences import comparison_frame
from ..rules import RuleSet, attribute_label
from .common import EMPTY_EVALUATION, slice_ev, with_not_monitored, years_of

EVAL_COLUMNS = [
    "domain_name",
    "number",
    "code",
    "name",
    "unit",
    "target_text",
    "attribute_label",
    "baseline",
    "value",
    "status",
    "label",
    "note",
]


def evaluation_years(ev: pd.DataFrame, rules: RuleSet) -> tuple[list[int], int]:
    """The years an evaluation can be run for and the default: the 2025 mid-term evaluation when the
    data reach it, the final year (2030) when present, else the latest year."""
    years = years_of(ev, rules)
    mid = 2025
    target = rules.settings.target_year
    if target in years:
        default = target
    elif mid in years:
        default = mid
    else:
        default = years[-1] if years else rules.settings.plan_period.start
    return years, default


def evaluation_kind(rules: RuleSet, year: int) -> str | None:
    """'midterm' for 2025, 'final' for the plan's target year, else None."""
    if year == rules.settings.target_year:
        return "final"
    if year == 2025:
        return "midterm"
    return None


def practice(ev: pd.DataFrame, rules: RuleSet, area: str, year: int, lang: str = "zh") -> tuple[dict, pd.DataFrame]:
    """达标率 and the four-class counts of one area and evaluation year (docs/method.md, part C)."""
    part = slice_ev(ev, area, year) if ev is not None and len(ev) else EMPTY_EVALUATION
    part = with_not_monitored(part, rules, area)
    return attainment(part), class_counts(part, lang, final=year >= rules.settings.target_year)


def comparisons(ev: pd.DataFrame, rules: RuleSet, area: str, year: int, lang: str = "zh") -> pd.DataFrame:
    """Per indicator: its year against the year before and the baseline, in the committee's words."""
    if ev is None or ev.empty:
        return pd.DataFrame(columns=["code", "name", "sentence"])
    return comparison_frame(rules, ev, area, year, lang)


def evaluation_view(
    ev: pd.DataFrame, rules: RuleSet, area: str, year: int, lang: str = "zh"
) -> tuple[pd.DataFrame, list[str]]:
    """The plan's own indicator table for one area and year (plan order) and one line per domain.

    Table columns: ``EVAL_COLUMNS`` (value = the value used in that year; label = status in words).
    """
    if ev is None or ev.empty or "value_used" not in ev:
        ev = EMPTY_EVALUATION.assign(value_used=pd.Series(dtype=float))
    table = evaluation_table(rules, ev, area, year, lang)
    if table.empty:
        return pd.DataFrame(columns=EVAL_COLUMNS), []
    lines = evaluation_lines(rules, table, lang)
    # An indicator the area does not monitor says why in its status.
    label = [
        f"{lab}（{why}）" if why and lang != "en" else f"{lab} ({why})" if why else lab
        for lab, why in zip(table["status_label"], table["not_monitored_reason"])
    ]
    out = table.assign(attribute_label=[attribute_label(a, lang) for a in table["attribute"]], label=label)
    for c in ("baseline", "value"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    return out[EVAL_COLUMNS].reset_index(drop=True), lines


def final_evaluations(obs: pd.DataFrame, rules: RuleSet, area: str, lang: str = "zh") -> list[dict]:
    """The final evaluation of every previous plan for ``area``, latest first
    (:func:`dashboard.engine.periods.final_evaluations`, in a view's argument order); ``obs``: the
    stored values."""
    return engine_final_evaluations(rules, obs, area, lang)
