"""The responsible unit's analysis (分析评估) of each indicator and year.

Issue 15, part 4: for each (area, indicator, year) a short text — the reasons behind a value, the
measures taken, the difficulties — written in the app, on the command line, or uploaded with the
values (an optional 分析 column). ``analyses`` keeps every text ever written, with its author (the
name people read, and the account id; NULL for the command line's operator) and time, and the
batch it came in when it was uploaded. Nothing is updated or deleted: a key's analysis is its
newest row, an edit is a new row, and an empty text withdraws the analysis (still a row).

A new table: nothing existing changes, nothing is backfilled.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analyses",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("area", sa.String(32), nullable=False),
        sa.Column("indicator", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("author_id", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_analyses_key", "analyses", ["area", "indicator", "year"])


def downgrade() -> None:
    op.drop_index("ix_analyses_key", table_name="analyses")
    op.drop_table("analyses")
