"""The completeness page's form for 无法取得: a unit states that a value due for the year cannot be
obtained, with the reason, or withdraws such a statement — through
``authorization.declare_not_obtainable_as`` (area editors for their own areas, city editors and
administrators for any), the same check as ``python -m dashboard not-obtainable``.

The action runs in the button's callback, before the page is drawn again, so the counts and tables
of that run already include it (a statement changes the data version)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ..access import authorization
from ..access.accounts import User
from ..messages import t
from . import widgets as ui

_NOTICE = "_not_obtainable_notice"


def _label(row) -> str:
    return f"{row.area_name} · {row.indicator} {row.indicator_name}"


def _act(user: User, store, year: int, keys: dict[str, tuple[str, str]], pick: str, reason_key: str | None) -> None:
    """The buttons' callback: declare (with the typed reason) or withdraw (an empty reason)."""
    choice = st.session_state.get(pick)
    if choice not in keys:
        return
    area, indicator = keys[choice]
    reason = (st.session_state.get(reason_key) or "").strip() if reason_key else ""
    if reason_key and not reason:
        st.session_state[_NOTICE] = ("error", "not_obtainable_reason_needed", {})
        return
    try:
        authorization.declare_not_obtainable_as(user, store, area, indicator, year, reason)
    except authorization.Refused as exc:
        st.session_state[_NOTICE] = ("problems", exc.problems, {})
        return
    done = "not_obtainable_done" if reason else "not_obtainable_withdrawn"
    st.session_state[_NOTICE] = ("success", done, {"what": choice})
    if reason_key:
        st.session_state[reason_key] = ""


def show(user: User, store, frame: pd.DataFrame, year: int, lang: str, missing: str, stated: str) -> None:
    """The form under the completeness tables, for users who may state it; ``frame``: the page's rows
    (already limited to an area editor's areas); ``missing``/``stated``: the state values."""
    if not authorization.can(user, "declare_not_obtainable"):
        return
    with st.expander(t("not_obtainable_heading", lang), icon=":material/block:"):
        notice = st.session_state.pop(_NOTICE, None)
        if notice:
            kind, what, params = notice
            if kind == "problems":
                for p in what:
                    st.error(ui.md_escape(p.message(lang)))
            elif kind == "error":
                st.error(t(what, lang))
            else:
                st.success(t(what, lang, what=ui.md_escape(params["what"])))
        st.caption(t("not_obtainable_intro", lang))
        open_rows = frame[frame["state"] == missing]
        keys = {_label(r): (str(r.area), str(r.indicator)) for r in open_rows.itertuples(index=False)}
        if keys:
            st.selectbox(t("not_obtainable_pick", lang), list(keys), key="no_pick")
            st.text_input(t("not_obtainable_reason", lang), key="no_reason", max_chars=500)
            st.button(
                t("not_obtainable_go", lang),
                key="no_go",
                on_click=_act,
                args=(user, store, year, keys, "no_pick", "no_reason"),
            )
        else:
            st.caption(t("not_obtainable_none_missing", lang))
        standing = frame[frame["state"] == stated]
        held = {_label(r): (str(r.area), str(r.indicator)) for r in standing.itertuples(index=False)}
        if held:
            st.selectbox(t("not_obtainable_withdraw_pick", lang), list(held), key="no_withdraw_pick")
            st.button(
                t("not_obtainable_withdraw_go", lang),
                key="no_withdraw_go",
                on_click=_act,
                args=(user, store, year, held, "no_withdraw_pick", None),
            )
