"""上传记录 History — every upload batch, with rollback."""
import streamlit as st

from dashboard import ui
from dashboard.i18n import t

ctx = ui.context()
lang, rules, store = ctx.lang, ctx.rules, ctx.store

st.title(t("page_history", lang))
st.caption(t("history_intro", lang))
ui.notices(ctx)

flash = st.session_state.pop("_rollback_msg", None)
if flash:
    st.success(flash)

try:
    batches = store.batches()
except Exception as exc:  # noqa: BLE001
    st.error(t("store_unavailable", lang, err=exc))
    st.stop()
if batches is None or batches.empty:
    st.info(t("no_batches", lang))
    st.stop()

st.dataframe(batches.drop(columns=[c for c in ("sha256",) if c in batches]), hide_index=True, width="stretch")

active = batches[batches["status"].astype(str) != "rolled_back"] if "status" in batches else batches
if active.empty:
    st.stop()
c1, c2 = st.columns(2)
labels = {row.id: f"#{row.id} · {row.file_name} · {row.created_at}" for row in active.itertuples()}
batch = c1.selectbox(t("rollback_batch", lang), list(labels), format_func=lambda b: labels[b], key="rollback_batch")
user = c2.text_input(t("user", lang), key="rollback_user")
sure = st.checkbox(t("rollback_confirm", lang), key="rollback_sure")
if st.button(t("rollback", lang), disabled=not (sure and user.strip()), key="rollback_go"):
    try:
        store.rollback(batch, user.strip())
    except Exception as exc:  # noqa: BLE001
        st.error(t("rollback_failed", lang, err=exc))
        st.stop()
    st.cache_data.clear()
    st.session_state["_rollback_msg"] = t("rolled_back", lang, batch=batch)
    st.rerun()
