"""Review of reported values: submitted, approved, returned; and values that cannot be obtained.

The committee's yearly cycle (issue 15): an area editor's upload is a *submission*; a city editor,
an administrator or a reviewer approves it or returns it with a comment; an approved value is
locked until an approver re-opens it, with a reason.

- ``observations.review``: the state of each version — ``submitted``, ``approved`` or
  ``returned``. Every version stored before this revision was accepted by the office without a
  review step, so it becomes ``approved`` (the column's default): the dashboards keep showing it.
  No CHECK constraint: SQLite cannot drop a column a CHECK names without recreating the table (and
  its partial unique index); the store writes the column only from ``store.review.ReviewState``.
- ``batches.review``: the state a batch's values were stored in (``submitted`` for an area
  editor's upload, ``approved`` for an approver's); NULL for task-report batches and for batches
  stored before this revision. With it, a version's first state needs no history row of its own
  (a national file is a quarter of a million versions).
- ``review_events``: every later change of a version's state — approve, return, re-open,
  re-submit — with who, when, the state before and after and the comment or reason. Only appended.
- ``not_obtainable``: an (area, indicator, year) the responsible unit states it cannot obtain,
  with the reason (无法取得). A key's statement is its newest row; an empty reason withdraws it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE observations ADD COLUMN review VARCHAR(16) DEFAULT 'approved' NOT NULL")
    op.execute("ALTER TABLE batches ADD COLUMN review VARCHAR(16)")
    op.create_table(
        "review_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user", sa.String(200), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("observations.id"), nullable=False),
        sa.Column("area", sa.String(32), nullable=False),
        sa.Column("indicator", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("before", sa.String(16), nullable=False),
        sa.Column("after", sa.String(16), nullable=False),
        sa.Column("comment", sa.Text),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_review_events_version", "review_events", ["version_id"])
    op.create_index("ix_review_events_key", "review_events", ["area", "indicator", "year"])
    op.create_table(
        "not_obtainable",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("area", sa.String(32), nullable=False),
        sa.Column("indicator", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("user", sa.String(200), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_not_obtainable_key", "not_obtainable", ["area", "indicator", "year"])


def downgrade() -> None:
    op.drop_index("ix_not_obtainable_key", table_name="not_obtainable")
    op.drop_table("not_obtainable")
    op.drop_index("ix_review_events_key", table_name="review_events")
    op.drop_index("ix_review_events_version", table_name="review_events")
    op.drop_table("review_events")
    # Neither column is indexed or named by a constraint: SQLite (3.35+) drops them in place.
    op.drop_column("batches", "review")
    op.drop_column("observations", "review")
