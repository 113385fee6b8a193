"""The indicator page's 分析评估 block: the responsible unit's analysis of the chosen area's year,
its history, and — for whoever may write it — a text area and a save button.

The save goes through ``access.authorization.write_analysis_as``, which checks the role and the
area on the server (hiding the form is a courtesy, not the check). Analyses are read on every run,
uncached: writing one changes no data version, and the read is one indexed query.
"""

from __future__ import annotations

import streamlit as st

from ..access import authorization
from ..messages import t
from ..store import StoreError
from ..views import indicator as indicator_view
from . import session
from .widgets import Context, md_escape, table

_SAVED_KEY = "_analysis_saved"


def _paragraphs(text: str) -> str:
    """A typed text for ``st.markdown``: escaped, its line breaks kept."""
    return "  \n".join(md_escape(line) for line in text.split("\n"))


def may_write(user, area: str) -> bool:
    """Whether to offer the form: the role may write analyses, and an area editor only for their areas."""
    return authorization.can(user, "write_analysis") and (user.role != "area_editor" or area in user.areas)


def analysis_panel(ctx: Context, area: str, code: str, year: int) -> None:
    """The analysis of (``area``, ``code``, ``year``): text, author and time, history, and the form."""
    lang, rules = ctx.lang, ctx.rules
    area_name = rules.area_name(area, lang)
    st.subheader(t("analysis_heading", lang))
    info = indicator_view.analysis_of(ctx.store.engine, area, code, year, lang)
    saved = st.session_state.pop(_SAVED_KEY, None)
    if saved == (area, code, year):
        st.success(t("analysis_saved", lang), icon=":material/check:")
    if info["text"] is not None:
        with st.container(border=True, key="analysis_current"):
            st.markdown(_paragraphs(info["text"]))
            st.caption(md_escape(info["by"]))
    else:
        st.caption(md_escape(t("analysis_none", lang, area=area_name, year=year)))
    history = info["history"]
    if len(history):
        with st.expander(t("analysis_history", lang, n=len(history))):
            shown = history.rename(
                columns={
                    "at": t("analysis_at", lang),
                    "author": t("analysis_author", lang),
                    "text": t("analysis_text", lang),
                }
            )
            table(shown, lang)
    user = session.current_user()
    if not may_write(user, area):
        return
    max_chars = rules.settings.analysis.max_chars
    with st.form(key=f"analysis_form_{area}_{code}_{year}"):
        text = st.text_area(
            md_escape(t("analysis_edit_label", lang, area=area_name, year=year)),
            value=info["text"] or "",
            max_chars=max_chars,
            height=140,
            help=t("analysis_edit_help", lang, max=max_chars),
            key=f"analysis_text_{area}_{code}_{year}",
        )
        if not st.form_submit_button(t("analysis_save", lang)):
            return
    user = session.current_user()  # signed out or expired meanwhile? the server decides below
    try:
        authorization.write_analysis_as(user, ctx.store, rules, area, code, year, text)
    except authorization.Refused as exc:
        st.error(t("analysis_refused", lang))
        for p in exc.problems:
            st.error(md_escape(p.message(lang)), icon="⛔")
        return
    except StoreError as exc:  # too long, or the store busy: nothing stored
        st.error(md_escape(exc.problem.message(lang)))
        return
    st.session_state[_SAVED_KEY] = (area, code, year)
    st.rerun()
