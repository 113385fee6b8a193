"""重点任务 Tasks — the work-plan tasks (filled by the tasks feature; a clear notice until then)."""
import streamlit as st

from dashboard import ui, views
from dashboard.i18n import t

ctx = ui.context()
lang, rules = ctx.lang, ctx.rules

st.title(t("page_tasks", lang))
tasks = views.all_tasks(rules)
if tasks.empty:
    st.info(t("tasks_not_loaded", lang))
else:
    for task in tasks.itertuples():
        lead = task.lead_units if isinstance(task.lead_units, str) else "、".join(task.lead_units or [])
        st.page_link(ui.PAGES["task"], label=f"{task.code} {task.title} — {lead}",
                     query_params=ui.link_params(task=task.code))
