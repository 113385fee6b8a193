"""The report's chart: progress toward the target of each indicator with a number to reach.

Labels are code and name (``W03 孕产妇死亡率``), so the chart is read without the table; the font is
a CJK font that exists on the server.

:func:`progress_chart` is the chart's specification in Altair (Vega-Lite): bars of progress by
indicator, coloured by status, a dashed line at 100 %, the legend of every status below. The report
embeds it as a PNG drawn by :mod:`.report_png`, which places every element where Vega puts it for
this specification — without running Vega, which took seconds per report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..engine.statuses import STATUSES, status_label
from ..messages import t
from .colors import STATUS_COLORS

if TYPE_CHECKING:  # Altair is imported only where the specification is built (its import costs 0.3 s)
    import altair as alt

FONT = "Noto Sans CJK SC"
FONT_SIZE = 12
LABEL_LIMIT = 16  # characters of an indicator name in the chart; the table has the whole name
PLOT_WIDTH = 460
ROW_HEIGHT, MIN_HEIGHT = 22, 90  # px per bar; the plot's least height
PROGRESS_RANGE = (-100, 150)  # the axis; progress beyond it is drawn at its end
TARGET_LINE = 100
LEGEND_COLUMNS = 3
BAR_STROKE, TARGET_STROKE = "#777777", "#333333"


def plot_height(n: int) -> int:
    """The plot's height for ``n`` bars."""
    return max(MIN_HEIGHT, ROW_HEIGHT * n)


def chart_rows(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """What the chart shows of each row: ``name`` (the label cut to :data:`LABEL_LIMIT` characters),
    ``progress`` (clipped to the axis; a row without a value is drawn at 0 with its status, so a
    reader sees it) and ``status_text``."""
    data = rows[["label", "status", "progress_pct"]].copy()
    data["name"] = [lbl if len(lbl) <= LABEL_LIMIT else lbl[: LABEL_LIMIT - 1] + "…" for lbl in data["label"]]
    data["progress"] = pd.to_numeric(data["progress_pct"], errors="coerce").clip(*PROGRESS_RANGE).fillna(0)
    data["status_text"] = [status_label(s, lang) for s in data["status"]]
    return data


def progress_chart(rows: pd.DataFrame, lang: str = "zh") -> alt.TopLevelMixin:
    """Bars of ``progress_pct`` (−100 … 150 %) by indicator ``label``, coloured by ``status``.

    ``rows`` has columns label, status, progress_pct.
    """
    import altair as alt

    data = chart_rows(rows, lang)
    bars = (
        alt.Chart(data)
        .mark_bar(stroke=BAR_STROKE, strokeWidth=0.5)
        .encode(
            y=alt.Y("name:N", sort=None, title=None, axis=alt.Axis(labelLimit=320)),
            x=alt.X("progress:Q", title=t("report_chart_axis", lang), scale=alt.Scale(domain=list(PROGRESS_RANGE))),
            color=alt.Color(
                "status_text:N",
                title=None,
                legend=alt.Legend(orient="bottom", columns=LEGEND_COLUMNS),
                scale=alt.Scale(
                    domain=[status_label(s, lang) for s in STATUSES], range=[STATUS_COLORS[s] for s in STATUSES]
                ),
            ),
        )
    )
    target = pd.DataFrame({"x": [TARGET_LINE]})
    rule = alt.Chart(target).mark_rule(strokeDash=[4, 3], color=TARGET_STROKE).encode(x="x:Q")
    chart = (bars + rule).properties(width=PLOT_WIDTH, height=plot_height(len(data)))
    return (
        chart.configure(font=FONT)
        .configure_axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE)
        .configure_legend(labelFontSize=FONT_SIZE)
        .configure_view(strokeWidth=0)
    )
