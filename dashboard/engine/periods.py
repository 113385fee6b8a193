"""Plan periods: each year judged by the plan whose years contain it, and a plan's final evaluation.

The rules may hold previous plans beside the current one (``rules/periods/2011-2020/``, see
``dashboard/rules/periods.py``). :func:`evaluate_by_plan` judges each asked year against the plan
whose years contain it — 2020 against the 2011–2020 plan, 2024 against the 2021–2030 one — with
the same kernel (:func:`~.progress.evaluate`) on that plan's own targets and years, and says which
plan judged each row (``plan_period``). :func:`final_evaluation` is the table a committee hands
round when a plan ends: each indicator's value of the target year against the plan's target, met or
not, and by how much, in the plan's order.
"""

from __future__ import annotations

import math

import pandas as pd

from ..messages import t
from ..messages.numbers import format_value, unit_label
from ..rules import MethodSettings, RuleSet
from .evaluation import evaluation_table
from .progress import evaluate

FINAL_COLUMNS = [
    "plan_period",
    "domain_name",
    "number",
    "code",
    "name",
    "unit",
    "target_text",
    "attribute",
    "attribute_label",
    "value",
    "value_text",
    "met",
    "met_label",
    "margin",
    "margin_text",
    "status",
    "note",
]


def plan_named(rules: RuleSet, period: str) -> RuleSet:
    """The plan of ``period`` (``2011-2020``, or the current plan's own key); KeyError if none."""
    if period == rules.period_key:
        return rules
    return rules.periods[period]


def evaluate_by_plan(
    rules: RuleSet,
    obs: pd.DataFrame,
    years: list[int] | None = None,
    areas: list[str] | None = None,
    method: MethodSettings | None = None,
    period: str | None = None,
) -> pd.DataFrame:
    """:func:`~.progress.evaluate` with each year judged by its plan, plus the column ``plan_period``.

    ``period`` chooses one plan for every year (its years when ``years`` is None); otherwise each of
    ``years`` goes to the plan whose years contain it, and no ``years`` means the current plan's.
    """
    if period is not None:
        plan = plan_named(rules, period)
        return evaluate(plan, obs, years=years, areas=areas, method=method).assign(plan_period=plan.period_key)
    if not years or not rules.periods:
        return evaluate(rules, obs, years=years, areas=areas, method=method).assign(plan_period=rules.period_key)
    by_plan: dict[str, list[int]] = {}
    for year in years:
        by_plan.setdefault(rules.plan_for_year(year).period_key, []).append(year)
    parts = [
        evaluate(plan_named(rules, key), obs, years=ys, areas=areas, method=method).assign(plan_period=key)
        for key, ys in by_plan.items()
    ]
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def final_evaluation(plan: RuleSet, evaluated: pd.DataFrame, area: str, lang: str = "zh") -> pd.DataFrame:
    """``plan``'s final evaluation for ``area`` from its evaluation (:func:`evaluate_by_plan`): per
    indicator in the plan's order, the target, the value of the target year, met or not and the
    margin (in percentage points for a percentage)."""
    year = plan.settings.target_year
    table = evaluation_table(plan, evaluated, area, year, lang)
    if table.empty:
        return pd.DataFrame(columns=FINAL_COLUMNS)
    e = evaluated[(evaluated["area_code"].astype(str) == area) & (evaluated["year"] == year)]
    e = e.set_index(e["indicator"].astype(str))
    rows = []
    for r in table.itertuples():
        ind = plan.indicator_for(area, r.code)
        judged = e.loc[r.code] if r.code in e.index and r.status not in ("no_data", "not_monitored") else None
        # Only a value of the target year itself answers "met by the deadline" (the deadline rule).
        final = judged if judged is not None and judged["value_year"] == year else None
        met = bool(final["met"]) if final is not None else None
        margin = float(final["margin"]) if final is not None and pd.notna(final["margin"]) else math.nan
        value = float(final["value_used"]) if final is not None else math.nan
        rows.append(
            {
                "plan_period": plan.period_key,
                "domain_name": r.domain_name,
                "number": r.number,
                "code": r.code,
                "name": r.name,
                "unit": r.unit,
                "target_text": r.target_text,
                "attribute": r.attribute,
                "attribute_label": r.attribute_label,
                "value": value,
                "value_text": ind.format(None if math.isnan(value) else value, lang),
                "met": met,
                "met_label": t("final_met" if met else "final_not_met", lang)
                if met is not None
                else t("final_unknown" if r.status != "not_monitored" else "status_not_monitored", lang),
                "margin": margin,
                "margin_text": margin_text(margin, ind.unit, lang, has_value=not math.isnan(_target(judged))),
                "status": r.status if met is None else ("achieved" if met else "not_achieved"),
                "note": r.note,
            }
        )
    return pd.DataFrame(rows, columns=FINAL_COLUMNS)


def _target(judged: pd.Series | None) -> float:
    if judged is None or pd.isna(judged.get("target_value")):
        return math.nan
    return float(judged["target_value"])


def margin_text(margin: float, unit: str, lang: str = "zh", has_value: bool = True) -> str:
    """How far a final value is past its target (``超出 1.6 个百分点``) or short of it (``差 0.4 个百分点``);
    for a target without a value to reach (提高), the change against the baseline beyond what it needs."""
    if math.isnan(margin):
        return ""
    amount = (
        t("final_points", lang, x=f"{abs(margin):.2f}".rstrip("0").rstrip("."))
        if unit == "%"
        else f"{format_value(abs(margin), unit, lang)}"
    )
    if not has_value:
        return t("final_change_better" if margin > 0 else "final_change_short", lang, amount=amount)
    if margin == 0:
        return t("final_on_target", lang)
    return t("final_better" if margin > 0 else "final_short", lang, amount=amount, unit=unit_label(unit, lang))


def final_summary(table: pd.DataFrame, lang: str = "zh") -> str:
    """``12 项达标，3 项未达标，2 项无终期数据`` for a final evaluation table."""
    met = int((table["met"] == True).sum())  # noqa: E712 - a column of True/False/None
    missed = int((table["met"] == False).sum())  # noqa: E712
    return t("final_summary", lang, met=met, missed=missed, unknown=len(table) - met - missed)


def final_evaluations(rules: RuleSet, obs: pd.DataFrame | None, area: str, lang: str = "zh") -> list[dict]:
    """The final evaluation of every previous plan (``rules/periods/``), latest first, for ``area``:
    ``period`` (2011-2020), ``name``, ``source``, ``year`` (its target year), ``table``
    (:func:`final_evaluation`) and ``summary`` (met / not met / no value).

    ``obs``: the stored values (area, indicator, year, value); each previous plan judges its own years.
    """
    out = []
    data = obs[["area", "indicator", "year", "value"]] if obs is not None and len(obs) else None
    for plan in sorted(rules.periods.values(), key=lambda p: -p.settings.target_year):
        year = plan.settings.target_year
        ev = evaluate_by_plan(rules, data, years=[year], areas=[area], period=plan.period_key)
        table = final_evaluation(plan, ev, area, lang)
        spec = plan.period
        name = (spec.name_en if lang == "en" else spec.name_zh) if spec else plan.period_key
        # A heading names the plan with its years once: most plans print them in their name already.
        printed = plan.period_key.split("-")[0] in name
        title = name if printed else (f"{name} ({plan.period_key})" if lang == "en" else f"{name}（{plan.period_key}）")
        out.append(
            {
                "period": plan.period_key,
                "name": name,
                "title": title,
                "source": spec.source if spec else "",
                "year": year,
                "table": table,
                "summary": final_summary(table, lang),
            }
        )
    return out
