"""妇儿规划监测 — the Streamlit app: navigation, language switch and demo banner.

Pages live in ``app_pages/`` (never ``pages/``: see ``dashboard/ui.py``); ``st.navigation`` wires them here so that the page list can depend on the
user's role later. All logic is in ``dashboard/`` (views, charts, app_state, ui, i18n).
Run: ``python3 manage.py run`` or ``streamlit run streamlit_app.py``.
"""
from __future__ import annotations

import streamlit as st

from dashboard import app_state, ui
from dashboard.i18n import t

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


def page(key: str, icon: str, default: bool = False, hidden: bool = False) -> st.Page:
    # The default page is served at "/" but reserves its url_path; "/overview" is a hidden twin.
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
    t("section_data", lang): [page("upload", "⬆️"), page("history", "🕘")],
    t("section_admin", lang): [page("rules", "⚙️")],
}
current = st.navigation(pages, position="hidden" if presenting else "sidebar")

store = app_state.get_store()
if app_state.has_demo_data(store):
    st.warning("⚠️ " + t("demo_banner", lang))

current.run()
