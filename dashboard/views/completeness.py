"""Completeness (填报完整性): every (area, indicator) value due for a year, who owes it and its state.

A value is due when its indicator has a reporting unit for the area's level (``rules/reporting.yaml``)
and the area monitors it. Its state comes from what is stored: today 未报 (missing) or 已报
(reported). :class:`State` is the one vocabulary; the review states (已报待审, 已审核, 退回,
无法取得) are members to add, with their words, when uploads become submissions — the frames,
counts and the chase list below group by the state column and need no change. Pure pandas.
"""

from __future__ import annotations

from enum import StrEnum

import pandas as pd

from ..messages import Code, Problem, t
from ..rules import RuleSet, TaskCatalogue
from ..rules.reporting import area_level
from ..rules.workplan import resolve_unit


class State(StrEnum):
    """The state of one due value (value = the catalogue key's suffix)."""

    MISSING = "missing"
    REPORTED = "reported"

    def label(self, lang: str) -> str:
        return t(f"completeness_state_{self.value}", lang)


# The states a clerk still chases (a returned value would join them).
CHASE_STATES = frozenset({State.MISSING})
# The states that count as reported in 填报完整率 (approved and submitted values would join them).
DONE_STATES = frozenset({State.REPORTED})

COLUMNS = [
    "unit",
    "unit_name",
    "area",
    "area_name",
    "indicator",
    "indicator_name",
    "due",
    "state",
    "state_label",
]


class CompletenessError(Exception):
    """A question completeness cannot answer (a year outside the plan, an unknown unit): ``problem`` says why."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message_en)
        self.problem = problem


def check_year(rules: RuleSet, year: int) -> None:
    """Completeness is counted for the current plan's years only (its reporting units name its indicators)."""
    s = rules.settings
    start, end = s.baseline_year + 1, s.target_year
    if not start <= year <= end:
        raise CompletenessError(Problem(Code.COMPLETENESS_YEAR, {"year": year, "start": start, "end": end}))


def unit_code(cat: TaskCatalogue, text: str | None) -> str | None:
    """A unit code from a code or any name of the unit; None for no filter. Unknown: CompletenessError."""
    if text is None or text == "":
        return None
    code = text if text in cat.units else resolve_unit(cat, text)
    if code is None:
        from ..rules import closest
        from ..rules.validation import did_you_mean

        guess = closest(text, [*cat.units, *(u.name_zh for u in cat.units.values())])
        raise CompletenessError(Problem(Code.UNKNOWN_UNIT_COMPLETENESS, {"name": text, "hint": did_you_mean(guess)}))
    return code


def due_frame(rules: RuleSet, cat: TaskCatalogue) -> pd.DataFrame:
    """Every (area, indicator) a unit must report each year: area, indicator, unit, due_month."""
    reporting = cat.reporting
    rows = []
    for area in rules.areas:
        level = area_level(rules, area)
        for ind in rules.indicators_for(area):
            if rules.not_monitored_in(area, ind.code) is not None:
                continue
            a = reporting.for_indicator(ind.code)
            unit = a.unit_for(level) if a is not None else None
            if a is None or not unit:
                continue
            rows.append((area, ind.code, unit, a.due_month))
    return pd.DataFrame(rows, columns=["area", "indicator", "unit", "due_month"])


def completeness(
    values: pd.DataFrame, rules: RuleSet, cat: TaskCatalogue, year: int, unit: str | None = None, lang: str = "zh"
) -> pd.DataFrame:
    """One row per value due for ``year`` (``unit``: only that unit's), in unit, area and plan order.

    ``values``: what is stored — any frame with ``area, indicator, year`` and ``value`` (the store's
    current values); a row with a value is reported. Columns: :data:`COLUMNS` (``due`` as
    ``YYYY-MM``, the month of the following year).
    """
    check_year(rules, year)
    due = due_frame(rules, cat)
    if unit is not None:
        due = due[due["unit"] == unit]
    stored = values[(values["year"] == year) & values["value"].notna()][["area", "indicator"]].astype(str)
    reported = pd.MultiIndex.from_frame(stored.drop_duplicates())
    keys = pd.MultiIndex.from_frame(due[["area", "indicator"]])
    state = pd.Series(State.MISSING.value, index=due.index)
    state[keys.isin(reported)] = State.REPORTED.value
    area_order = {a: k for k, a in enumerate(rules.areas)}
    unit_order = {u: k for k, u in enumerate(cat.units)}
    ind_order = {i: k for k, i in enumerate(rules.indicators)}
    labels = {s.value: s.label(lang) for s in State}
    frame = pd.DataFrame(
        {
            "unit": due["unit"],
            "unit_name": [cat.unit_name(u, lang) for u in due["unit"]],
            "area": due["area"],
            "area_name": [rules.area_name(a, lang) for a in due["area"]],
            "indicator": due["indicator"],
            "indicator_name": [rules.indicator_for(a, i).name(lang) for a, i in zip(due["area"], due["indicator"])],
            "due": [f"{year + 1}-{m:02d}" for m in due["due_month"]],
            "state": state,
            "state_label": state.map(labels),
            "_u": due["unit"].map(unit_order),
            "_a": due["area"].map(area_order),
            "_i": due["indicator"].map(ind_order),
        }
    )
    frame = frame.sort_values(["_u", "_a", "_i"], kind="stable").drop(columns=["_u", "_a", "_i"])
    return frame.reset_index(drop=True)[COLUMNS]


def summary(frame: pd.DataFrame) -> dict[str, float | int]:
    """due, reported, missing and rate (reported ÷ due, None when nothing is due) of a completeness frame."""
    due = len(frame)
    done = int(frame["state"].isin(DONE_STATES).sum())
    chase = int(frame["state"].isin(CHASE_STATES).sum())
    return {"due": due, "reported": done, "missing": chase, "rate": (done / due) if due else None}


def counts(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Counts per ``by`` (``unit`` or ``area``): code, name, due, reported, missing, rate; worst rate first."""
    name = f"{by}_name"
    out = (
        frame.assign(
            _done=frame["state"].isin(DONE_STATES).astype(int), _chase=frame["state"].isin(CHASE_STATES).astype(int)
        )
        .groupby([by, name], sort=False)
        .agg(due=("state", "size"), reported=("_done", "sum"), missing=("_chase", "sum"))
        .reset_index()
        .rename(columns={by: "code", name: "name"})
    )
    out["rate"] = out["reported"] / out["due"]
    return out.sort_values(["rate", "missing"], ascending=[True, False], kind="stable").reset_index(drop=True)


def chase_list(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The values still to chase, with the headers a clerk sends out (in ``lang``)."""
    rows = frame[frame["state"].isin(CHASE_STATES)]
    rows = rows.assign(state_label=[State(v).label(lang) for v in rows["state"]])
    columns = {
        "unit_name": "col_completeness_unit",
        "unit": "col_completeness_unit_code",
        "area_name": "col_completeness_area",
        "area": "col_completeness_area_code",
        "indicator": "col_completeness_indicator",
        "indicator_name": "col_completeness_indicator_name",
        "due": "col_completeness_due",
        "state_label": "col_completeness_state",
    }
    return rows[list(columns)].rename(columns={k: t(v, lang) for k, v in columns.items()}).reset_index(drop=True)


def rate_text(rate: float | None) -> str:
    """填报完整率 as shown: ``93.4%`` (``—`` when nothing is due)."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


def page_data(values: pd.DataFrame, rules: RuleSet, year: int, unit: str | None, lang: str) -> dict:
    """What the completeness page shows (``ui.view``-shaped: values first, rules second): the rows,
    the summary, the counts by unit and by area."""
    from ..rules import catalogue_for

    frame = completeness(values, rules, catalogue_for(rules), year, unit or None, lang)
    return {
        "frame": frame,
        "summary": summary(frame),
        "by_unit": counts(frame, "unit"),
        "by_area": counts(frame, "area"),
    }


def missing_count(values: pd.DataFrame, rules: RuleSet, year: int) -> dict[str, float | int] | None:
    """The overview's reminder: the summary of every unit for ``year`` (None outside the plan or without
    reporting.yaml)."""
    from ..rules import catalogue_for

    cat = catalogue_for(rules)
    if cat.reporting.file is None:
        return None
    try:
        return summary(completeness(values, rules, cat, year))
    except CompletenessError:
        return None


def who_reports(rules: RuleSet, code: str, lang: str = "zh") -> dict:
    """The indicator page's 监测任务分工: ``city`` and ``district`` as (unit code, unit name) or None,
    ``due_month``, ``note``, ``unassigned`` (the reason nobody reports it) — all None without reporting.yaml."""
    from ..rules import catalogue_for

    cat = catalogue_for(rules)
    a = cat.reporting.for_indicator(code)
    gap = cat.reporting.unassigned.get(code)
    return {
        "known": cat.reporting.file is not None,
        "city": (a.city, cat.unit_name(a.city, lang)) if a is not None and a.city else None,
        "district": (a.district, cat.unit_name(a.district, lang)) if a is not None and a.district else None,
        "due_month": a.due_month if a is not None else None,
        "note": a.note if a is not None else None,
        "unassigned": gap.reason if gap is not None else None,
    }


def unit_reports(rules: RuleSet, unit: str, lang: str = "zh") -> pd.DataFrame:
    """The indicators ``unit`` reports, for the units page: indicator, name, level (words), due_month."""
    from ..rules import catalogue_for

    cat = catalogue_for(rules)
    rows = [
        {
            "indicator": code,
            "name": rules.indicators[code].name(lang),
            "level": t(f"reporting_level_{level}", lang),
            "due_month": cat.reporting.assignments[code].due_month,
        }
        for code, level in cat.reporting.indicators_of(unit)
        if code in rules.indicators
    ]
    return pd.DataFrame(rows, columns=["indicator", "name", "level", "due_month"])


def unit_reports_table(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """:func:`unit_reports` with the headers and the due month in words, for the units page's table."""
    return pd.DataFrame(
        {
            t("col_completeness_indicator", lang): frame["indicator"],
            t("col_completeness_indicator_name", lang): frame["name"],
            t("reporting_level_col", lang): frame["level"],
            t("col_completeness_due", lang): [t("reporting_due_month", lang, month=m) for m in frame["due_month"]],
        }
    )
