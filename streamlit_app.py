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

from dashboard.access import authorization
from dashboard.app import session
from dashboard.app import state as app_state
from dashboard.app import widgets as ui
from dashboard.messages import t

st.set_page_config(page_title="妇儿规划监测 · Plan monitoring", page_icon="📊", layout="wide")

presenting = ui.presenting()

# Language: 中文 by default; ``?lang=en`` opens the English view and is kept in the link.
if "lang" not in st.session_state:
    st.session_state["lang"] = "en" if st.query_params.get("lang") == "en" else "zh"
if not presenting:
    st.sidebar.radio(t("language", "zh"), ["zh", "en"], key="lang", horizontal=True,
                     format_func=lambda v: "中文" if v == "zh" else "English")
lang = app_state.lang()
app_state.qp_set("lang", "en" if lang == "en" else None)

# Who is signed in: the token in st.session_state is resolved on every run (expiry applies).
user = session.account_box(lang) if not presenting else session.current_user()
allowed_anonymous = app_state.services().config.allow_anonymous
must_sign_in = session.is_anonymous(user) and not allowed_anonymous


def page(key: str, icon: str, default: bool = False, hidden: bool = False, needs: str | None = None) -> st.Page:
    # The default page is served at "/" but reserves its url_path; "/overview" is a hidden twin.
    # Every page is always registered, so that a page a role may not use, opened by its URL, runs and
    # refuses on the server (``session.require_page``) instead of silently showing the overview; it is
    # only left out of the menu.
    if needs is not None and not authorization.can(user, needs):
        hidden = True
    return st.Page(ui.PAGES[key], title=t(f"page_{key}", lang), icon=icon,
                   url_path="home" if default else key, default=default,
                   visibility="hidden" if hidden else "visible")


pages = {
    t("section_monitor", lang): [
        page("overview", "📊", default=True),
        page("domain", "🗂️"),
        page("district", "🗺️"),
        page("constraint", "⚖️"),
        page("warnings", "🚨"),
        page("indicator", "📈"),
    ],
    t("section_evaluation", lang): [page("evaluation", "📝")],
    t("section_tasks", lang): [page("tasks", "📋"), page("units", "🏛️"), page("task", "📌", hidden=True)],
    # The overview is also linkable as "/overview" (same script as the default page at "/").
    "": [st.Page(ui.PAGES["overview"], title=t("page_overview", lang), url_path="overview", visibility="hidden")],
    t("section_data", lang): [page("upload", "⬆️", needs="upload"), page("history", "🕘", needs="rollback")],
    t("section_admin", lang): [page("rules", "⚙️"), page("users", "👥", needs="manage_users"),
                               page("audit", "📜", needs="view_audit")],
}
current = st.navigation(pages, position="hidden" if presenting or must_sign_in else "sidebar", expanded=True)

if must_sign_in:
    # DASHBOARD_ALLOW_ANONYMOUS=0: nothing but the sign-in until someone signs in.
    st.title(t("app_title", lang))
    st.info(t("signin_required", lang))
    if presenting:
        session.sign_in_form(lang, st.container())
    st.stop()

store = app_state.get_store()
if store.has_demo_data():
    st.warning("⚠️ " + t("demo_banner", lang))

current.run()
