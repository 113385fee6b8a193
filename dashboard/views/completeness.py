"""Completeness (填报完整性): every (area, indicator) value due for a year, who owes it and its state.

A value is due when its indicator has a reporting unit for the area's level (``rules/reporting.yaml``)
and the area monitors it. Its :class:`State` comes from what is stored (:func:`stored_states`):

- a current value (any active batch's newest version with a number) is in its review state —
  已报待审 submitted, 已审核 approved, 退回 returned (with the approver's comment);
- without one, a standing 无法取得 statement makes it not obtainable (with the unit's reason);
- otherwise it is 未报 missing. A stored value wins over a statement: the figure was found after all.

What counts (:func:`summary`, :func:`counts`):

- 填报完整率 (``rate``) = reported ÷ due, where *reported* is submitted + approved + returned — the
  unit did report a figure, even one sent back. Not-obtainable values are neither reported nor
  missing: they are counted apart (``not_obtainable``) and lower the rate, as a gap in the
  monitoring they are;
- 审核完成率 (``review_rate``) = approved ÷ due;
- the chase list (:data:`CHASE_STATES`) holds what a unit still owes: missing and returned values;
- *late*: a missing value after its due month (``due`` is ``YYYY-MM`` of the following year; from the
  first day of the next month on, ``today`` — injectable, the real date by default — is late).

Pure pandas; the ``…_of(store, …)`` functions read the store and call the frame functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import pandas as pd

from ..messages import Code, Problem, separator, t
from ..rules import RuleSet, TaskCatalogue
from ..rules.reporting import area_level
from ..rules.workplan import resolve_unit


class State(StrEnum):
    """The state of one due value (value = the catalogue key's suffix, and for the three review
    states the value of ``store.review.ReviewState``)."""

    MISSING = "missing"  # 未报
    SUBMITTED = "submitted"  # 已报待审
    APPROVED = "approved"  # 已审核
    RETURNED = "returned"  # 退回
    NOT_OBTAINABLE = "not_obtainable"  # 无法取得

    def label(self, lang: str) -> str:
        return t(f"completeness_state_{self.value}", lang)


# The states a clerk still chases: nothing reported, or reported and sent back.
CHASE_STATES = frozenset({State.MISSING, State.RETURNED})
# The states that count as reported in 填报完整率 (a returned figure was reported, then sent back).
DONE_STATES = frozenset({State.SUBMITTED, State.APPROVED, State.RETURNED})
# The review states a stored value can be in (``observations.review``).
REVIEW_STATES = frozenset({State.SUBMITTED, State.APPROVED, State.RETURNED})

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
    "comment",
    "late",
]
# The counts of :func:`summary` and :func:`counts`, one per state and the derived ones.
STATE_COUNTS = ["missing", "submitted", "approved", "returned", "not_obtainable"]


class CompletenessError(Exception):
    """A question completeness cannot answer (a year outside the plan, an unknown unit): ``problem`` says why."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message_en)
        self.problem = problem


def plan_years(rules: RuleSet) -> tuple[int, int]:
    """The current plan's first and last year (the years values are due for)."""
    s = rules.settings
    return s.baseline_year + 1, s.target_year


def check_year(rules: RuleSet, year: int, code: Code = Code.COMPLETENESS_YEAR) -> None:
    """Completeness is counted for the current plan's years only (its reporting units name its
    indicators); ``code``: the problem to raise otherwise (CompletenessError)."""
    start, end = plan_years(rules)
    if not start <= year <= end:
        raise CompletenessError(Problem(code, {"year": year, "start": start, "end": end}))


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


def stored_states(store, year: int) -> pd.DataFrame:
    """What :func:`completeness` reads from ``store`` for ``year``: every current value (area,
    indicator, year, value, review, comment — ``store.review_states``) and every standing 无法取得
    statement (value missing, ``reason`` — ``store.not_obtainable``)."""
    cols = ["area", "indicator", "year", "value", "review", "comment", "reason"]
    states = store.review_states(years=[int(year)])
    states = states.assign(reason=None)[cols] if len(states) else pd.DataFrame(columns=cols)
    stated = store.not_obtainable(years=[int(year)])
    if len(stated):
        stated = stated.assign(value=float("nan"), review=None, comment=None)[cols]
        states = pd.concat([states, stated], ignore_index=True) if len(states) else stated
    return states.astype({"year": "int64", "value": "float64"}).reset_index(drop=True)


def _late_from(year: int, month: int) -> date:
    """The first day on which a value due by ``month`` of the year after ``year`` is late."""
    return date(year + 2, 1, 1) if month == 12 else date(year + 1, month + 1, 1)


def completeness(
    values: pd.DataFrame,
    rules: RuleSet,
    cat: TaskCatalogue,
    year: int,
    unit: str | None = None,
    lang: str = "zh",
    today: date | None = None,
) -> pd.DataFrame:
    """One row per value due for ``year`` (``unit``: only that unit's), in unit, area and plan order.

    ``values``: what is stored — :func:`stored_states`, or any frame with ``area, indicator, year``
    and ``value`` (a row with a value is reported; without a ``review`` column it counts as
    approved, as every value stored before the review existed is). Rows with a ``reason`` and no
    value are 无法取得 statements. Columns: :data:`COLUMNS` (``due`` as ``YYYY-MM``, the month of the
    following year; ``comment``: a returned value's comment or the reason it cannot be obtained;
    ``late``: missing after the due month, judged on ``today``).
    """
    check_year(rules, year)
    today = today or date.today()
    due = due_frame(rules, cat)
    if unit is not None:
        due = due[due["unit"] == unit]
    due = due.reset_index(drop=True)
    mine = values[values["year"] == year]
    keys = ["area", "indicator"]
    has_value = mine["value"].notna()
    stored = mine[has_value].astype({"area": str, "indicator": str})
    review = stored["review"] if "review" in stored else pd.Series(State.APPROVED.value, index=stored.index)
    comment = stored["comment"] if "comment" in stored else pd.Series(None, index=stored.index, dtype=object)
    stored = pd.DataFrame(
        {
            "area": stored["area"],
            "indicator": stored["indicator"],
            "_state": review.fillna(State.APPROVED.value).astype(str),
            "_comment": comment.where(review.eq(State.RETURNED.value), None),
        }
    ).drop_duplicates(keys, keep="last")
    if "reason" in mine:
        stated = mine[~has_value & mine["reason"].notna()].astype({"area": str, "indicator": str})
        stated = stated.assign(_reason=stated["reason"].astype(str))[[*keys, "_reason"]].drop_duplicates(
            keys, keep="last"
        )
    else:
        stated = pd.DataFrame(columns=[*keys, "_reason"])
    merged = due.merge(stored, on=keys, how="left").merge(stated, on=keys, how="left")
    state = merged["_state"].copy()
    obtainable = state.isna() & merged["_reason"].notna()
    state[obtainable] = State.NOT_OBTAINABLE.value
    state = state.fillna(State.MISSING.value)
    unknown = set(state) - {s.value for s in State}
    if unknown:
        raise ValueError(f"unknown review state {sorted(unknown)!r}")
    comments = merged["_comment"].where(state.eq(State.RETURNED.value), merged["_reason"])
    comments = comments.where(state.isin([State.RETURNED.value, State.NOT_OBTAINABLE.value]), None)
    late_from = [_late_from(year, int(m)) for m in merged["due_month"]]
    late = state.eq(State.MISSING.value) & pd.Series([today >= d for d in late_from], index=merged.index, dtype=bool)
    area_order = {a: k for k, a in enumerate(rules.areas)}
    unit_order = {u: k for k, u in enumerate(cat.units)}
    ind_order = {i: k for k, i in enumerate(rules.indicators)}
    labels = {s.value: s.label(lang) for s in State}
    frame = pd.DataFrame(
        {
            "unit": merged["unit"],
            "unit_name": [cat.unit_name(u, lang) for u in merged["unit"]],
            "area": merged["area"],
            "area_name": [rules.area_name(a, lang) for a in merged["area"]],
            "indicator": merged["indicator"],
            "indicator_name": [
                rules.indicator_for(a, i).name(lang) for a, i in zip(merged["area"], merged["indicator"])
            ],
            "due": [f"{year + 1}-{int(m):02d}" for m in merged["due_month"]],
            "state": state,
            "state_label": state.map(labels),
            "comment": comments.astype(object).where(comments.notna(), None),
            "late": late.astype(bool),
            "_u": merged["unit"].map(unit_order),
            "_a": merged["area"].map(area_order),
            "_i": merged["indicator"].map(ind_order),
        }
    )
    frame = frame.sort_values(["_u", "_a", "_i"], kind="stable").drop(columns=["_u", "_a", "_i"])
    return frame.reset_index(drop=True)[COLUMNS]


def _rate(part: int, whole: int) -> float | None:
    return (part / whole) if whole else None


def summary(frame: pd.DataFrame) -> dict[str, float | int | None]:
    """The counts of a completeness frame: ``due``; ``reported`` (submitted + approved + returned);
    one count per state (``missing``, ``submitted``, ``approved``, ``returned``,
    ``not_obtainable``); ``chase`` (missing + returned: the chase list); ``late``; ``rate``
    (填报完整率, reported ÷ due) and ``review_rate`` (审核完成率, approved ÷ due) — None when nothing
    is due."""
    due = len(frame)
    per = frame["state"].value_counts()
    n = {s: int(per.get(s, 0)) for s in STATE_COUNTS}
    done = int(frame["state"].isin(DONE_STATES).sum())
    return {
        "due": due,
        "reported": done,
        **n,
        "chase": int(frame["state"].isin(CHASE_STATES).sum()),
        "late": int(frame["late"].sum()) if "late" in frame else 0,
        "rate": _rate(done, due),
        "review_rate": _rate(n["approved"], due),
    }


def counts(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Counts per ``by`` (``unit`` or ``area``): code, name, due, reported, one column per state
    (:data:`STATE_COUNTS`), late, rate (填报完整率), review_rate (审核完成率); worst rate first."""
    name = f"{by}_name"
    flags = {f"_{s}": frame["state"].eq(s).astype(int) for s in STATE_COUNTS}
    out = (
        frame.assign(_done=frame["state"].isin(DONE_STATES).astype(int), _late=frame["late"].astype(int), **flags)
        .groupby([by, name], sort=False)
        .agg(
            due=("state", "size"),
            reported=("_done", "sum"),
            **{s: (f"_{s}", "sum") for s in STATE_COUNTS},
            late=("_late", "sum"),
        )
        .reset_index()
        .rename(columns={by: "code", name: "name"})
    )
    out["rate"] = out["reported"] / out["due"]
    out["review_rate"] = out["approved"] / out["due"]
    return out.sort_values(["rate", "missing"], ascending=[True, False], kind="stable").reset_index(drop=True)


_TABLE_COLUMNS = {
    "unit_name": "col_completeness_unit",
    "unit": "col_completeness_unit_code",
    "area_name": "col_completeness_area",
    "area": "col_completeness_area_code",
    "indicator": "col_completeness_indicator",
    "indicator_name": "col_completeness_indicator_name",
    "due": "col_completeness_due",
    "state_label": "col_completeness_state",
    "late": "col_completeness_late",
    "comment": "col_completeness_comment",
}


def state_table(frame: pd.DataFrame, lang: str = "zh", states=None) -> pd.DataFrame:
    """The rows in ``states`` (State members or their values; None: every state) with the headers
    a clerk reads (in ``lang``): unit, area, indicator, due month, state, late (in words), comment."""
    rows = frame if states is None else frame[frame["state"].isin([State(s).value for s in states])]
    rows = rows.assign(
        state_label=[State(v).label(lang) for v in rows["state"]],
        late=[t("completeness_late_yes", lang) if v else "" for v in rows["late"]],
        comment=rows["comment"].fillna(""),
    )
    return (
        rows[list(_TABLE_COLUMNS)]
        .rename(columns={k: t(v, lang) for k, v in _TABLE_COLUMNS.items()})
        .reset_index(drop=True)
    )


def chase_list(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The values still to chase (:data:`CHASE_STATES`: missing and returned), with the headers a
    clerk sends out (in ``lang``) — :func:`state_table` of those states."""
    return state_table(frame, lang, CHASE_STATES)


def rate_text(rate: float | None) -> str:
    """填报完整率 (or 审核完成率) as shown: ``93.4%`` (``—`` when nothing is due)."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


def page_data(
    values: pd.DataFrame,
    rules: RuleSet,
    year: int,
    unit: str | None,
    lang: str,
    today: date | None = None,
    areas: tuple[str, ...] | None = None,
) -> dict:
    """What the completeness page shows (``ui.view``-shaped: values first, rules second): the rows,
    the summary, the counts by unit and by area. ``values``: :func:`stored_states` of ``year``;
    ``areas``: only those areas' values (an area editor sees their own areas only)."""
    from ..rules import catalogue_for

    frame = completeness(values, rules, catalogue_for(rules), year, unit or None, lang, today)
    if areas is not None:
        frame = frame[frame["area"].isin(list(areas))].reset_index(drop=True)
    return {
        "frame": frame,
        "summary": summary(frame),
        "by_unit": counts(frame, "unit"),
        "by_area": counts(frame, "area"),
    }


def page_data_of(
    store,
    rules: RuleSet,
    year: int,
    unit: str | None,
    lang: str,
    today: date | None = None,
    areas: tuple[str, ...] | None = None,
) -> dict:
    """:func:`page_data` read from ``store`` (the page passes its store where views take the
    evaluation: ``app_state.cached_view(…, page_data_of, store, rules, year, unit, lang, today)``)."""
    check_year(rules, year)
    return page_data(stored_states(store, year), rules, year, unit, lang, today, areas)


def missing_count(
    values: pd.DataFrame, rules: RuleSet, year: int, today: date | None = None
) -> dict[str, float | int | None] | None:
    """The overview's reminder: the :func:`summary` of every unit for ``year`` (None outside the plan
    or without reporting.yaml). ``values``: :func:`stored_states` of ``year`` (the shown values
    would count a submitted value as missing)."""
    from ..rules import catalogue_for

    cat = catalogue_for(rules)
    if cat.reporting.file is None:
        return None
    try:
        return summary(completeness(values, rules, cat, year, today=today))
    except CompletenessError:
        return None


def reminder_of(store, rules: RuleSet, year: int, lang: str = "zh", today: date | None = None) -> dict | None:
    """The overview's reminder read from ``store``: :func:`summary`'s counts for ``year`` plus
    ``late_units`` (code, name, late: the units with values missing after their due month, most
    late first). None outside the plan or without reporting.yaml."""
    from ..rules import catalogue_for

    cat = catalogue_for(rules)
    start, end = plan_years(rules)
    if cat.reporting.file is None or not start <= year <= end:
        return None
    frame = completeness(stored_states(store, year), rules, cat, year, lang=lang, today=today)
    by_unit = counts(frame, "unit")
    late = by_unit[by_unit["late"] > 0].sort_values(["late", "code"], ascending=[False, True], kind="stable")
    return {**summary(frame), "late_units": late[["code", "name", "late"]].reset_index(drop=True)}


@dataclass(frozen=True)
class Reminder:
    """The overview's reminder for a year, as sentences in one language; each None when nothing is due."""

    missing: str | None  # values still missing and the 填报完整率 (a link to 填报完整性)
    review: str | None  # values waiting for review · values returned (a link to 审核, for reviewers)
    late: str | None  # the units late with values, the five latest named (a link to 填报完整性)


# How many late units the reminder names; the rest are counted.
LATE_UNITS_NAMED = 5


def reminder_lines(due: dict | None, year: int, lang: str = "zh") -> Reminder:
    """:func:`reminder_of`'s counts (``due``; None outside the plan) as the overview's sentences."""
    if not due:
        return Reminder(None, None, None)
    missing = (
        t("completeness_overview_reminder", lang, year=year, n=due["missing"], rate=rate_text(due["rate"]))
        if due["missing"]
        else None
    )
    pending = [
        t(key, lang, year=year, n=due[field])
        for field, key in (("submitted", "review_reminder_waiting"), ("returned", "review_reminder_returned"))
        if due[field]
    ]
    late_units = due["late_units"]
    late = None
    if len(late_units):
        shown = late_units.head(LATE_UNITS_NAMED)
        units = separator(lang).join(
            t("review_reminder_late_unit", lang, unit=r.name, n=int(r.late)) for r in shown.itertuples()
        )
        if len(late_units) > LATE_UNITS_NAMED:
            more = len(late_units) - LATE_UNITS_NAMED
            units = t("report_and_more", lang, names=units, n=len(late_units), more=more)
        late = t("review_reminder_late", lang, year=year, units=units)
    return Reminder(missing, " · ".join(pending) or None, late)


def unit_outstanding_of(
    store, rules: RuleSet, unit: str, year: int, lang: str = "zh", today: date | None = None
) -> pd.DataFrame:
    """The units page: what ``unit`` still owes for ``year`` (missing and returned values) as
    :func:`state_table` rows; empty outside the plan or without reporting.yaml."""
    from ..rules import catalogue_for

    cat = catalogue_for(rules)
    start, end = plan_years(rules)
    if cat.reporting.file is None or not start <= year <= end:
        return state_table(pd.DataFrame(columns=COLUMNS), lang)
    frame = completeness(stored_states(store, year), rules, cat, year, unit, lang, today)
    return chase_list(frame, lang)


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


def counts_table(frame: pd.DataFrame, by: str, lang: str) -> pd.DataFrame:
    """:func:`counts` as the page shows it (``by`` "unit" or "area"): the name, the counts per state,
    both rates as text, headed in ``lang``."""
    shown = frame.assign(rate=frame["rate"].map(rate_text), review_rate=frame["review_rate"].map(rate_text))
    heads = ["name", "due", "reported", "missing", "late", "approved", "submitted", "returned", "not_obtainable"]
    heads += ["rate", "review_rate"]
    words = [t("col_completeness_unit" if by == "unit" else "col_completeness_area", lang)]
    words += [t(k, lang) for k in ("completeness_due", "completeness_reported", "completeness_missing")]
    words.append(t("completeness_late", lang))
    words += [State(k).label(lang) for k in ("approved", "submitted", "returned", "not_obtainable")]
    words += [t("completeness_rate", lang), t("completeness_review_rate", lang)]
    return shown[heads].set_axis(words, axis=1)
