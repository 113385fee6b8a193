"""Altair chart specifications: the pages' charts (``pages``) and the report's (``report``); no Streamlit."""
