"""审计日志 Audit trail — who signed in, uploaded, rolled back or changed users, and when (newest first).

Administrators only (refused on the server for everyone else). Entries are shown in a table, never
as HTML; ``python -m dashboard audit`` prints the same.
"""

import streamlit as st

from dashboard.app import session
from dashboard.app import widgets as ui
from dashboard.messages import t
from dashboard.store import audit
from dashboard.views import upload as upload_view

ctx = ui.context()
lang, store = ctx.lang, ctx.store

st.title(t("page_audit", lang))
session.require_page("view_audit", lang, "audit page")
st.caption(t("audit_intro", lang))

recent = audit.entries(store.engine, limit=5000)
user_options = ["", *sorted(set(recent["user"].astype(str)))]
action_options = ["", *list(audit.ACTIONS)]
c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="bottom")
who = c1.selectbox(
    t("audit_user", lang),
    user_options,
    key="audit_user",
    placeholder=t("choose_one", lang),
    format_func=lambda u: t("audit_all", lang) if u == "" else u,
)
what = c2.selectbox(
    t("audit_action", lang),
    action_options,
    key="audit_action",
    placeholder=t("choose_one", lang),
    format_func=lambda a: t("audit_all", lang) if a == "" else audit.action_label(a, lang),
)
limit = c3.number_input(t("audit_limit", lang), min_value=10, max_value=5000, value=200, step=50, key="audit_limit")

log = audit.entries(store.engine, limit=int(limit), user=who or None, action=what or None)
if log.empty:
    st.info(t("no_audit", lang))
    st.stop()
shown = upload_view.audit_table(log, lang)
ui.table(shown, lang)
st.download_button(t("download_csv", lang), ui.csv_bytes(shown), file_name="audit.csv", mime="text/csv", key="audit_dl")
