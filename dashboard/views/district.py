"""分区县 By district: the areas × indicators grid, the ranking, one area against the city."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..engine import (
    STATUSES,
    status_label,
)
from ..messages import t
from ..messages.numbers import MISSING
from ..rules import RuleSet
from .common import (
    area_options,
    city_code,
    indicator_meta,
    slice_ev,
    status_strings,
    with_latest,
)


def district_grid(
    ev: pd.DataFrame, rules: RuleSet, year: int, lang: str = "zh", attribute: str | None = None, plan: str | None = None
) -> pd.DataFrame:
    """Status of every area × indicator in one year (long form, for a heat-map grid).

    Columns: area_code, area_name, area_order, indicator, indicator_label, ind_order, status, label,
    value_used, value_text (the value as its indicator writes it), attribute.
    """
    cols = [
        "area_code",
        "area_name",
        "area_order",
        "indicator",
        "indicator_label",
        "ind_order",
        "status",
        "label",
        "value_used",
        "value_text",
        "attribute",
    ]
    part = slice_ev(ev, None, year)
    if attribute:
        part = part[part["attribute"] == attribute]
    if plan:
        part = part[
            part["indicator"].astype(str).map(lambda c: rules.indicators[c].plan if c in rules.indicators else "")
            == plan
        ]
    if part.empty:
        return pd.DataFrame(columns=cols)
    order = {c: k for k, c in enumerate(area_options(rules))}
    areas = part["area_code"].astype(str)
    codes = part["indicator"].astype(str)
    names = {c: rules.area_name(c, lang) for c in pd.unique(areas)}
    labels = {c: f"{c} {rules.indicators[c].name(lang)}" for c in pd.unique(codes) if c in rules.indicators}
    status = status_strings(part["status"])
    slabels = {s: status_label(s, lang) for s in STATUSES}
    out = pd.DataFrame(
        {
            "area_code": areas.to_numpy(),
            "area_name": areas.map(names).to_numpy(),
            "area_order": areas.map(order).to_numpy(),
            "indicator": codes.to_numpy(),
            "indicator_label": codes.map(labels).to_numpy(),
            "ind_order": codes.map({c: rules.indicators[c].order for c in labels}).to_numpy(),
            "status": status.to_numpy(),
            "label": status.map(slabels).to_numpy(),
            "value_used": part["value_used"].to_numpy(),
            "attribute": part["attribute"].to_numpy(),
        }
    )
    out["value_text"] = with_latest(part, ev, rules, lang)["value_text"].to_numpy()
    return out.sort_values(["area_order", "ind_order"]).reset_index(drop=True)[cols]


def grid_table(grid: pd.DataFrame) -> pd.DataFrame:
    """The long grid pivoted: one row per area, one column per indicator, cells = status label."""
    if grid.empty:
        return pd.DataFrame()
    wide = grid.pivot_table(
        index=["area_order", "area_name"],
        columns=["ind_order", "indicator"],
        values="label",
        aggfunc="first",
        observed=True,
    )
    wide.columns = [c for _, c in wide.columns]
    wide.index = [n for _, n in wide.index]
    return wide


def area_ranking(
    ev: pd.DataFrame, rules: RuleSet, year: int, lang: str = "zh", include_city: bool = False
) -> pd.DataFrame:
    """Areas ordered by the share of their indicators with data that are achieved or on track.

    Columns: rank, area_code, area_name, with_data, share_good, then one count column per status.
    """
    part = slice_ev(ev, None, year)
    city = city_code(rules)
    cols = ["rank", "area_code", "area_name", "with_data", "share_good", *STATUSES]
    if part.empty:
        return pd.DataFrame(columns=cols)
    counts = pd.crosstab(part["area_code"].astype(str), status_strings(part["status"]))
    for s in STATUSES:
        if s not in counts:
            counts[s] = 0
    counts = counts[list(STATUSES)]
    if not include_city and city in counts.index:
        counts = counts.drop(index=city)
    out = counts.reset_index().rename(columns={"index": "area_code", "row_0": "area_code"})
    out.columns = ["area_code", *STATUSES]
    out["with_data"] = out[[s for s in STATUSES if s != "no_data"]].sum(axis=1)
    good = out["achieved"] + out["on_track"]
    out["share_good"] = np.where(out["with_data"] > 0, good / out["with_data"].where(out["with_data"] > 0, 1), np.nan)
    out["area_name"] = [rules.area_name(c, lang) for c in out["area_code"]]
    out = out.sort_values(
        ["share_good", "achieved", "area_code"], ascending=[False, False, True], na_position="last"
    ).reset_index(drop=True)
    out["rank"] = out["share_good"].rank(method="min", ascending=False).astype("Int64")
    return out[cols]


def area_vs_city(ev: pd.DataFrame, rules: RuleSet, area: str, year: int, lang: str = "zh") -> pd.DataFrame:
    """One area against the city for each indicator in one year.

    Columns: indicator, name, unit, area_value, city_value, difference, area_text, city_text,
    difference_text (values written with their units and years), area_status, area_label, city_status,
    city_label, better (True when the area is on the better side of the city).
    """
    cols = [
        "indicator",
        "name",
        "unit",
        "area_value",
        "city_value",
        "difference",
        "area_text",
        "city_text",
        "difference_text",
        "area_status",
        "area_label",
        "city_status",
        "city_label",
        "better",
    ]
    city = city_code(rules)
    a = slice_ev(ev, area, year)
    c = slice_ev(ev, city, year)
    if a.empty:
        return pd.DataFrame(columns=cols)
    a = with_latest(a, ev, rules, lang)
    c = with_latest(c, ev, rules, lang)
    left = pd.DataFrame(
        {
            "indicator": a["indicator"].astype(str).to_numpy(),
            "area_text": a["value_text"].to_numpy(),
            "area_value": a["value_used"].to_numpy(),
            "area_status": status_strings(a["status"]).to_numpy(),
        }
    )
    right = pd.DataFrame(
        {
            "indicator": c["indicator"].astype(str).to_numpy(),
            "city_text": c["value_text"].to_numpy(),
            "city_value": c["value_used"].to_numpy(),
            "city_status": status_strings(c["status"]).to_numpy(),
        }
    )
    meta = indicator_meta(rules, lang, area)[["indicator", "name", "unit", "order", "direction"]]
    out = meta.merge(left, on="indicator").merge(right, on="indicator", how="left")
    # The area's own name and unit; no difference where the area measures in another unit than the city.
    mine = {c: rules.indicator_for(area, c) for c in out["indicator"]}
    out["name"] = [mine[c].name(lang) for c in out["indicator"]]
    out["unit"] = [mine[c].unit for c in out["indicator"]]
    same_unit = np.array([mine[c].unit == rules.indicator_for(city, c).unit for c in out["indicator"]], dtype=bool)
    out["difference"] = (out["area_value"] - out["city_value"]).where(same_unit)
    sign = np.where(out["direction"] == "lower", -1.0, np.where(out["direction"] == "higher", 1.0, np.nan))
    with np.errstate(invalid="ignore"):
        better = sign * out["difference"].to_numpy(dtype=float)
    out["better"] = pd.array(np.where(np.isnan(better), None, better > 0), dtype="boolean")
    out["difference_text"] = [
        mine[c].format(d, lang) if pd.notna(d) else MISSING for c, d in zip(out["indicator"], out["difference"])
    ]
    out["city_text"] = out["city_text"].fillna(MISSING)
    out["area_label"] = [status_label(s, lang) for s in out["area_status"]]
    out["city_label"] = [status_label(s, lang) if isinstance(s, str) else "" for s in out["city_status"]]
    return out.sort_values("order").reset_index(drop=True)[cols]


def map_values(
    ev: pd.DataFrame, rules: RuleSet, year: int, lang: str = "zh", indicator: str | None = None
) -> pd.DataFrame:
    """What the map colours each district by in ``year``.

    Without ``indicator``: ``share`` = achieved or on track ÷ indicators with data (``area_ranking``);
    with one: its ``status`` and ``label``. Columns: area_code, area_name, share or status/label, tip.
    """
    if indicator is None:
        ranking = area_ranking(ev, rules, year, lang)
        out = ranking[["area_code", "area_name", "share_good", "with_data"]].rename(columns={"share_good": "share"})
        out["tip"] = [
            MISSING if pd.isna(s) else t("map_share_tip", lang, pct=f"{100 * s:.0f}", n=int(n))
            for s, n in zip(out["share"], out["with_data"])
        ]
        return out.drop(columns=["with_data"])
    part = slice_ev(ev, None, year)
    part = part[part["indicator"].astype(str) == indicator]
    part = with_latest(part, ev, rules, lang)
    status = status_strings(part["status"])
    return pd.DataFrame(
        {
            "area_code": part["area_code"].astype(str).to_numpy(),
            "area_name": [rules.area_name(a, lang) for a in part["area_code"].astype(str)],
            "status": status.to_numpy(),
            "label": [status_label(s, lang) for s in status],
            "tip": [f"{v} · {status_label(s, lang)}" for v, s in zip(part["value_text"], status)],
        }
    )
