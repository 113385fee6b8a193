"""The map of the districts and counties, coloured by their share of indicators achieved or on track,
or by one indicator's status; clicking a district selects it (``map_pick`` on ``code``)."""

from __future__ import annotations

from functools import lru_cache

import altair as alt
import pandas as pd

from ..engine.statuses import STATUSES, status_label
from ..messages import t
from .boundaries import districts
from .pages import STATUS_COLORS, sizes, styled
from .spec import vega_lite

MAP_SELECTION = "map_pick"
OUTLINES = "district_outlines"  # the spec's named dataset holding the outlines with their values


def _features(values: pd.DataFrame) -> list[dict]:
    """The district outlines with the values of ``values`` (indexed by area code) in their properties."""
    by_code = values.set_index("area_code").to_dict(orient="index") if len(values) else {}
    # New feature and property dicts around the shared outline geometry, which is only read: copying
    # the few hundred kilobytes of coordinates on every rerun cost more than drawing the whole page.
    return [
        {
            **feature,
            "properties": {**feature["properties"], **by_code.get(feature["properties"]["code"], {})},
        }
        for feature in districts()["features"]
    ]


def district_map(values: pd.DataFrame, lang: str = "zh", by: str = "share", big: bool = False) -> dict:
    """The map as a Vega-Lite spec (``st.vega_lite_chart``).

    ``values``: area_code, area_name, and either ``share`` (0–1, ``by="share"``) or ``status`` and
    ``label`` (one indicator, ``by="status"``), plus ``tip`` (the value written out).
    """
    # The chart is built around a named, empty dataset and the outlines are put in afterwards:
    # Altair copies and walks inline data several times over (layering, validation, to_dict), which
    # for a few hundred kilobytes of coordinates took longer than everything else on the page.
    data = alt.Data(name=OUTLINES)
    pick = alt.selection_point(name=MAP_SELECTION, fields=["code"], on="click")
    base = alt.Chart(data).transform_calculate(
        code="datum.properties.code", area_name="datum.properties.area_name", tip="datum.properties.tip"
    )
    if by == "share":
        base = base.transform_calculate(share="datum.properties.share")
        shares = pd.to_numeric(values.get("share"), errors="coerce").dropna() if len(values) else pd.Series(dtype=float)
        low = float(int(shares.min() * 10) / 10) if len(shares) else 0.0  # from the lowest tenth: contrast
        color = alt.Color(
            "share:Q",
            title=t("share_good", lang),
            scale=alt.Scale(domain=[low, 1], scheme="blues"),
            legend=alt.Legend(format="%", orient="bottom", gradientLength=320),
        )
    else:
        base = base.transform_calculate(label="datum.properties.label")
        color = alt.Color(
            "label:N",
            title=t("status", lang),
            legend=alt.Legend(orient="bottom", columns=6),
            scale=alt.Scale(
                domain=[status_label(s, lang) for s in STATUSES], range=[STATUS_COLORS[s] for s in STATUSES]
            ),
        )
    shapes = (
        base.mark_geoshape(stroke="white", strokeWidth=1.2, cursor="pointer")
        .encode(
            color=color,
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.55)),
            tooltip=[alt.Tooltip("area_name:N", title=t("area", lang)), alt.Tooltip("tip:N", title=t("value", lang))],
        )
        .add_params(pick)
    )
    labels = (
        base.transform_calculate(
            short="replace(datum.properties.area_name, /(土家族|苗族)*(自治县|区|县)$| (Tujia|Miao|and| )*"
            "(Autonomous County|District|County)$/, '')"
        )
        .mark_text(fontSize=sizes(big)["label"] - 4, color="#222222")
        .encode(longitude="lon:Q", latitude="lat:Q", text="short:N")
        .transform_calculate(lon="datum.properties.lon", lat="datum.properties.lat")
    )
    chart = (shapes + labels).project(type="mercator").properties(width="container", height=620 if big else 520)
    spec = vega_lite(styled(chart, big))
    spec.setdefault("datasets", {})[OUTLINES] = _features(label_points(values))
    return spec


def label_points(values: pd.DataFrame) -> pd.DataFrame:
    """Where each district's name is written: the centre of its largest outline (mean of its points)."""
    return values.merge(_label_points(), on="area_code", how="left")


@lru_cache(maxsize=1)
def _label_points() -> pd.DataFrame:
    # The outlines ship with the code and never change while the app runs: computed once.
    rows = []
    for feature in districts()["features"]:
        polygons = feature["geometry"]["coordinates"]
        ring = max((p[0] for p in polygons), key=len)
        rows.append(
            {
                "area_code": feature["properties"]["code"],
                "lon": sum(x for x, _ in ring) / len(ring),
                "lat": sum(y for _, y in ring) / len(ring),
            }
        )
    return pd.DataFrame(rows)
