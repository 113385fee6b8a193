"""填报完整性 Completeness — for the office: every value due for the year, who owes it and its state
(未报 / 已报待审 / 已审核 / 退回 / 无法取得); counts per state, by unit and by area, 填报完整率 and
审核完成率, the values of one state (``?state=returned``), and the chase list to send out
(``?year=2024&unit=cq_health``). Staff who handle data only (refused on the server for others).
The states are read from the store whatever the switch 含未审核 shows."""

from datetime import date
from functools import partial

import streamlit as st

from dashboard.app import not_obtainable_form, selection, session
from dashboard.app import state as app_state
from dashboard.app import widgets as ui
from dashboard.messages import separator, t
from dashboard.reports.chase_list import chase_list_bytes
from dashboard.rules import catalogue_for
from dashboard.views import completeness as view

ctx = ui.context()
lang, rules = ctx.lang, ctx.rules

st.title(t("page_completeness", lang))
user = session.require_page("view_completeness", lang, "completeness page")
# An area editor sees their own areas' values only (the office and the reviewers see every area).
own_areas = tuple(user.areas) if user.role == "area_editor" else None
st.caption(t("completeness_intro", lang))
cat = catalogue_for(rules)
if cat.reporting.file is None:
    st.info(t("completeness_no_reporting", lang))
    st.stop()

reporting_units = list(dict.fromkeys(u for a in cat.reporting.assignments.values() for u in (a.city, a.district) if u))
options = ["", *sorted(reporting_units, key=list(cat.units).index)]
try:  # a link to a unit that does not exist says so, rather than showing every unit
    selection.value("unit", options, "", strict=True)
except selection.Unknown as exc:
    st.error(t("unknown_in_link_unit", lang, text=ui.md_escape(exc.text)))
    st.stop()
c1, c2 = st.columns([1, 3])
year = ui.pick_year(ctx, c1)
unit = ui.pick_option(
    ctx, "unit", options, "", "unit", c2, lambda c: cat.unit_name(c, lang) if c else t("completeness_all_units", lang)
)
ui.notices(ctx)

# The review states of every current value, not the values the dashboards show (approved ones by
# default): cached per data version (every review event changes it) and day (lateness).
fn = view.page_data_of
name = f"{fn.__module__}.{fn.__qualname__}"
# What the page shows is decided by these (and the rules and data versions): they key its data and
# the chase-list files alike.
selected = (year, unit, lang, date.today(), own_areas)
try:
    data = app_state.cached_view(name, rules.fingerprint, ctx.version, fn, ctx.store, rules, *selected)
except view.CompletenessError as exc:
    st.error(ui.md_escape(exc.problem.message(lang)))
    st.stop()
s = data["summary"]
m1, m2, m3, m4, m5 = st.columns(5)
m1.metric(t("completeness_due", lang), s["due"])
m2.metric(t("completeness_reported", lang), s["reported"])
m3.metric(t("completeness_missing", lang), s["missing"])
m4.metric(t("completeness_late", lang), s["late"])
m5.metric(t("completeness_rate", lang), view.rate_text(s["rate"]), help=t("completeness_rules_help", lang))
r1, r2, r3, r4, r5 = st.columns(5)
r1.metric(view.State.APPROVED.label(lang), s["approved"])
r2.metric(view.State.SUBMITTED.label(lang), s["submitted"])
r3.metric(view.State.RETURNED.label(lang), s["returned"])
r4.metric(view.State.NOT_OBTAINABLE.label(lang), s["not_obtainable"])
r5.metric(
    t("completeness_review_rate", lang), view.rate_text(s["review_rate"]), help=t("completeness_rules_help", lang)
)
if own_areas is not None:
    names = separator(lang).join(rules.area_name(a, lang) for a in own_areas)
    st.caption(ui.md_escape(t("completeness_own_areas", lang, areas=names)))
if cat.reporting.unassigned:
    st.caption(ui.md_escape(t("completeness_unassigned", lang, codes=separator(lang).join(cat.reporting.unassigned))))


left, right = st.columns(2)
with left:
    st.subheader(t("completeness_by_unit", lang))
    ui.table(view.counts_table(data["by_unit"], "unit", lang), lang)
with right:
    st.subheader(t("completeness_by_area", lang))
    ui.table(view.counts_table(data["by_area"], "area", lang), lang)

st.subheader(t("completeness_states_heading", lang))
states = ["", *(s.value for s in view.State)]
try:  # a link to a state that does not exist says so, rather than showing every state
    selection.value("state", states, "", strict=True)
except selection.Unknown as exc:
    st.error(t("unknown_in_link_state", lang, text=ui.md_escape(exc.text)))
    st.stop()
state = ui.pick_option(
    ctx,
    "state",
    states,
    "",
    "completeness_state_filter",
    format_func=lambda v: view.State(v).label(lang) if v else t("completeness_all_states", lang),
)
ui.table(view.state_table(data["frame"], lang, [state] if state else None), lang)

# 无法取得: the unit states it cannot obtain a value (or withdraws that), for the areas it may.
not_obtainable_form.show(
    user, ctx.store, data["frame"], year, lang, view.State.MISSING.value, view.State.NOT_OBTAINABLE.value
)

st.subheader(t("completeness_chase_list", lang))
chase = view.chase_list(data["frame"], lang)
if chase.empty:
    st.success(t("completeness_none_missing", lang))
    st.stop()
ui.table(chase, lang)
stem = f"chase_list_{year}" + (f"_{unit}" if unit else "")
title = f"{year} {t('completeness_chase_list', lang)}"
d1, d2 = st.columns(2)
# Each file is built once per selection and data version, not on every run (the Excel file took most
# of this page's time).
d1.download_button(
    t("completeness_download_csv", lang),
    app_state.download_bytes(
        "chase_csv", rules.fingerprint, ctx.version, selected, partial(chase_list_bytes, chase, "csv", title)
    ),
    file_name=f"{stem}.csv",
    mime="text/csv",
    key="chase_csv",
    icon=":material/download:",
)
d2.download_button(
    t("completeness_download_xlsx", lang),
    app_state.download_bytes(
        "chase_xlsx", rules.fingerprint, ctx.version, selected, partial(chase_list_bytes, chase, "xlsx", title)
    ),
    file_name=f"{stem}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="chase_xlsx",
    icon=":material/table_view:",
)
