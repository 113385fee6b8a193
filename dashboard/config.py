"""Where the rules and the database are: ``DASHBOARD_RULES_DIR`` and ``DASHBOARD_DB_URL``."""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def rules_dir() -> Path:
    """The rules directory: ``DASHBOARD_RULES_DIR`` when set, else ``rules/`` in the project."""
    value = os.environ.get("DASHBOARD_RULES_DIR")
    return Path(value) if value else PROJECT_ROOT / "rules"


def db_url() -> str:
    """The database: ``DASHBOARD_DB_URL`` when set, else the embedded SQLite file under ``data/``."""
    value = os.environ.get("DASHBOARD_DB_URL")
    if value:
        return value
    return f"sqlite:///{PROJECT_ROOT / 'data' / 'dashboard.db'}"
