"""任务详情 Task page — one work-plan task, opened from a link ``?task=CODE``: its text, its lead and
responsible units, the linked indicators with their status, numeric targets against what was
reported, and the history of its progress reports."""

import streamlit as st

from dashboard.app import state as app_state
from dashboard.app import widgets as ui
from dashboard.messages import separator, t
from dashboard.messages.numbers import format_value
from dashboard.views import common as common_view
from dashboard.views import tasks as tasks_view

ctx = ui.context()
lang, rules, ev = ctx.lang, ctx.rules, ctx.ev
code = st.query_params.get("task")

# The code comes from the address: shown as text, never as markdown (a link in it stays text).
st.title(t("page_task", lang) + (f" · {ui.md_escape(code)}" if code else ""))
if not tasks_view.has_tasks(rules):
    st.info(t("tasks_not_loaded", lang))
    st.page_link(ui.PAGES["tasks"], label=t("back_to_tasks", lang), query_params=ui.link_params(page="tasks"))
    st.stop()
info = tasks_view.task_info(rules, code, lang)
if info is None:
    st.warning(t("task_not_found", lang, code=ui.md_escape(code) if code else "—"))
    st.page_link(ui.PAGES["tasks"], label=t("back_to_tasks", lang), query_params=ui.link_params(page="tasks"))
    st.stop()

reports = app_state.get_task_reports(ctx.store)
st.subheader(ui.md_escape(info["title"]))
meta = [info["source"], info["section"], f"{t('period', lang)}{ui.colon(lang)}{info['period']}"]
if info["domain_name"]:
    meta.append(f"{t('domain', lang)}{ui.colon(lang)}{info['domain_name']}")
st.caption(ui.md_escape(" · ".join(meta)))

now = tasks_view.task_status_summary(rules, reports, info["code"], lang)
m1, m2, m3 = st.columns(3)
m1.metric(
    t("task_progress_now", lang) + (f" · {t('reported_for', lang, year=now['year'])}" if now["year"] else ""),
    ui.task_status_text(now["status"], lang),
)
m2.metric(t("lead_units", lang), len(info["lead"]))
m3.metric(t("indicators_short", lang), len(info["indicators"]))

with st.container(border=True):
    st.markdown(f"**{t('task_text', lang)}**")
    st.markdown(ui.md_escape(info["text"]))

# Units --------------------------------------------------------------------------------------
st.subheader(t("task_units", lang))
left, right = st.columns(2)
with left:
    st.markdown(f"**{t('lead_units', lang)}**")
    if not info["lead"]:
        st.caption(t("none_printed", lang))
    for u in info["lead"]:
        ui.unit_link(u["code"], "🏛️ " + ui.md_escape(u["name"]))
with right:
    st.markdown(f"**{t('responsible_units', lang)}**")
    if not info["responsible"]:
        st.caption(t("none_printed", lang))
    for u in info["responsible"]:
        ui.unit_link(u["code"], "🏢 " + ui.md_escape(u["name"]))
        if u["members"]:
            sep = separator(lang)
            st.caption(ui.md_escape(t("group_members", lang, n=len(u["members"]), names=sep.join(u["members"]))))

# Linked indicators --------------------------------------------------------------------------
st.subheader(t("linked_indicators", lang))
if not info["indicators"]:
    st.info(t("no_linked_indicators", lang))
else:
    c1, c2 = st.columns([1, 2])
    year = ui.pick_year(ctx, c1)
    area = ui.pick_area(ctx, c2)
    ui.notices(ctx)
    linked = ui.view(ctx, tasks_view.task_indicators, info["code"], area, year, lang)
    for row in linked.itertuples():
        value = row.value_text
        ui.indicator_link(
            row.indicator, ui.md_escape(f"{ui.STATUS_ICONS.get(row.status, '')} {row.indicator} {row.name}")
        )
        st.caption(
            ui.md_escape(
                f"{row.label} · {t('latest_value', lang)} {value} · {t('target', lang)} "
                f"{row.target_text} · {row.attribute_label}"
            )
        )

# Numeric targets ----------------------------------------------------------------------------
st.subheader(t("task_targets", lang))
targets = tasks_view.task_targets(rules, reports, info["code"], lang)
if targets.empty:
    st.info(t("no_task_targets", lang))
else:
    shown = targets.assign(
        met=[t("met_yes", lang) if m is True else t("met_no", lang) if m is False else "—" for m in targets["met"]],
        note=targets["note"].fillna(""),
    )
    shown = shown.assign(
        reached=[format_value(v, u, lang) for v, u in zip(shown["reached"], shown["unit"])],
        year=shown["year"].astype("string"),
    )
    ui.table(
        common_view.display(
            shown,
            {
                "measure": "measure",
                "printed": "printed",
                "target": "target",
                "indicator": "code",
                "year": "year",
                "reached": "reached",
                "met": "met",
                "status_label": "task_status",
                "note": "note",
            },
            lang,
        ),
        lang,
    )

# History ------------------------------------------------------------------------------------
st.subheader(t("task_history", lang))
history = tasks_view.task_history_table(rules, app_state.get_task_history(info["code"], ctx.store), info["code"], lang)
if history.empty:
    st.info(t("no_task_reports", lang))
else:
    history = history.assign(
        created_at=common_view.local_time(history["created_at"]),
        current=common_view.yes_no(history["current"].astype(object), lang),
        reached=[f"{v:g}" if v == v else "—" for v in history["reached"]],
    )
    ui.table(
        common_view.display(
            history,
            {
                "year": "year",
                "target": "target_item",
                "status_label": "task_status",
                "reached": "reached",
                "note": "note",
                "current": "current",
                "batch_id": "batch",
                "created_at": "uploaded_at",
                "uploader": "uploader",
                "file_name": "file",
            },
            lang,
        ),
        lang,
    )

st.page_link(ui.PAGES["tasks"], label=t("back_to_tasks", lang), query_params=ui.link_params(page="tasks"))
