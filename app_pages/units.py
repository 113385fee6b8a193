"""责任单位 Units — pick a unit: every task it leads or shares, and the status of the indicators its
tasks serve. The view for accountability meetings (``?unit=cq_health``)."""

import streamlit as st

from dashboard.access import authorization
from dashboard.app import selection, session
from dashboard.app import state as app_state
from dashboard.app import widgets as ui
from dashboard.charts import pages as charts
from dashboard.engine import GOOD
from dashboard.engine.task_status import task_status_label
from dashboard.messages import separator, t
from dashboard.views import completeness as completeness_view
from dashboard.views import tasks as tasks_view

ctx = ui.context()
lang, rules, ev = ctx.lang, ctx.rules, ctx.ev

st.title(t("page_units", lang))
st.caption(t("units_intro", lang))
units = tasks_view.unit_options(rules, lang)
if not tasks_view.has_tasks(rules) or not units:
    st.info(t("tasks_not_loaded", lang))
    st.stop()

default = next((c for c in units if not tasks_view.unit_tasks(rules, c, lang).empty), next(iter(units)))
try:  # a link to a unit that does not exist says so, rather than showing another unit
    selection.value("unit", list(units), default, strict=True)
except selection.Unknown as exc:
    st.error(t("unknown_in_link_unit", lang, text=ui.md_escape(exc.text)))
    ui.page_link(ctx, "tasks", t("page_tasks", lang))
    st.stop()
c1, c2, c3 = st.columns([2, 1, 2])
unit = ui.pick_option(ctx, "unit", list(units), default, "unit", c1, lambda c: units.get(c, c))
year = ui.pick_year(ctx, c2)
area = ui.pick_area(ctx, c3)
ui.notices(ctx)

info = tasks_view.unit_info(rules, unit, lang)
sep = separator(lang)
st.subheader(ui.md_escape(info["name"]))
notes = []
if info["is_group"] and info["members"]:
    notes.append(t("is_group", lang, names=sep.join(info["members"])))
if info["groups"]:
    notes.append(t("in_groups", lang, names=sep.join(info["groups"])))
if info["aliases"]:
    notes.append(sep.join(info["aliases"]))
if notes:
    st.caption(ui.md_escape(" · ".join(notes)))

reports = app_state.get_task_reports(ctx.store)
tasks = tasks_view.unit_tasks(rules, unit, lang, reports)
indicators = ui.view(ctx, tasks_view.unit_indicators, unit, area, year, lang)
led, shared = tasks[tasks["role"] == "lead"], tasks[tasks["role"] != "lead"]
bad = indicators[~indicators["status"].isin((*GOOD, "no_data"))] if len(indicators) else indicators

m1, m2, m3, m4 = st.columns(4)
m1.metric(t("tasks_led", lang), len(led))
m2.metric(t("tasks_shared", lang), len(shared))
m3.metric(t("indicators_served", lang), len(indicators))
m4.metric(t("indicators_attention", lang), len(bad))

# 监测任务分工: the indicators whose values this unit reports (rules/reporting.yaml) ----------------
carried = completeness_view.unit_reports(rules, unit, lang)
with st.expander(f"{t('reporting_unit_indicators', lang)} ({len(carried)})", expanded=tasks.empty):
    if carried.empty:
        st.caption(t("reporting_unit_none", lang))
    else:
        ui.table(completeness_view.unit_reports_table(carried, lang), lang)

# What the unit still owes for the year: values due and missing, values returned by the review.
if not carried.empty:
    fn = completeness_view.unit_outstanding_of
    owed = app_state.cached_view(
        f"{fn.__module__}.{fn.__qualname__}", rules.fingerprint, ctx.version, fn, ctx.store, rules, unit, year, lang
    )
    state_col = t("col_completeness_state", lang)
    n_missing = int((owed[state_col] == completeness_view.State.MISSING.label(lang)).sum())
    heading = t("unit_outstanding_heading", lang, year=year, missing=n_missing, returned=len(owed) - n_missing)
    with st.expander(heading, expanded=False, icon=":material/pending_actions:"):
        if owed.empty:
            st.caption(t("unit_outstanding_none", lang, year=year))
        else:
            # The unit is the page's; the approvers' comments are for the staff who handle the data.
            hidden = [t("col_completeness_unit", lang), t("col_completeness_unit_code", lang)]
            if not authorization.can(session.current_user(), "view_completeness"):
                hidden.append(t("col_completeness_comment", lang))
            ui.table(owed.drop(columns=[c for c in hidden if c in owed]), lang)

if tasks.empty:
    st.info(t("no_unit_tasks", lang))
    st.stop()
ui.page_link(ctx, "tasks", t("open_in_tasks", lang), task_unit=unit)

# The indicators first: that is what the meeting asks about -----------------------------------
st.subheader(t("unit_indicator_status", lang) + f" · {ui.md_escape(rules.area_name(area, lang))} · {year}")
if indicators.empty:
    st.info(t("no_unit_indicators", lang))
else:
    left, right = st.columns([2, 3])
    with left:
        counts = tasks_view.unit_status_counts(indicators, lang)
        ui.chart(charts.status_bar, counts, lang, "total", ctx.presenting)
    with right:
        for row in indicators.itertuples():
            value = row.value_text
            ui.indicator_link(
                row.indicator, ui.md_escape(f"{ui.STATUS_ICONS.get(row.status, '')} {row.indicator} {row.name}")
            )
            st.caption(
                ui.md_escape(
                    f"{row.label} · {t('latest_value', lang)} {value} · {t('target', lang)} {row.target_text} · "
                    f"{t('role_lead' if row.role == 'lead' else 'role_responsible', lang)} · "
                    f"{t('unit_tasks_col', lang)}{ui.colon(lang)}{row.tasks}"
                )
            )


def task_rows(frame, empty_key: str) -> None:
    if frame.empty:
        st.caption(t(empty_key, lang))
        return
    for row in frame.itertuples():
        ui.task_link(row.code, ui.md_escape(f"{ui.TASK_STATUS_ICONS.get(row.status, '')} {row.code} {row.title}"))
        bits = [task_status_label(row.status, lang)]
        if row.via:
            bits.append(t("via_group", lang, group=row.via))
        if row.role != "lead" and row.lead_units:
            bits.append(f"{t('lead_units', lang)}{ui.colon(lang)}{row.lead_units}")
        if row.indicators:
            bits.append(f"{t('indicators_short', lang)}{ui.colon(lang)}{row.indicators}")
        st.caption(ui.md_escape(" · ".join(bits)))


left, right = st.columns(2)
with left:
    st.subheader(f"{t('tasks_led', lang)} ({len(led)})")
    task_rows(led, "no_led_tasks")
with right:
    st.subheader(f"{t('tasks_shared', lang)} ({len(shared)})")
    task_rows(shared, "no_shared_tasks")
