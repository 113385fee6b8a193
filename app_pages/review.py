"""审核 Review — the values waiting for review by batch and one by one: approve a whole batch,
approve or return chosen values (a return needs a comment), re-open approved values with a reason;
below, the review history.

Reviewers, city editors and administrators only (``session.require_page`` refuses everyone else on
the server); every action goes through ``authorization.review_as``, which checks the role again,
the comment, and the values' states, and writes the audit line. Filters: ``?review_year=2024``,
``?review_area=500116``, ``?review_state=submitted|returned|approved``.
"""

import hashlib

import streamlit as st

from dashboard.access import authorization
from dashboard.app import session
from dashboard.app import state as app_state
from dashboard.app import widgets as ui
from dashboard.messages import t
from dashboard.store import StoreError
from dashboard.store.review import Action, ReviewState
from dashboard.views import common as common_view
from dashboard.views import review as review_view

ctx = ui.context()
lang, rules, store = ctx.lang, ctx.rules, ctx.store

st.title(t("page_review", lang))
user = session.require_page("review", lang, "review page")
st.caption(t("review_intro", lang))

flash = st.session_state.pop("_review_msg", None)
if flash:
    st.success(ui.md_escape(flash), icon=":material/verified:")

years = app_state.get_review_years(store, ctx.version)
c1, c2, c3 = st.columns([1, 2, 1])
year = ui.pick_option(
    ctx,
    "review_year",
    ["", *years],
    "",
    "review_filter_year",
    c1,
    lambda y: t("review_all_years", lang) if y == "" else str(y),
    lambda s: int(s) if s and s.isdigit() else s,
)
area = ui.pick_option(
    ctx,
    "review_area",
    ["", *common_view.area_options(rules)],
    "",
    "review_filter_area",
    c2,
    lambda a: t("review_all_areas", lang) if a == "" else rules.area_name(a, lang),
)
state = ui.pick_option(
    ctx,
    "review_state",
    review_view.STATES,
    ReviewState.SUBMITTED.value,
    "review_filter_state",
    c3,
    lambda s: review_view.state_label(s, lang),
)
year = int(year) if year != "" else None
area = area or None
counts, values = app_state.get_review_queue(store, rules, ctx.version, state, year, area, lang)
st.caption(t("review_counts", lang, **counts))

# The selection and the comment belong to the table as it was drawn: when the data change (an
# action here, or anyone's upload or review) or the filters do, they start afresh — a row position
# never points at another value than the one that was ticked.
view_key = hashlib.sha256(f"{ctx.version}|{state}|{year}|{area}".encode()).hexdigest()[:12]


def act(action: Action, batch_id: int | None = None, keys: list[tuple[str, str, int]] | None = None) -> None:
    """Run ``action`` through the server-side check; a refusal is shown in words, a success after the rerun."""
    comment = st.session_state.get(f"review_comment_{view_key}", "")
    try:
        n = authorization.review_as(
            session.current_user(), store, action, batch_id=batch_id, keys=keys, comment=comment
        )
    except authorization.Refused as exc:
        for p in exc.problems:
            st.error(ui.md_escape(p.message(lang)), icon=":material/block:")
        return
    except StoreError as exc:  # the store was busy: said in words, nothing changed
        st.error(ui.md_escape(exc.problem.message(lang)), icon=":material/database:")
        return
    app_state.clear_caches()
    st.session_state["_review_msg"] = t("review_done", lang, action=t(f"review_action_{action.value}", lang), n=n)
    st.rerun()


if values.empty:
    st.info(t("review_none", lang))
else:
    st.subheader(t("review_batches_heading", lang))
    grouped = review_view.batches(values, lang)
    ui.table(review_view.batches_table(grouped, lang), lang)

    st.subheader(t("review_values_heading", lang))
    if state == ReviewState.RETURNED.value:
        st.caption(t("review_returned_hint", lang))
    else:
        st.caption(t("review_select_hint", lang))
    picked = st.dataframe(
        review_view.values_table(values, lang),
        hide_index=True,
        width="stretch",
        on_select="rerun" if state != ReviewState.RETURNED.value else "ignore",
        selection_mode="multi-row",
        key=f"review_rows_{view_key}",
    )
    rows = list(picked.selection.rows) if state != ReviewState.RETURNED.value and picked else []
    keys = review_view.keys_of(values, rows)

    if state != ReviewState.RETURNED.value:
        st.caption(t("review_selected", lang, n=len(keys)))
        # Said before the click: which actions need a comment (the server refuses them without one).
        st.text_area(t("review_comment", lang), key=f"review_comment_{view_key}", height=80, max_chars=2000)
        st.caption(t("review_comment_required", lang))
        b1, b2, _ = st.columns([1, 1, 3])
        if state == ReviewState.SUBMITTED.value:
            if b1.button(t("review_approve_selected", lang), key="review_approve_rows", type="primary"):
                if keys:
                    act(Action.APPROVE, keys=keys)
                else:
                    st.warning(t("review_nothing_selected", lang))
            if b2.button(t("review_return_selected", lang), key="review_return_rows"):
                if keys:
                    act(Action.RETURN, keys=keys)
                else:
                    st.warning(t("review_nothing_selected", lang))
        elif b1.button(t("review_reopen_selected", lang), key="review_reopen_rows"):
            if keys:
                act(Action.REOPEN, keys=keys)
            else:
                st.warning(t("review_nothing_selected", lang))

        # A whole batch at once: approve what it submitted, or re-open what of it was approved.
        labels = {int(r.batch_id): review_view.batch_label(r, lang) for r in grouped.itertuples()}
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        batch = c1.selectbox(
            t("review_batch_pick", lang), list(labels), format_func=lambda b: labels[b], key="review_batch"
        )
        if state == ReviewState.SUBMITTED.value:
            if c2.button(t("review_approve_batch", lang), key="review_approve_batch", type="primary"):
                act(Action.APPROVE, batch_id=batch)
        elif c2.button(t("review_reopen_batch", lang), key="review_reopen_batch"):
            act(Action.REOPEN, batch_id=batch)

st.subheader(t("review_history_heading", lang))
events = store.review_events(area=area, limit=300)
if events.empty:
    st.caption(t("review_history_none", lang))
else:
    ui.table(review_view.history_table(events, rules, lang), lang)
