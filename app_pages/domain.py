"""分领域 By domain — each indicator of a domain: its series, target line and status."""
import streamlit as st

from dashboard.app import widgets as ui
from dashboard.charts import pages as charts
from dashboard.messages import t
from dashboard.views import domain as domain_view

ctx = ui.context()
lang, rules, ev = ctx.lang, ctx.rules, ctx.ev

c1, c2, c3 = st.columns([1, 2, 2])
year = ui.pick_year(ctx, c1)
area = ui.pick_area(ctx, c2)
chosen = ui.pick_domain(ctx, c3)
if chosen is None:
    st.info(t("no_indicators", lang))
    st.stop()
plan, domain = chosen

st.title(f"{rules.domain_name(plan, domain, lang)} · {rules.area_name(area, lang)} · {year}")
ui.notices(ctx)

summary = domain_view.domain_summary(ev, rules, plan, domain, area, year, lang)
series = domain_view.domain_series(ev, rules, plan, domain, area, upto=year)
span = (ctx.years[0], year) if ctx.years else None
if summary.empty:
    st.info(t("no_indicators", lang))

per_row = 3
for start in range(0, len(summary), per_row):
    cols = st.columns(per_row)
    for col, row in zip(cols, summary.iloc[start:start + per_row].itertuples()):
        with col.container(border=True):
            st.markdown(f"**{ui.md_escape(row.indicator)} {ui.md_escape(row.name)}**")
            value = "—" if row.value_used != row.value_used else f"{row.value_used:g} {row.unit}"
            st.caption(ui.md_escape(f"{ui.status_text(row.status, lang)} · {t('latest_value', lang)} {value} · "
                                    f"{t('target', lang)} {row.target_text} · {row.attribute_label}"))
            s = series[series["indicator"] == row.indicator]
            st.altair_chart(charts.sparkline(s, row.status, lang, span), width="stretch")
            if row.flags:
                st.caption("⚠️ " + ui.md_escape(row.flags))
            ui.indicator_link(row.indicator, t("indicator_link", lang))
