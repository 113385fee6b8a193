"""Altair charts of the pages. Status colours are the same in every chart, and read in greyscale.

The frames come from ``dashboard.views``. Type sizes have two steps: ``big=False`` for a desk
(≥ 14 px) and ``big=True`` for a projector (≥ 18 px chart labels); ``theme=None`` on the page keeps
them. The row limit is lifted so that no chart fails on more than 5,000 rows (the district grid).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..engine.statuses import STATUSES, status_label
from ..messages import t
from ..messages.numbers import unit_label
from .colors import STATUS_COLORS

alt.data_transformers.disable_max_rows()

# Areas on one chart: Okabe–Ito, distinct in hue and lightness.
AREA_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"]
DOMAIN_SELECTION = "domain_pick"
AREA_SELECTION = "area_pick"


def sizes(big: bool) -> dict[str, int]:
    """Font sizes in px: labels, titles, text marks."""
    return {"label": 18, "title": 20, "text": 20} if big else {"label": 14, "title": 15, "text": 15}


def styled(chart: alt.TopLevelMixin, big: bool = False) -> alt.TopLevelMixin:
    """One type size for axes, legends and titles of a chart (set on ``chart`` itself, which is returned).

    The builders call this on a chart they have just made, so setting the configuration in place is
    safe; Altair's ``configure_*`` would deep-copy the whole chart once per call.
    """
    s = sizes(big)
    chart.config = alt.Config(
        axis=alt.AxisConfig(labelFontSize=s["label"], titleFontSize=s["title"]),
        legend=alt.LegendConfig(labelFontSize=s["label"], titleFontSize=s["title"], symbolSize=200 if big else 120),
        header=alt.HeaderConfig(labelFontSize=s["label"], titleFontSize=s["title"]),
        view=alt.ViewConfig(strokeWidth=0),
    )
    return chart


def status_scale(lang: str = "zh") -> alt.Scale:
    """Colour scale on the status *label* (so that legends read in the chosen language)."""
    return alt.Scale(domain=[status_label(s, lang) for s in STATUSES], range=[STATUS_COLORS[s] for s in STATUSES])


def _status_color(lang: str, legend: bool = True) -> alt.Color:
    return alt.Color(
        "label:N",
        scale=status_scale(lang),
        title=t("status", lang),
        legend=alt.Legend(orient="bottom", columns=6) if legend else None,
        sort=[status_label(s, lang) for s in STATUSES],
    )


def _order_field(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["status_order"] = frame["status"].map({s: k for k, s in enumerate(STATUSES)})
    return frame


def status_bar(counts: pd.DataFrame, lang: str = "zh", field: str = "total", big: bool = False) -> alt.TopLevelMixin:
    """One horizontal bar per status (``views.overview.status_counts``)."""
    data = _order_field(counts[["status", "label", field]].rename(columns={field: "n"}))
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", sort=[status_label(s, lang) for s in STATUSES], title=None),
        x=alt.X("n:Q", title=t("count", lang), axis=alt.Axis(tickMinStep=1, format="d")),
    )
    bars = base.mark_bar(stroke="#999999", strokeWidth=0.5).encode(
        color=_status_color(lang, legend=False),
        tooltip=[alt.Tooltip("label:N", title=t("status", lang)), alt.Tooltip("n:Q", title=t("count", lang))],
    )
    text = base.mark_text(align="left", dx=4, fontSize=sizes(big)["text"]).encode(text="n:Q")
    return styled((bars + text).properties(height=260 if big else 220), big)


def domain_status_chart(frame: pd.DataFrame, lang: str = "zh", big: bool = False) -> alt.TopLevelMixin:
    """Stacked bars: for each domain, its indicators by status (``views.overview.domain_status``).

    Clicking a bar selects its domain (selection ``domain_pick`` on the field ``domain_key``); the page
    opens that domain.
    """
    data = _order_field(frame)
    data["domain_key"] = data["plan"].astype(str) + ":" + data["domain"].astype(str) if len(data) else []
    order = list(dict.fromkeys(data.sort_values("domain_order")["domain_name"])) if not data.empty else []
    pick = alt.selection_point(name=DOMAIN_SELECTION, fields=["domain_key"], on="click")
    chart = (
        alt.Chart(data)
        .mark_bar(stroke="#999999", strokeWidth=0.5, cursor="pointer")
        .encode(
            y=alt.Y("domain_name:N", sort=order, title=None, axis=alt.Axis(labelLimit=360)),
            x=alt.X("sum(n):Q", title=t("count", lang), axis=alt.Axis(tickMinStep=1, format="d")),
            color=_status_color(lang),
            order=alt.Order("status_order:Q"),
            tooltip=[
                alt.Tooltip("domain_name:N", title=t("domain", lang)),
                alt.Tooltip("label:N", title=t("status", lang)),
                alt.Tooltip("n:Q", title=t("count", lang)),
            ],
        )
        .add_params(pick)
        .properties(height=(36 if big else 28) * max(1, len(order)))
    )
    return styled(chart, big)


def sparkline(
    series: pd.DataFrame, status: str, lang: str = "zh", years: tuple[int, int] | None = None, big: bool = False
) -> alt.TopLevelMixin:
    """A small chart of one indicator's observed series (``year, value, target_value``) with its
    target as a dashed rule, coloured by its status."""
    color = STATUS_COLORS.get(status, "#888888") if status != "no_data" else "#888888"
    data = series.dropna(subset=["value"])
    scale = alt.Scale(domain=list(range(years[0], years[1] + 1))) if years is not None else alt.Undefined
    x = alt.X("year:O", title=None, scale=scale, axis=alt.Axis(labelAngle=0))
    line = (
        alt.Chart(data)
        .mark_line(point=True, color=color, strokeWidth=3)
        .encode(
            x=x,
            y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
            tooltip=[alt.Tooltip("year:O", title=t("year", lang)), alt.Tooltip("value:Q", title=t("value", lang))],
        )
    )
    tv = series["target_value"].dropna()
    layers = [line]
    if not tv.empty:
        rule = (
            alt.Chart(pd.DataFrame({"value": [float(tv.iloc[-1])]}))
            .mark_rule(strokeDash=[6, 4], color="#444")
            .encode(y="value:Q", tooltip=[alt.Tooltip("value:Q", title=t("target_line", lang))])
        )
        layers.append(rule)
    return styled(alt.layer(*layers).properties(height=160 if big else 140), big)


def district_heatmap(grid: pd.DataFrame, lang: str = "zh", big: bool = False) -> alt.TopLevelMixin:
    """Areas (rows) × indicators (columns), cells coloured by status (``views.district.district_grid``).

    The chart takes the width of its container, so it fits a 1366 px laptop as well as a projector;
    clicking a row selects its area (``area_pick`` on ``area_code``).
    """
    data = grid[
        ["area_code", "area_name", "area_order", "indicator", "indicator_label", "ind_order", "label", "value_text"]
    ]
    area_sort = list(dict.fromkeys(data.sort_values("area_order")["area_name"])) if not data.empty else []
    ind_sort = list(dict.fromkeys(data.sort_values("ind_order")["indicator"])) if not data.empty else []
    pick = alt.selection_point(name=AREA_SELECTION, fields=["area_code"], on="click")
    s = sizes(big)
    chart = (
        alt.Chart(data)
        .mark_rect(stroke="#bbbbbb", strokeWidth=0.5, cursor="pointer")
        .encode(
            x=alt.X(
                "indicator:N",
                sort=ind_sort,
                title=t("indicator", lang),
                axis=alt.Axis(orient="top", labelAngle=-90, labelFontSize=s["label"] - 2, labelOverlap="greedy"),
            ),
            y=alt.Y("area_name:N", sort=area_sort, title=None, axis=alt.Axis(labelLimit=220, labelOverlap=False)),
            color=_status_color(lang),
            tooltip=[
                alt.Tooltip("area_name:N", title=t("area", lang)),
                alt.Tooltip("indicator_label:N", title=t("indicator", lang)),
                alt.Tooltip("label:N", title=t("status", lang)),
                alt.Tooltip("value_text:N", title=t("value", lang)),
            ],
        )
        .add_params(pick)
        .properties(width="container", height=(26 if big else 22) * max(1, len(area_sort)))
    )
    return styled(chart, big)


def ranking_chart(ranking: pd.DataFrame, lang: str = "zh", big: bool = False) -> alt.TopLevelMixin:
    """Horizontal bars of each area's indicators by status (share of its indicators), in ranking order."""
    if ranking.empty:
        data = pd.DataFrame(columns=["area_name", "status", "label", "n", "status_order"])
        order: list[str] = []
    else:
        data = ranking.melt(id_vars=["area_name", "rank"], value_vars=list(STATUSES), var_name="status", value_name="n")
        data["label"] = [status_label(s, lang) for s in data["status"]]
        data = _order_field(data)
        order = list(ranking["area_name"])
    chart = (
        alt.Chart(data)
        .mark_bar(stroke="#999999", strokeWidth=0.3)
        .encode(
            y=alt.Y("area_name:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X("n:Q", stack="normalize", title=t("share_of_indicators", lang), axis=alt.Axis(format="%")),
            color=_status_color(lang),
            order=alt.Order("status_order:Q"),
            tooltip=[
                alt.Tooltip("area_name:N", title=t("area", lang)),
                alt.Tooltip("label:N", title=t("status", lang)),
                alt.Tooltip("n:Q", title=t("count", lang)),
            ],
        )
        .properties(height=(24 if big else 20) * max(1, len(order)))
    )
    return styled(chart, big)


def indicator_chart(
    layers: dict[str, pd.DataFrame],
    lang: str = "zh",
    unit: str = "",
    x_range: tuple[int, int] | None = None,
    big: bool = False,
) -> alt.TopLevelMixin:
    """The indicator page chart: one line per area, the baseline point, the target rule and a
    dashed projection to 2030 (``views.indicator.indicator_layers``)."""
    obs = layers["observed"]
    names = list(dict.fromkeys(list(obs["area_name"]) + list(layers["projection"]["area_name"])))
    color = alt.Color(
        "area_name:N",
        title=t("area", lang),
        legend=alt.Legend(orient="bottom"),
        scale=alt.Scale(domain=names, range=AREA_COLORS[: max(1, len(names))]),
    )
    scale = alt.Scale(domain=list(x_range)) if x_range else alt.Undefined
    x = alt.X("year:Q", title=t("year", lang), scale=scale, axis=alt.Axis(format="d", tickMinStep=1))
    shown_unit = unit_label(unit, lang)
    y_title = t("value_with_unit", lang, unit=shown_unit) if shown_unit else t("value", lang)
    y = alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False))
    charts = [
        alt.Chart(obs)
        .mark_line(point=alt.OverlayMarkDef(size=90 if big else 60), strokeWidth=3)
        .encode(
            x=x,
            y=y,
            color=color,
            tooltip=[
                alt.Tooltip("area_name:N", title=t("area", lang)),
                alt.Tooltip("year:Q", title=t("year", lang)),
                alt.Tooltip("value:Q", title=t("value", lang), format=",.2f"),
            ],
        )
    ]
    if not layers["projection"].empty:
        charts.append(
            alt.Chart(layers["projection"])
            .mark_line(strokeDash=[4, 4], strokeWidth=2, opacity=0.8)
            .encode(
                x=x,
                y=y,
                color=color,
                tooltip=[
                    alt.Tooltip("area_name:N", title=t("projection", lang)),
                    alt.Tooltip("year:Q", title=t("year", lang)),
                    alt.Tooltip("value:Q", title=t("value", lang), format=",.2f"),
                ],
            )
        )
    if not layers["baseline"].empty:
        charts.append(
            alt.Chart(layers["baseline"])
            .mark_point(shape="diamond", size=200 if big else 160, filled=True)
            .encode(
                x=x,
                y=y,
                color=color,
                tooltip=[
                    alt.Tooltip("area_name:N", title=t("baseline", lang)),
                    alt.Tooltip("value:Q", title=t("baseline", lang)),
                ],
            )
        )
    if not layers["target"].empty:
        target = layers["target"].assign(label=t("target_line", lang))
        charts.append(
            alt.Chart(target)
            .mark_rule(color="#a63603", strokeDash=[8, 4], strokeWidth=2)
            .encode(
                y="value:Q",
                tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip("value:Q", title=t("target_line", lang))],
            )
        )
        charts.append(
            alt.Chart(target)
            .mark_text(align="left", dx=4, dy=-10, color="#a63603", fontSize=sizes(big)["text"])
            .encode(y="value:Q", x=alt.value(0), text="label:N")
        )
    return styled(alt.layer(*charts).properties(height=440 if big else 380), big)


def outer_height(chart: alt.TopLevelMixin | dict, extra: int = 130) -> int | str:
    """Pixel height for ``ui.chart``: the plot's height plus axes and legend (``chart`` or its spec).

    Streamlit fits the whole chart (legend included) into the height it is given, which would squeeze
    the bands of a chart that sets its plot height from the number of domains or areas.
    """
    h = chart.get("height") if isinstance(chart, dict) else getattr(chart, "height", alt.Undefined)
    return int(h) + extra if isinstance(h, (int, float)) else "content"
