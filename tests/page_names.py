"""The app's pages as the tests walk them, from the app's own registry (``dashboard.app.widgets.PAGES``)."""

from dashboard.app.widgets import PAGES

SIGNED_IN_ONLY = ("upload", "history", "completeness", "review", "users", "audit")
"""Pages that refuse anonymous visitors (their own tests sign in)."""

PUBLIC = [p for p in PAGES if p not in SIGNED_IN_ONLY]
"""Every page an anonymous viewer may open, in menu order."""
