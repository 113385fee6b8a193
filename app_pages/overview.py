"""总览 Overview — for a leader at a meeting: counts by status, the domains (click one to open it),
what needs attention with the units that lead the work, the warnings."""

from datetime import date

import streamlit as st

from dashboard.access import authorization
from dashboard.app import session
from dashboard.app import state as app_state
from dashboard.app import widgets as ui
from dashboard.charts import pages as charts
from dashboard.messages import t
from dashboard.views import completeness as completeness_view
from dashboard.views import overview as overview_view
from dashboard.views import warnings as warnings_view

ctx = ui.context()
lang, rules, ev = ctx.lang, ctx.rules, ctx.ev
big = ctx.presenting

if not ctx.presenting:
    c1, c2, c3 = st.columns([1, 2, 1], vertical_alignment="bottom")
    year = ui.pick_year(ctx, c1)
    area = ui.pick_area(ctx, c2)
    with c3:
        ui.presentation_toggle(ctx)
else:
    year, area = ctx.year, ctx.area

st.title(t("overview_heading", lang, area=ui.md_escape(rules.area_name(area, lang)), year=year))
if ctx.presenting:
    ui.presentation_toggle(ctx)
ui.notices(ctx)
if not ctx.presenting and authorization.can(session.current_user(), "view_completeness"):
    # The office's reminders for the year (cached per data version): values still missing, values
    # waiting for review or returned, and the units late with theirs — each linked to its page.
    fn = completeness_view.reminder_of
    due = app_state.cached_view(
        f"{fn.__module__}.{fn.__qualname__}",
        rules.fingerprint,
        ctx.version,
        fn,
        ctx.store,
        rules,
        year,
        lang,
        date.today(),
    )
    lines = completeness_view.reminder_lines(due, year, lang)
    if lines.missing:
        ui.page_link(ctx, "completeness", lines.missing, icon=":material/fact_check:", year=year)
    if lines.review and authorization.can(session.current_user(), "review"):
        ui.page_link(ctx, "review", lines.review, icon=":material/verified:", review_year=year)
    elif lines.review:
        st.caption(lines.review)
    if lines.late:
        ui.page_link(ctx, "completeness", ui.md_escape(lines.late), icon=":material/schedule:", year=year)

counts = overview_view.status_counts(ev, area, year, lang, rules.settings.target_year)
# 达标率: achieved ÷ indicators that can be monitored, for all / binding / expected (no data apart).
rates, classes = ui.view(ctx, overview_view.practice_summary, area, year, lang)
st.subheader(t("attainment_title", lang), help=t("attainment_help", lang))
for col, rate in zip(st.columns(len(rates)), rates):
    col.metric(rate["label"], rate["value"], help=rate["help"])
st.caption(ui.md_escape(classes), help=t("classes_help", lang))
for field, title in (
    ("total", "all_indicators"),
    ("binding", "binding_indicators"),
    ("expected", "expected_indicators"),
):
    st.subheader(t("indicators_of_total", lang, what=t(title, lang), n=int(counts[field].sum())))
    cols = st.columns(len(counts))
    for col, row in zip(cols, counts.itertuples()):
        col.metric(ui.status_text(row.status, lang), int(getattr(row, field)))

left, right = st.columns([3, 2])
with left:
    st.subheader(t("domain_status", lang))
    st.caption(t("domain_chart_hint", lang))
    ds = ui.view(ctx, overview_view.domain_status, area, year, lang)
    picked = ui.chart(
        charts.domain_status_chart,
        ds,
        lang,
        big,
        extra_height=130,
        on_select="rerun",
        selection_mode=charts.DOMAIN_SELECTION,
        key="domain_chart",
    )
    chosen = (picked.selection.get(charts.DOMAIN_SELECTION) or []) if picked else []
    if chosen and chosen[0].get("domain_key"):
        st.switch_page(ui.PAGES["domain"], query_params=ui.link_params(ctx, domain=chosen[0]["domain_key"]))
with right:
    st.subheader(t("attention", lang))
    att = ui.view(ctx, overview_view.attention_list, area, year, lang)
    if att.empty:
        st.success(t("attention_none", lang))
    else:
        shown = att.head(10)
        for row in shown.itertuples():
            ui.indicator_link(
                row.indicator,
                ui.md_escape(f"{ui.STATUS_ICONS.get(row.status, '')} {row.indicator} {row.name} · {row.label}"),
                ctx=ctx,
            )
            lead = f" · {t('lead_units', lang)}{ui.colon(lang)}{row.lead_units}" if row.lead_units else ""
            st.caption(ui.md_escape(f"{row.value_text} · {row.reason}{lead}"))
        if len(att) > len(shown):
            ui.page_link(ctx, "constraint", t("attention_more", lang, n=len(att) - len(shown)))

st.subheader(t("overview_warnings", lang))
warns = app_state.get_warnings(rules, year, lang, areas=[area], store=ctx.store)
for col, row in zip(st.columns(5), warnings_view.warning_counts(warns, lang).itertuples()):
    col.metric(row.label, row.n)
for row in warnings_view.top_warnings(warns, 5).itertuples():
    ui.indicator_link(
        row.indicator,
        ui.md_escape(f"{ui.STATUS_ICONS.get(row.status, '')} {row.indicator} {row.name} — {row.kind_label}"),
        ctx=ctx,
    )
    st.caption(ui.md_escape(row.reason))
if not ctx.presenting:
    ui.page_link(ctx, "warnings", t("open_warnings", lang), areas=area)
    st.caption(t("link_hint", lang))
