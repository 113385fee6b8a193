"""No index on ``observations.batch_id``: only a rollback filters by it, and each index costs every
import (a national file is a quarter of a million inserts).

The first versions created ``ix_observations_batch``; later ones stopped creating it, but never
dropped it from a database that had it. ``IF EXISTS``, because a database adopted at 0002 may or
may not have it, depending on the version that first created it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_observations_batch")


def downgrade() -> None:
    op.create_index("ix_observations_batch", "observations", ["batch_id"])
