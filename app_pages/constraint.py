"""约束性/预期性 By constraint type — binding and expected indicators side by side."""

import streamlit as st

from dashboard.app import widgets as ui
from dashboard.charts import pages as charts
from dashboard.messages import t
from dashboard.views import common as common_view
from dashboard.views import constraint as constraint_view
from dashboard.views import overview as overview_view

ctx = ui.context()
lang, rules, ev = ctx.lang, ctx.rules, ctx.ev

c1, c2 = st.columns([1, 2])
year = ui.pick_year(ctx, c1)
area = ui.pick_area(ctx, c2)

st.title(f"{t('constraint_heading', lang)} · {ui.md_escape(rules.area_name(area, lang))} · {year}")
st.caption(t("constraint_note", lang))
ui.notices(ctx)

counts = overview_view.status_counts(ev, area, year, lang, rules.settings.target_year)
table = ui.view(ctx, constraint_view.constraint_table, area, year, lang)
for col, attr in zip(st.columns(2), ("binding", "expected")):
    with col:
        part = table[table["attribute"] == attr]
        st.subheader(t("indicators_of_total", lang, what=t(attr + "_indicators", lang), n=len(part)))
        ui.chart(charts.status_bar, counts, lang, attr, ctx.presenting)
        shown = part.assign(label=[ui.status_text(s, lang) for s in part["status"]])
        ui.table(
            common_view.display(
                shown,
                {
                    "indicator": "code",
                    "name": "indicator",
                    "domain_name": "domain",
                    "target_text": "target",
                    "value_text": "latest_value",
                    "label": "status",
                    "flags": "flags",
                },
                lang,
            ),
            lang,
            height=min(700, 38 + 35 * max(1, len(shown))),
        )
