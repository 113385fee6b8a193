"""The report's chart: progress toward the target of each indicator with a number to reach.

Labels are code and name (``W03 孕产妇死亡率``), so the chart is read without the table; the font is
a CJK font that exists on the server (``vl-convert`` renders with the fonts of the machine).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..engine.statuses import STATUSES, status_label
from ..messages import t
from .pages import STATUS_COLORS

FONT = "Noto Sans CJK SC"
LABEL_LIMIT = 16  # characters of an indicator name in the chart; the table has the whole name


def progress_chart(rows: pd.DataFrame, lang: str = "zh") -> alt.TopLevelMixin:
    """Bars of ``progress_pct`` (−100 … 150 %) by indicator ``label``, coloured by ``status``.

    ``rows`` has columns label, status, progress_pct (rows without a progress value are drawn at 0
    with their status, so a reader sees them).
    """
    data = rows[["label", "status", "progress_pct"]].copy()
    data["name"] = [lbl if len(lbl) <= LABEL_LIMIT else lbl[: LABEL_LIMIT - 1] + "…" for lbl in data["label"]]
    data["progress"] = pd.to_numeric(data["progress_pct"], errors="coerce").clip(-100, 150).fillna(0)
    data["status_text"] = [status_label(s, lang) for s in data["status"]]
    bars = (
        alt.Chart(data)
        .mark_bar(stroke="#777777", strokeWidth=0.5)
        .encode(
            y=alt.Y("name:N", sort=None, title=None, axis=alt.Axis(labelLimit=320)),
            x=alt.X("progress:Q", title=t("report_chart_axis", lang), scale=alt.Scale(domain=[-100, 150])),
            color=alt.Color(
                "status_text:N",
                title=None,
                legend=alt.Legend(orient="bottom", columns=3),
                scale=alt.Scale(
                    domain=[status_label(s, lang) for s in STATUSES], range=[STATUS_COLORS[s] for s in STATUSES]
                ),
            ),
        )
    )
    rule = alt.Chart(pd.DataFrame({"x": [100]})).mark_rule(strokeDash=[4, 3], color="#333333").encode(x="x:Q")
    chart = (bars + rule).properties(width=460, height=max(90, 22 * len(data)))
    return (
        chart.configure(font=FONT)
        .configure_axis(labelFontSize=12, titleFontSize=12)
        .configure_legend(labelFontSize=12)
        .configure_view(strokeWidth=0)
    )
