"""Sentences a committee writes about one indicator: how it changed, and which rule judged it.

- :func:`comparison_sentence` — "2024年为93.1%，比上年提高0.3个百分点，比2020年提高2.1个百分点，已提前实现
  规划目标": the change against the year before and against the baseline, in percentage points for
  rates (‰ in per-mille points, 1/10万 in its own unit), in per cent for counts and amounts;
- :func:`judgement_sentence` — the one-sentence account of the rule that gave a row its status
  (docs/method.md), shown on the indicator page.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ..checks import IMPROVE, RISE, CheckKind
from ..messages import t
from ..messages.numbers import decimals_for, format_number
from ..rules import Indicator, RuleSet, Settings

# Changes of a rate are told in points of its own unit; everything else in per cent.
_POINTS = {"%": "pp", "‰": "permille", "1/10万": "per_100k"}


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _num(x: Any) -> float | None:
    """A number, or None for a missing one (None or NaN)."""
    return None if _missing(x) else float(x)


def change_words(ind: Indicator, new: float, old: float, lang: str = "zh") -> str:
    """比上年提高0.3个百分点 / 0.3 points higher … — the size and direction of one change."""
    delta = new - old
    if abs(delta) < 10 ** -(decimals_for(ind.unit, ind.decimals) + 1):
        return t("change_same", lang)
    way = "up" if delta > 0 else "down"
    if ind.unit in _POINTS:
        size = format_number(abs(delta), decimals_for(ind.unit, ind.decimals))
        return t(f"change_{way}_{_POINTS[ind.unit]}", lang, size=size)
    if old == 0:
        return t(f"change_{way}_abs", lang, size=ind.format(abs(delta), lang))
    return t(f"change_{way}_pct", lang, size=format_number(abs(delta) / abs(old) * 100, 1))


def comparison_sentence(
    ind: Indicator,
    year: int,
    value: float | None,
    previous: float | None,
    baseline: float | None,
    baseline_year: float | None,
    status: str,
    lang: str = "zh",
    target_year: int = 2030,
) -> str:
    """One indicator's year in the committee's words; no value in ``year`` says so."""
    now, before, base, base_year = _num(value), _num(previous), _num(baseline), _num(baseline_year)
    if now is None:
        return t("compare_no_value", lang, year=year)
    parts = [t("compare_value", lang, year=year, value=ind.format(now, lang))]
    if before is not None:
        parts.append(t("compare_previous", lang, change=change_words(ind, now, before, lang)))
    if base is not None and base_year is not None and int(base_year) < year:
        change = change_words(ind, now, base, lang)
        parts.append(t("compare_baseline", lang, year=int(base_year), change=change))
    verdict = {
        "achieved": "compare_achieved_final" if year >= target_year else "compare_achieved",
        "not_achieved": "compare_not_achieved",
        "on_track": "compare_on_track",
        "needs_acceleration": "compare_needs_acceleration",
        "limited": "compare_limited",
        "deterioration": "compare_deterioration",
    }.get(status)
    if verdict:
        parts.append(t(verdict, lang))
    return t("compare_join", lang).join(parts) + t("compare_end", lang)


def judgement_sentence(row: Any, ind: Indicator, check: CheckKind, settings: Settings, lang: str = "zh") -> str:
    """Which rule judged an evaluated row (a row of ``evaluate``) against ``check``, in one sentence."""
    status = str(row.status)
    year = int(row.year)
    value_year = None if _missing(row.value_year) else int(row.value_year)
    if status == "no_data":
        if value_year is None:
            return t("judged_no_value", lang, year=year)
        if year >= settings.target_year and settings.method.deadline_rule and value_year < settings.target_year:
            return t("judged_deadline_no_value", lang, year=year, value_year=value_year)
        if bool(getattr(row, "reference_missing", False)):
            return t("judged_reference_missing", lang)
        return t("judged_single_point", lang, year=value_year)
    if year >= settings.target_year and settings.method.deadline_rule:
        return t("judged_deadline_met" if status == "achieved" else "judged_deadline_missed", lang, year=year)
    if status == "achieved":
        return t("judged_met", lang, year=value_year)
    span = f"{int(row.baseline_year)}–{value_year}"
    ratio = float(row.ratio)
    if check.engine_row(ind.direction, settings).family in (IMPROVE, RISE):
        nt = settings.no_target_thresholds
        return t(
            "judged_direction",
            lang,
            span=span,
            growth=f"{ratio * 100:+.2f}",
            on_track=f"{nt.on_track * 100:g}",
            slow=f"{nt.needs_acceleration * 100:g}",
        )
    tt = settings.target_thresholds
    r_text = "∞" if math.isinf(ratio) and ratio > 0 else ("−∞" if math.isinf(ratio) else f"{ratio:.2f}")
    return t(
        "judged_ratio",
        lang,
        span=span,
        target_year=settings.target_year,
        ratio=r_text,
        on_track=f"{tt.on_track:g}",
        slow=f"{tt.needs_acceleration:g}",
    )


def comparison_frame(rules: RuleSet, evaluated: pd.DataFrame, area: str, year: int, lang: str = "zh") -> pd.DataFrame:
    """One comparison sentence per indicator of ``area`` in ``year`` (plan order): code, sentence.

    ``evaluated`` must hold the year before too, for the change against it (an evaluation of all
    years, or at least ``year - 1`` and ``year``).
    """
    mine = evaluated[evaluated["area_code"].astype(str) == area]
    now = mine[mine["year"] == year].set_index(mine[mine["year"] == year]["indicator"].astype(str))
    before = mine[mine["year"] == year - 1]
    previous = dict(zip(before["indicator"].astype(str), before["value"]))
    rows = []
    for ind in rules.indicators_for(area):  # each as the area defines it (its name, its unit)
        code = ind.code
        if code not in now.index:
            continue
        r = now.loc[code]
        sentence = comparison_sentence(
            ind,
            year,
            r["value"],
            previous.get(code),
            r["baseline"],
            r["baseline_year"],
            str(r["status"]),
            lang,
            rules.settings.target_year,
        )
        rows.append({"code": code, "name": ind.name(lang), "sentence": sentence})
    return pd.DataFrame(rows, columns=["code", "name", "sentence"])
