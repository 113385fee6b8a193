"""分领域 By domain — each indicator of a domain: its latest value, target, status and series."""

import streamlit as st

from dashboard.app import selection
from dashboard.app import widgets as ui
from dashboard.charts import pages as charts
from dashboard.messages import t
from dashboard.views import domain as domain_view

ctx = ui.context()
lang, rules, ev = ctx.lang, ctx.rules, ctx.ev

options = [f"{p}:{d}" for (p, d) in rules.domains]
if not options:
    st.info(t("no_indicators", lang))
    st.stop()
try:
    current = selection.value("domain", options, options[0], strict=True)
except selection.Unknown as exc:
    st.warning(t("unknown_in_link_domain", lang, text=ui.md_escape(exc.text)))
    current = options[0]

ui.breadcrumbs(ctx, [("overview", t("page_overview", lang), {})], t("page_domain", lang))
c1, c2, c3 = st.columns([1, 2, 2])
year = ui.pick_year(ctx, c1)
area = ui.pick_area(ctx, c2)
chosen = ui.select(
    ctx,
    "domain",
    options,
    current,
    "domain",
    c3,
    lambda v: f"{v.split(':')[0]} · {rules.domain_name(*v.split(':', 1), lang)}",
)
plan, domain = chosen.split(":", 1)

st.title(ui.md_escape(f"{rules.domain_name(plan, domain, lang)} · {rules.area_name(area, lang)} · {year}"))
ui.notices(ctx)

summary = ui.view(ctx, domain_view.domain_summary, plan, domain, area, year, lang)
series = ui.view(ctx, domain_view.domain_series, plan, domain, area, year)
span = (ctx.years[0], year) if ctx.years else None
if summary.empty:
    st.info(t("no_indicators", lang))

per_row = 2 if ctx.presenting else 3
for start in range(0, len(summary), per_row):
    cols = st.columns(per_row)
    for col, row in zip(cols, summary.iloc[start : start + per_row].itertuples()):
        with col.container(border=True):
            st.markdown(f"**{ui.md_escape(row.indicator)} {ui.md_escape(row.name)}**")
            st.caption(
                ui.md_escape(
                    f"{ui.status_text(row.status, lang)} · {t('latest_value', lang)} {row.value_text}"
                    f" · {t('target', lang)} {row.target_text} · {row.attribute_label}"
                )
            )
            s = series[series["indicator"] == row.indicator]
            ui.chart(charts.sparkline, s, row.status, lang, span, ctx.presenting)
            if row.flags:
                st.caption(ui.md_escape(row.flags))
            ui.page_link(ctx, "indicator", t("indicator_link", lang), indicator=row.indicator, domain=chosen)
