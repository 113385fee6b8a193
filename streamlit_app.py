"""妇儿规划监测 — the Streamlit app: navigation, language switch, sign-in box and demo banner.

Pages live in ``app_pages/`` (never ``pages/``: see ``dashboard/app/widgets.py``); ``st.navigation`` wires
them here. The menu depends on the signed-in user's role (the sidebar's sign-in box,
``dashboard/session.py``), while every page stays registered, so that a protected page opened by
its URL runs and refuses on the server instead of silently turning into the overview.
All logic is in ``dashboard/`` (``dashboard/app`` is the Streamlit glue; see docs/architecture.md).
Run: ``python3 manage.py run`` or ``streamlit run streamlit_app.py``.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.access import authorization
from dashboard.app import heap, selection, session, timing
from dashboard.app import state as app_state
from dashboard.app import widgets as ui
from dashboard.messages import t
from dashboard.store import StoreError

# The run's server-side wall time, logged only when DASHBOARD_RUN_TIMES is set (``bench-pages``).
run_clock = timing.start()
st.set_page_config(page_title="妇儿规划监测 · Plan monitoring", page_icon=":material/monitoring:", layout="wide")

try:
    ctx = ui.begin_run()
    # Who is signed in: the token in st.session_state is resolved on every run (expiry applies).
    user = session.current_user()
    has_demo = ctx.store.has_demo_data()
except (StoreError, SQLAlchemyError):
    # The database failed after start-up: said in words, never shown as "no data yet".
    ui.database_failure(ui.language())
lang = ctx.lang
presenting = ctx.presenting


def _switch_language() -> None:
    selection.to_url("lang", "en" if st.session_state["w_lang"] == "en" else None)


# Language: 中文 by default; ``?lang=en`` opens the English view and every link keeps it.
if not presenting:
    st.session_state["w_lang"] = lang
    st.sidebar.radio(
        t("language", lang),
        ["zh", "en"],
        key="w_lang",
        on_change=_switch_language,
        horizontal=True,
        format_func=lambda v: "中文" if v == "zh" else "English",
    )
    # 含未审核: the values not yet approved shown too, marked (``?unreviewed=1``, carried by every link).
    ui.unreviewed_switch(ctx)

allowed_anonymous = app_state.services().config.allow_anonymous
must_sign_in = session.is_anonymous(user) and not allowed_anonymous
page_keys: dict[str, str] = {}  # URL path → key of ui.PAGES: the name a run's time is logged under


def page(key: str, icon: str, default: bool = False, hidden: bool = False, needs: str | None = None) -> st.Page:
    # Every page is always registered, so that a page a role may not use, opened by its URL, runs and
    # refuses on the server (``session.require_page``) instead of silently showing the overview; it is
    # only left out of the menu.
    if needs is not None and not authorization.can(user, needs):
        hidden = True
    registered = st.Page(
        ui.PAGES[key],
        title=t(f"page_{key}", lang),
        icon=icon,
        url_path="home" if default else key,
        default=default,
        visibility="hidden" if hidden else "visible",
    )
    page_keys[registered.url_path] = key
    return registered


sections = {
    "section_monitor": [
        page("overview", ":material/dashboard:", default=True),
        # The overview lives at the root; /overview (bookmarks, links written by hand) shows it too
        # instead of Streamlit's English "Page not found".
        page("overview", ":material/dashboard:", hidden=True),
        page("domain", ":material/category:"),
        page("district", ":material/map:"),
        page("constraint", ":material/balance:"),
        page("warnings", ":material/notifications_active:"),
        page("indicator", ":material/show_chart:"),
    ],
    "section_evaluation": [page("evaluation", ":material/assignment:")],
    "section_tasks": [
        page("tasks", ":material/checklist:"),
        page("units", ":material/account_balance:"),
        page("task", ":material/push_pin:", hidden=True),
    ],
    "section_data": [
        page("upload", ":material/upload:", needs="upload"),
        page("history", ":material/history:", needs="rollback"),
        page("completeness", ":material/fact_check:", needs="view_completeness"),
        page("review", ":material/verified:", needs="review"),
    ],
    "section_admin": [
        page("rules", ":material/rule:"),
        page("users", ":material/group:", needs="manage_users"),
        page("audit", ":material/receipt_long:", needs="view_audit"),
    ],
}
# Streamlit's own menu drops the query parameters on every click; ours carries the reader's place.
current = st.navigation({t(k, lang): v for k, v in sections.items()}, position="hidden")
# Links to this page (the menu's among them) now carry the choices of this view.
selection.open_page(page_keys.get(current.url_path, current.url_path))
if not (presenting or must_sign_in):
    ui.menu(ctx, {t(k, lang): [p for p in v if p.visibility != "hidden"] for k, v in sections.items()}, page_keys)
if not presenting:
    session.account_box(lang)
ui.presentation_style(ctx)

if must_sign_in:
    # DASHBOARD_ALLOW_ANONYMOUS=0: nothing but the sign-in until someone signs in.
    st.title(t("app_title", lang))
    st.info(t("signin_required", lang))
    if presenting:
        session.sign_in_form(lang, st.container())
    st.stop()

if has_demo:
    st.warning(t("demo_banner", lang), icon=":material/science:")
session.rules_banner(ctx, user)

try:
    current.run()
except StoreError as exc:
    # A refusal the page did not handle itself: in words, in the reader's language.
    st.error(exc.problem.message(lang), icon=":material/database:")
except SQLAlchemyError:
    ui.database_failure(lang)
finally:
    # Also when the page stopped itself (a refusal) or asked for a rerun: that run's time was spent too.
    timing.finish(run_clock, page_keys.get(current.url_path, current.url_path))
    # After the process's first page: its libraries, rules and caches leave the full collections.
    heap.settle_once()
