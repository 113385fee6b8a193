"""The Streamlit glue: caches and URL state (``state``), widgets (``widgets``), sign-in (``session``).

The only package of ``dashboard`` that imports Streamlit; the page scripts in ``app_pages/`` and
``streamlit_app.py`` call it, and it calls ``views`` for frames and ``charts`` for charts.
"""
