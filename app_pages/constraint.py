"""约束性/预期性 By constraint type — binding and expected indicators side by side."""
import streamlit as st

from dashboard.app import widgets as ui
from dashboard.charts import pages as charts
from dashboard.messages import t
from dashboard.views import constraint as constraint_view
from dashboard.views import overview as overview_view

ctx = ui.context()
lang, rules, ev = ctx.lang, ctx.rules, ctx.ev

c1, c2 = st.columns([1, 2])
year = ui.pick_year(ctx, c1)
area = ui.pick_area(ctx, c2)

st.title(f"{t('constraint_heading', lang)} · {rules.area_name(area, lang)} · {year}")
st.caption(t("constraint_note", lang))
ui.notices(ctx)

counts = overview_view.status_counts(ev, area, year, lang)
table = constraint_view.constraint_table(ev, rules, area, year, lang)
cols = st.columns(2)
for col, attr in zip(cols, ("binding", "expected")):
    with col:
        part = table[table["attribute"] == attr]
        st.subheader(f"{t(attr + '_indicators', lang)} ({len(part)})")
        st.altair_chart(charts.status_bar(counts, lang, field=attr), width="stretch")
        shown = part.assign(label=[ui.status_text(s, lang) for s in part["status"]])
        shown = shown[["indicator", "name", "domain_name", "target_text", "value_used", "unit", "label", "flags"]]
        st.dataframe(
            shown.rename(columns={"indicator": t("code", lang), "name": t("indicator", lang),
                                  "domain_name": t("domain", lang), "target_text": t("target", lang),
                                  "value_used": t("latest_value", lang), "unit": t("unit", lang),
                                  "label": t("status", lang), "flags": t("flags", lang)}),
            hide_index=True, width="stretch", height=min(700, 38 + 35 * max(1, len(shown))))
