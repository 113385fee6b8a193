"""任务详情 Task page — one work-plan task, opened from a link ``?task=CODE``."""
import streamlit as st

from dashboard import ui, views
from dashboard.i18n import t

ctx = ui.context()
lang, rules = ctx.lang, ctx.rules
code = st.query_params.get("task")

st.title(t("page_task", lang) + (f" · {code}" if code else ""))
tasks = views.all_tasks(rules)
if tasks.empty:
    st.info(t("tasks_not_loaded", lang))
else:
    match = tasks[tasks["code"] == code]
    if match.empty:
        st.warning(t("task_not_found", lang, code=code or "—"))
    else:
        task = match.iloc[0]
        st.subheader(str(task["title"]))
        lead = task["lead_units"] if isinstance(task["lead_units"], str) else "、".join(task["lead_units"] or [])
        st.write(f"{t('lead_units', lang)}: {lead}")
st.page_link(ui.PAGES["tasks"], label=t("back_to_tasks", lang), query_params=ui.link_params())
