"""The frames each page shows, computed from the engine's output — no Streamlit here.

One module per page (``overview``, ``domain``, ``district``, ``constraint``, ``indicator``,
``tasks``, ``warnings``, ``evaluation``, ``rules``, ``upload``), and ``common`` for what they share.
Every function takes the engine's long frame and/or the ``RuleSet`` and returns a small pandas
frame ready for a table or an Altair chart, with names in the requested language.
"""
