"""Altair chart builders. Status colours are the same in every chart.

The frames come from ``dashboard.views`` and are small, but the row limit is lifted so that no
chart ever fails on more than 5,000 rows (the district grid reaches that on large areas).
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from ..engine.statuses import STATUSES, status_label
from ..messages import t

alt.data_transformers.disable_max_rows()

STATUS_COLORS = {
    "achieved": "#1a9850",            # green
    "on_track": "#91cf60",            # light green
    "needs_acceleration": "#fee08b",  # yellow
    "limited": "#fc8d59",             # orange
    "deterioration": "#d73027",       # red
    "no_data": "#bdbdbd",             # grey
}
FONT_SIZE = 14
# Fill the container's width, keep the height we ask for (one band per domain or area): Streamlit's
# default fitting would otherwise squeeze 40 areas into a fixed height and drop half the labels.
_FIT_X = alt.AutoSizeParams(type="fit-x", contains="padding")


def status_scale(lang: str = "zh") -> alt.Scale:
    """Colour scale on the status *label* (so that legends read in the chosen language)."""
    return alt.Scale(domain=[status_label(s, lang) for s in STATUSES], range=[STATUS_COLORS[s] for s in STATUSES])


def _status_color(lang: str, legend: bool = True) -> alt.Color:
    return alt.Color("label:N", scale=status_scale(lang), title=t("status", lang),
                     legend=alt.Legend(orient="bottom", labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE)
                     if legend else None,
                     sort=[status_label(s, lang) for s in STATUSES])


def _order_field(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["status_order"] = frame["status"].map({s: k for k, s in enumerate(STATUSES)})
    return frame


def status_bar(counts: pd.DataFrame, lang: str = "zh", field: str = "total") -> alt.Chart:
    """One horizontal bar per status (``views.status_counts``)."""
    data = _order_field(counts[["status", "label", field]].rename(columns={field: "n"}))
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", sort=[status_label(s, lang) for s in STATUSES], title=None,
                axis=alt.Axis(labelFontSize=FONT_SIZE + 2)),
        x=alt.X("n:Q", title=t("count", lang), axis=alt.Axis(tickMinStep=1, labelFontSize=FONT_SIZE)),
    )
    bars = base.mark_bar().encode(color=_status_color(lang, legend=False),
                                  tooltip=[alt.Tooltip("label:N", title=t("status", lang)),
                                           alt.Tooltip("n:Q", title=t("count", lang))])
    text = base.mark_text(align="left", dx=4, fontSize=FONT_SIZE + 2).encode(text="n:Q")
    return (bars + text).properties(height=220)


def domain_status_chart(frame: pd.DataFrame, lang: str = "zh") -> alt.Chart:
    """Stacked bars: for each domain, its indicators by status (``views.domain_status``)."""
    data = _order_field(frame)
    order = list(dict.fromkeys(data.sort_values("domain_order")["domain_name"])) if not data.empty else []
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("domain_name:N", sort=order, title=None, axis=alt.Axis(labelFontSize=FONT_SIZE, labelLimit=320)),
        x=alt.X("sum(n):Q", title=t("count", lang), axis=alt.Axis(tickMinStep=1)),
        color=_status_color(lang),
        order=alt.Order("status_order:Q"),
        tooltip=[alt.Tooltip("domain_name:N", title=t("domain", lang)),
                 alt.Tooltip("label:N", title=t("status", lang)),
                 alt.Tooltip("n:Q", title=t("count", lang))],
    ).properties(height=26 * max(1, len(order)), autosize=_FIT_X)


def sparkline(series: pd.DataFrame, status: str, lang: str = "zh", years: tuple[int, int] | None = None) -> alt.Chart:
    """A small chart of one indicator's observed series (``year, value, target_value``) with its
    target as a dashed rule, coloured by its status."""
    color = STATUS_COLORS.get(status, STATUS_COLORS["no_data"])
    data = series.dropna(subset=["value"])
    x = alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0))
    if years is not None:
        x = alt.X("year:O", title=None, scale=alt.Scale(domain=list(range(years[0], years[1] + 1))),
                  axis=alt.Axis(labelAngle=0))
    line = alt.Chart(data).mark_line(point=True, color=color, strokeWidth=3).encode(
        x=x, y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("year:O", title=t("year", lang)), alt.Tooltip("value:Q", title=t("value", lang))])
    tv = series["target_value"].dropna()
    layers = [line]
    if not tv.empty:
        rule = alt.Chart(pd.DataFrame({"value": [float(tv.iloc[-1])]})).mark_rule(
            strokeDash=[6, 4], color="#444").encode(y="value:Q", tooltip=[alt.Tooltip("value:Q", title=t("target_line", lang))])
        layers.append(rule)
    return alt.layer(*layers).properties(height=140)


def district_heatmap(grid: pd.DataFrame, lang: str = "zh") -> alt.Chart:
    """Areas (rows) × indicators (columns), cells coloured by status (``views.district_grid``)."""
    data = grid[["area_name", "area_order", "indicator", "indicator_label", "ind_order", "label", "value_used"]]
    area_sort = list(dict.fromkeys(data.sort_values("area_order")["area_name"])) if not data.empty else []
    ind_sort = list(dict.fromkeys(data.sort_values("ind_order")["indicator"])) if not data.empty else []
    return alt.Chart(data).mark_rect(stroke="white", strokeWidth=0.5).encode(
        x=alt.X("indicator:N", sort=ind_sort, title=t("indicator", lang),
                axis=alt.Axis(orient="top", labelAngle=-90, labelFontSize=9, labelOverlap=False)),
        y=alt.Y("area_name:N", sort=area_sort, title=None, axis=alt.Axis(labelFontSize=12, labelLimit=200, labelOverlap=False)),
        color=_status_color(lang),
        tooltip=[alt.Tooltip("area_name:N", title=t("area", lang)),
                 alt.Tooltip("indicator_label:N", title=t("indicator", lang)),
                 alt.Tooltip("label:N", title=t("status", lang)),
                 alt.Tooltip("value_used:Q", title=t("value", lang), format=",.2f")],
    ).properties(width=10 * max(1, len(ind_sort)), height=18 * max(1, len(area_sort)),
                 autosize=alt.AutoSizeParams(type="pad"))


def ranking_chart(ranking: pd.DataFrame, lang: str = "zh") -> alt.Chart:
    """Horizontal bars of each area's indicators by status, areas in ranking order."""
    if ranking.empty:
        data = pd.DataFrame(columns=["area_name", "status", "label", "n", "status_order"])
        order: list[str] = []
    else:
        data = ranking.melt(id_vars=["area_name", "rank"], value_vars=list(STATUSES), var_name="status", value_name="n")
        data["label"] = [status_label(s, lang) for s in data["status"]]
        data = _order_field(data)
        order = list(ranking["area_name"])
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("area_name:N", sort=order, title=None, axis=alt.Axis(labelFontSize=12, labelLimit=260)),
        x=alt.X("n:Q", stack="normalize", title=t("count", lang), axis=alt.Axis(format="%")),
        color=_status_color(lang),
        order=alt.Order("status_order:Q"),
        tooltip=[alt.Tooltip("area_name:N", title=t("area", lang)), alt.Tooltip("label:N", title=t("status", lang)),
                 alt.Tooltip("n:Q", title=t("count", lang))],
    ).properties(height=20 * max(1, len(order)), autosize=_FIT_X)


def indicator_chart(layers: dict[str, pd.DataFrame], lang: str = "zh", unit: str = "",
                    x_range: tuple[int, int] | None = None) -> alt.Chart:
    """The indicator page chart: one line per area, the baseline point, the target rule and a
    dashed projection to 2030 (``views.indicator_layers``)."""
    obs = layers["observed"]
    color = alt.Color("area_name:N", title=t("area", lang), legend=alt.Legend(orient="bottom", labelFontSize=FONT_SIZE))
    scale = alt.Scale(domain=list(x_range)) if x_range else alt.Undefined
    x = alt.X("year:Q", title=t("year", lang), scale=scale, axis=alt.Axis(format="d", tickMinStep=1))
    y_title = f"{t('value', lang)}（{unit}）" if unit and lang != "en" else (f"{t('value', lang)} ({unit})" if unit else t("value", lang))
    y = alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False))
    charts = [alt.Chart(obs).mark_line(point=alt.OverlayMarkDef(size=60), strokeWidth=3).encode(
        x=x, y=y, color=color,
        tooltip=[alt.Tooltip("area_name:N", title=t("area", lang)), alt.Tooltip("year:Q", title=t("year", lang)),
                 alt.Tooltip("value:Q", title=t("value", lang), format=",.2f")])]
    if not layers["projection"].empty:
        charts.append(alt.Chart(layers["projection"]).mark_line(strokeDash=[4, 4], strokeWidth=2, opacity=0.8).encode(
            x=x, y=y, color=color,
            tooltip=[alt.Tooltip("area_name:N", title=t("projection", lang)), alt.Tooltip("year:Q", title=t("year", lang)),
                     alt.Tooltip("value:Q", title=t("value", lang), format=",.2f")]))
    if not layers["baseline"].empty:
        charts.append(alt.Chart(layers["baseline"]).mark_point(shape="diamond", size=160, filled=True).encode(
            x=x, y=y, color=color,
            tooltip=[alt.Tooltip("area_name:N", title=t("baseline", lang)), alt.Tooltip("value:Q", title=t("baseline", lang))]))
    if not layers["target"].empty:
        target = layers["target"].assign(label=t("target_line", lang))
        charts.append(alt.Chart(target).mark_rule(color="#d73027", strokeDash=[8, 4], strokeWidth=2).encode(
            y="value:Q", tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip("value:Q", title=t("target_line", lang))]))
        charts.append(alt.Chart(target).mark_text(align="left", dx=4, dy=-8, color="#d73027", fontSize=FONT_SIZE).encode(
            y="value:Q", x=alt.value(0), text="label:N"))
    return alt.layer(*charts).properties(height=380)


def outer_height(chart: alt.TopLevelMixin, extra: int = 130) -> int | str:
    """Pixel height for ``st.altair_chart(height=...)``: the plot's height plus axes and legend.

    Streamlit fits the whole chart (legend included) into the height it is given, which would squeeze
    the bands of a chart that sets its plot height from the number of domains or areas.
    """
    h = getattr(chart, "height", alt.Undefined)
    return int(h) + extra if isinstance(h, (int, float)) else "content"
