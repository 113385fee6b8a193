"""上传记录 History — every upload batch, with rollback.

Editors and administrators only (refused on the server for everyone else); the rollback goes
through ``authorization.rollback_as`` (area editors: their own batches only; audited).
"""

import streamlit as st

from dashboard.access import authorization
from dashboard.app import session
from dashboard.app import state as app_state
from dashboard.app import widgets as ui
from dashboard.messages import t
from dashboard.store import StoreError
from dashboard.views import upload as upload_view

ctx = ui.context()
lang, rules, store = ctx.lang, ctx.rules, ctx.store

st.title(t("page_history", lang))
user = session.require_page("rollback", lang, "history page")
st.caption(t("history_intro", lang))
ui.notices(ctx, values=False)

flash = st.session_state.pop("_rollback_msg", None)
if flash:
    st.success(ui.md_escape(flash))

batches = store.batches()
if batches.empty:
    st.info(t("no_batches", lang))
    st.stop()

ui.table(upload_view.history_table(batches, lang), lang)

active = authorization.rollback_candidates(user, batches)
if user.role == "area_editor":
    st.caption(t("history_own_only", lang))
if active.empty:
    st.stop()
labels = {row.id: upload_view.batch_label(row, lang) for row in active.itertuples()}
batch = st.selectbox(
    t("rollback_batch", lang),
    list(labels),
    format_func=lambda b: labels[b],
    key="rollback_batch",
    placeholder=t("choose_one", lang),
)
sure = st.checkbox(t("rollback_confirm", lang), key="rollback_sure")
if st.button(t("rollback", lang), disabled=not sure, key="rollback_go"):
    try:
        authorization.rollback_as(session.current_user(), store, batch)
    except authorization.Refused as exc:
        for p in exc.problems:
            st.error(ui.md_escape(p.message(lang)), icon=":material/block:")
        st.stop()
    except StoreError as exc:  # refused by the store (unknown or already rolled back), said in words
        st.error(ui.md_escape(exc.problem.message(lang)), icon=":material/block:")
        st.stop()
    app_state.clear_caches()
    st.session_state["_rollback_msg"] = t("rolled_back", lang, batch=batch)
    st.rerun()
