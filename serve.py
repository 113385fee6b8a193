"""The served app: ``streamlit_app.py`` with the app's own HTTP route for the session cookie.

``streamlit run serve.py`` (what ``python3 manage.py run`` does) finds the ``st.App`` below and serves
it; the pages are ``streamlit_app.py``'s, unchanged. The extra route (``/api/session``,
``dashboard/app/session_routes.py``) sets and clears the signed ``HttpOnly`` cookie that keeps a
sign-in across a browser reload — a Streamlit script cannot set a cookie itself. ``streamlit run
streamlit_app.py`` still works, without that route: a reload then signs the user out.
"""

from __future__ import annotations

import streamlit as st

from dashboard.app.session_routes import routes

app = st.App("streamlit_app.py", routes=routes())
