"""Confirmations: which batches reported a stored value again, unchanged.

Until now a row a batch reported with the value already stored left no trace but the batch's
``n_unchanged`` count, so rolling back the batch that had stored the value removed it although a
later, still active batch had reported it too (issue 14). ``observation_confirmations`` and
``task_report_confirmations`` hold one row per (batch, version) for every such row from now on.

Nothing is backfilled: which batch reported which row unchanged was never recorded, so batches
stored before this revision have no confirmations, and rolling one back treats the values it
confirmed as before — as if it had not reported them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# (confirmations table, the versioned table its versions are in)
TABLES = (("observation_confirmations", "observations"), ("task_report_confirmations", "task_reports"))


def upgrade() -> None:
    for name, versions in TABLES:
        op.create_table(
            name,
            sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), primary_key=True, autoincrement=False),
            sa.Column("version_id", sa.Integer, sa.ForeignKey(f"{versions}.id"), primary_key=True, autoincrement=False),
        )
        op.create_index(f"ix_{name}_version", name, ["version_id", "batch_id"])


def downgrade() -> None:
    for name, _versions in TABLES:
        op.drop_index(f"ix_{name}_version", table_name=name)
        op.drop_table(name)
