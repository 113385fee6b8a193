"""Stored data: yearly values and task reports versioned by upload batch, users, the audit trail.

SQLite by default, PostgreSQL when the configuration says so; one schema (``schema``), changed
only through Alembic migrations.
"""

from .store import Store, StoreError

__all__ = ["Store", "StoreError"]
