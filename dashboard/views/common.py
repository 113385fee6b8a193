"""What every page's frames share: indicator metadata, area order, years, slices of the evaluation."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..messages import t
from ..messages.numbers import MISSING, format_value
from ..rules import Indicator, RuleSet


def indicator_meta(rules: RuleSet, lang: str = "zh", area: str | None = None) -> pd.DataFrame:
    """One row per indicator in plan order: code, plan, domain, names, unit, default attribute — as
    ``area``'s plan defines each (its own name and unit; its added rows, no other area's) when given."""
    rows = []
    inds = rules.indicators_for(area) if area is not None else sorted(rules.indicators.values(), key=lambda i: i.order)
    for ind in inds:
        rows.append(
            {
                "indicator": ind.code,
                "plan": ind.plan,
                "domain": ind.domain,
                "domain_name": rules.domain_name(ind.plan, ind.domain, lang),
                "number": ind.number,
                "order": ind.order,
                "name": ind.name(lang),
                "label": f"{ind.code} {ind.name(lang)}",
                "unit": ind.unit,
                "direction": ind.direction,
                "default_attribute": ind.attribute,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "indicator",
            "plan",
            "domain",
            "domain_name",
            "number",
            "order",
            "name",
            "label",
            "unit",
            "direction",
            "default_attribute",
        ],
    )


def area_options(rules: RuleSet) -> list[str]:
    """Area codes, the city first, then the districts in the YAML order."""
    city = [c for c, a in rules.areas.items() if a.parent is None]
    return city + [c for c, a in rules.areas.items() if a.parent is not None]


def city_code(rules: RuleSet) -> str | None:
    return next((c for c, a in rules.areas.items() if a.parent is None), None)


def years_of(ev: pd.DataFrame, rules: RuleSet | None = None) -> list[int]:
    """The years the evaluation covers (ascending); the plan's start year when it is empty."""
    if ev is None or ev.empty:
        return [rules.settings.plan_period.start] if rules is not None else []
    return sorted(int(y) for y in pd.unique(ev["year"]))


def default_year(ev: pd.DataFrame, rules: RuleSet | None = None) -> int | None:
    """The latest year that has any observed value; else the latest year covered."""
    years = years_of(ev, rules)
    if not years:
        return None
    if ev is not None and not ev.empty:
        with_value = ev.loc[ev["value"].notna(), "year"]
        if not with_value.empty:
            return int(with_value.max())
    return years[-1]


def data_years(ev: pd.DataFrame, area: str) -> list[int]:
    """The years in which ``area`` has at least one value of its own (not carried from an earlier year)."""
    if ev is None or ev.empty:
        return []
    mask = (ev["area_code"] == area).to_numpy() & ev["value"].notna().to_numpy()
    return sorted(int(y) for y in pd.unique(ev.loc[mask, "year"]))


def slice_ev(ev: pd.DataFrame, area: str | None = None, year: int | None = None) -> pd.DataFrame:
    """The rows of one area and/or one year."""
    mask = np.ones(len(ev), dtype=bool)
    if area is not None:
        mask &= (ev["area_code"] == area).to_numpy()
    if year is not None:
        mask &= (ev["year"] == year).to_numpy()
    return ev.loc[mask]


def status_strings(series: pd.Series) -> pd.Series:
    """The status column as plain strings (it is categorical in the engine's frame)."""
    return series.astype(str)


EMPTY_EVALUATION = pd.DataFrame(
    {
        c: pd.Series(dtype=object)
        for c in (
            "area_code",
            "area_name",
            "indicator",
            "year",
            "status",
            "attribute",
            "will_miss",
            "fell_below",
            "swing",
            "data_gap",
            "value_year",
            "value_used",
            "target_text",
            "projected_2030",
            "baseline",
            "baseline_year",
        )
    }
)
"""An evaluation frame with no rows (no data yet), with the columns the views read."""


# ------------------------------------------------------------------------------ tables people read
LOCAL_TIMEZONE = "Asia/Shanghai"


def indicator_of(rules: RuleSet, area: object, code: object) -> Indicator | None:
    """The indicator ``code`` as ``area`` defines it (its own unit and name), or None for another series."""
    c = str(code)
    if c not in rules.indicators:
        return None
    return rules.indicator_for(None if area is None else str(area), c)


def format_values(
    frame: pd.DataFrame, rules: RuleSet, lang: str, value: str = "value_used", code: str = "indicator"
) -> pd.Series:
    """``value`` of each row as its indicator writes it (``93.1%``, ``11.7/10万``; a dash when missing),
    in the unit of the row's area (``area_code``) where it defines the indicator otherwise."""
    areas = frame["area_code"] if "area_code" in frame else pd.Series([None] * len(frame), index=frame.index)

    def one(a: object, c: object, v: object) -> str:
        ind = indicator_of(rules, a, c)
        if ind is not None:
            return ind.format(v, lang)
        series = rules.context_series.get(str(c))
        return format_value(v, series.unit if series is not None else "", lang)

    return pd.Series(
        [one(a, c, v) for a, c, v in zip(areas, frame[code], frame[value])], index=frame.index, dtype=object
    )


def local_time(values: pd.Series) -> pd.Series:
    """Stored UTC times as the reader's clock shows them (Asia/Shanghai), ``2026-12-02 19:45``."""
    stamps = pd.to_datetime(values, utc=True, errors="coerce")
    text = stamps.dt.tz_convert(LOCAL_TIMEZONE).dt.strftime("%Y-%m-%d %H:%M")
    return text.where(stamps.notna(), MISSING)


def display(frame: pd.DataFrame, columns: dict[str, str], lang: str) -> pd.DataFrame:
    """The columns of ``frame`` a page shows, in this order, headed in ``lang``; empty cells as a dash.

    ``columns`` maps a column to its heading's catalogue key.
    """
    shown = frame[list(columns)].copy()
    for col in shown.columns:
        if shown[col].dtype == object or pd.api.types.is_string_dtype(shown[col]):
            shown[col] = shown[col].where(shown[col].notna() & (shown[col].astype(str) != ""), MISSING)
    return shown.rename(columns={c: t(k, lang) for c, k in columns.items()})


def yes_no(values: pd.Series, lang: str) -> pd.Series:
    """True/False/None as 是/否/— (yes/no/—)."""
    words = {True: t("yes", lang), False: t("no", lang)}
    return pd.Series(
        [words.get(v, MISSING) if isinstance(v, bool) else MISSING for v in values], index=values.index, dtype=object
    )


def with_latest(part: pd.DataFrame, ev: pd.DataFrame, rules: RuleSet, lang: str) -> pd.DataFrame:
    """``part`` (rows of the evaluation) with what the pages write about each value.

    ``latest`` is the latest value uploaded up to the row's year (not a mean), ``latest_year`` its
    year; ``value_text`` that value with its unit, and its year when it is not the row's year
    (``9.2/10万（2023年）``); ``smoothed_text`` the multi-year mean a rare-event rate is judged on
    (``近3年平均 10.4/10万``), empty for other indicators.
    """
    out = part.copy()
    if out.empty:
        for col in ("latest", "latest_year", "value_text", "smoothed_text"):
            out[col] = pd.Series(dtype=object)
        return out
    keys = pd.MultiIndex.from_arrays([ev["area_code"].astype(str), ev["indicator"].astype(str), ev["year"].astype(int)])
    raw = pd.Series(ev["value"].to_numpy(), index=keys)
    year_of = out["value_year"]
    lookup = pd.MultiIndex.from_arrays(
        [out["area_code"].astype(str), out["indicator"].astype(str), year_of.fillna(-1).astype(int)]
    )
    out["latest"] = raw.reindex(lookup).to_numpy()
    out["latest_year"] = year_of.astype("Int64")
    texts, means = [], []
    for r in out.itertuples():
        ind = indicator_of(rules, r.area_code, r.indicator)
        text = ind.format(r.latest, lang) if ind is not None else format_value(r.latest, "", lang)
        if pd.notna(r.latest_year) and int(r.latest_year) != int(r.year):
            text = t("value_of_year", lang, value=text, year=int(r.latest_year))
        texts.append(text)
        smoothed = ind is not None and ind.smoothing_years and bool(getattr(r, "smoothed", False))
        means.append(
            t("smoothed_mean", lang, k=ind.smoothing_years, value=ind.format(r.value_used, lang))
            if smoothed and ind is not None
            else ""
        )
    out["value_text"] = texts
    out["smoothed_text"] = means
    return out


def with_not_monitored(part: pd.DataFrame, rules: RuleSet, area: str) -> pd.DataFrame:
    """One area's evaluated rows plus a ``not_monitored`` row for each indicator its plan leaves out,
    so that 达标率 counts them apart (the engine judges none of them)."""
    left_out = rules.not_monitored.get(area, {})
    if not left_out:
        return part
    extra = pd.DataFrame(
        {
            "area_code": area,
            "indicator": list(left_out),
            "status": "not_monitored",
            "attribute": [rules.target_for(area, c).attribute for c in left_out],
        }
    )
    base = part.assign(status=part["status"].astype(str), attribute=part["attribute"].astype(str))
    return pd.concat([base, extra], ignore_index=True)
