"""总览 Overview — for a leader at a meeting: counts by status, domains, what needs attention."""
import streamlit as st

from dashboard.app import widgets as ui
from dashboard.charts import pages as charts
from dashboard.messages import t
from dashboard.views import common as common_view
from dashboard.views import overview as overview_view
from dashboard.views import warnings as warnings_view

ctx = ui.context()
lang, rules, ev = ctx.lang, ctx.rules, ctx.ev

if ctx.presenting:
    # Controls hidden: the selection comes from the link (or from before presentation mode).
    year = ui.app_state.parse_int(ui.app_state.qp_get("year") or "") or st.session_state.get("_keep_year") or ctx.default_year
    area = ui.app_state.qp_get("area") or st.session_state.get("_keep_area") or common_view.city_code(rules)
    if year not in ctx.years:
        year = ctx.default_year
    if area not in rules.areas:
        area = common_view.city_code(rules)
else:
    c1, c2, c3 = st.columns([1, 2, 1], vertical_alignment="bottom")
    year = ui.pick_year(ctx, c1)
    area = ui.pick_area(ctx, c2)
    with c3:
        ui.presentation_toggle(ctx)

st.title(t("overview_heading", lang, area=rules.area_name(area, lang), year=year))
if ctx.presenting:
    ui.presentation_toggle(ctx)
else:
    ui.notices(ctx)

counts = overview_view.status_counts(ev, area, year, lang)
total = int(counts["total"].sum())
n_binding = int(counts["binding"].sum())

for field, title, n in (("total", "all_indicators", total), ("binding", "binding_indicators", n_binding),
                        ("expected", "expected_indicators", int(counts["expected"].sum()))):
    st.subheader(f"{t(title, lang)}（{t('of_total', lang, n=n)}）" if lang != "en"
                 else f"{t(title, lang)} ({n})")
    cols = st.columns(len(counts))
    for col, row in zip(cols, counts.itertuples()):
        col.metric(ui.status_text(row.status, lang), int(getattr(row, field)))

left, right = st.columns([3, 2])
with left:
    st.subheader(t("domain_status", lang))
    ds = overview_view.domain_status(ev, rules, area, year, lang)
    chart = charts.domain_status_chart(ds, lang)
    st.altair_chart(chart, width="stretch", height=charts.outer_height(chart))
with right:
    st.subheader(t("attention", lang))
    att = overview_view.attention_list(ev, rules, area, year, lang)
    if att.empty:
        st.success(t("attention_none", lang))
    else:
        shown = att.head(10)
        for row in shown.itertuples():
            label = f"{ui.STATUS_ICONS.get(row.status, '')} {row.indicator} {row.name}"
            ui.indicator_link(row.indicator, label)
            lead = f" · {t('lead_units', lang)}{ui.colon(lang)}{row.lead_units}" if row.lead_units else ""
            st.caption(ui.md_escape(row.reason + lead))
        if len(att) > len(shown):
            st.caption(t("attention_more", lang, n=len(att) - len(shown)))

st.subheader(t("overview_warnings", lang))
warns = ui.app_state.get_warnings(rules, year, lang, areas=[area], store=ctx.store)
for col, row in zip(st.columns(5), warnings_view.warning_counts(warns, lang).itertuples()):
    col.metric(row.label, row.n)
for row in warnings_view.top_warnings(warns, 5).itertuples():
    ui.indicator_link(row.indicator, ui.md_escape(
        f"{ui.STATUS_ICONS.get(row.status, '')} {row.indicator} {row.name} — {row.kind_label}"))
    st.caption(ui.md_escape(row.reason))
if not ctx.presenting:
    st.page_link(ui.PAGES["warnings"], label=t("open_warnings", lang), query_params=ui.link_params(areas=area))
    st.caption(t("link_hint", lang))
