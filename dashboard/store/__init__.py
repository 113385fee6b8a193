"""Stored data: yearly values and task reports versioned by upload batch, users, the audit trail.

SQLite by default, PostgreSQL when the configuration says so; one schema (``schema``), changed
only through Alembic migrations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .store import Store, StoreError

__all__ = ["Store", "StoreError"]


def __getattr__(name: str) -> Any:
    # Loaded on first use (PEP 562): SQLAlchemy and Alembic stay out of commands that never open the
    # database, while ``from dashboard.store import Store`` keeps working everywhere.
    if name in __all__:
        from . import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
