"""填报完整性 Completeness — for the office: every value due for the year, who owes it, what is
still missing; counts by unit and by area, 填报完整率, and the chase list to send out
(``?year=2024&unit=cq_health``). Staff who handle data only (refused on the server for others)."""

import streamlit as st

from dashboard.app import selection, session
from dashboard.app import state as app_state
from dashboard.app import widgets as ui
from dashboard.messages import separator, t
from dashboard.reports.chase_list import chase_list_bytes
from dashboard.rules import catalogue_for
from dashboard.views import completeness as view

ctx = ui.context()
lang, rules = ctx.lang, ctx.rules

st.title(t("page_completeness", lang))
session.require_page("view_completeness", lang, "completeness page")
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

values = app_state.get_observations(ctx.store)
name = f"{view.page_data.__module__}.{view.page_data.__qualname__}"
try:
    data = app_state.cached_view(name, rules.fingerprint, ctx.version, view.page_data, values, rules, year, unit, lang)
except view.CompletenessError as exc:
    st.error(ui.md_escape(exc.problem.message(lang)))
    st.stop()
s = data["summary"]
m1, m2, m3, m4 = st.columns(4)
m1.metric(t("completeness_due", lang), s["due"])
m2.metric(t("completeness_reported", lang), s["reported"])
m3.metric(t("completeness_missing", lang), s["missing"])
m4.metric(t("completeness_rate", lang), view.rate_text(s["rate"]))
if cat.reporting.unassigned:
    st.caption(ui.md_escape(t("completeness_unassigned", lang, codes=separator(lang).join(cat.reporting.unassigned))))


def counts_table(frame, by: str):
    shown = frame.assign(rate=frame["rate"].map(view.rate_text)).drop(columns=["code"])
    heads = ["name", "due", "reported", "missing", "rate"]
    words = [t("col_completeness_unit" if by == "unit" else "col_completeness_area", lang)]
    words += [t(k, lang) for k in ("completeness_due", "completeness_reported", "completeness_missing")]
    words.append(t("completeness_rate", lang))
    return shown[heads].set_axis(words, axis=1)


left, right = st.columns(2)
with left:
    st.subheader(t("completeness_by_unit", lang))
    ui.table(counts_table(data["by_unit"], "unit"), lang)
with right:
    st.subheader(t("completeness_by_area", lang))
    ui.table(counts_table(data["by_area"], "area"), lang)

st.subheader(t("completeness_chase_list", lang))
chase = view.chase_list(data["frame"], lang)
if chase.empty:
    st.success(t("completeness_none_missing", lang))
    st.stop()
ui.table(chase, lang)
stem = f"chase_list_{year}" + (f"_{unit}" if unit else "")
title = f"{year} {t('completeness_chase_list', lang)}"
d1, d2 = st.columns(2)
d1.download_button(
    t("completeness_download_csv", lang),
    chase_list_bytes(chase, "csv", title),
    file_name=f"{stem}.csv",
    mime="text/csv",
    key="chase_csv",
    icon=":material/download:",
)
d2.download_button(
    t("completeness_download_xlsx", lang),
    chase_list_bytes(chase, "xlsx", title),
    file_name=f"{stem}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="chase_xlsx",
    icon=":material/table_view:",
)
