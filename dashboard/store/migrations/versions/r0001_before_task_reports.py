"""The schema before task reports: batches of kind upload/demo, observations, users, sessions, audit.

What the versions before task-progress storage created (up to 46758f6 the store's two tables; the
accounts and audit tables appeared with later releases, always created with ``create_all``). A
frozen copy, not ``schema.py``: later revisions change the shape, this one never does.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def tables() -> sa.MetaData:
    """The schema of revision 0001, as its own metadata."""
    m = sa.MetaData()
    sa.Table(
        "batches",
        m,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploader", sa.String(200), nullable=False),
        sa.Column("file_name", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("n_rows", sa.Integer, nullable=False),
        sa.Column("n_new", sa.Integer, nullable=False),
        sa.Column("n_corrected", sa.Integer, nullable=False),
        sa.Column("n_unchanged", sa.Integer, nullable=False),
        sa.Column("n_skipped", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("rolled_back_at", sa.DateTime(timezone=True)),
        sa.Column("rolled_back_by", sa.String(200)),
        sa.CheckConstraint("kind IN ('upload', 'demo')", name="ck_batches_kind"),
        sa.CheckConstraint("status IN ('active', 'rolled_back')", name="ck_batches_status"),
        sa.Index("ix_batches_sha256", "sha256"),
        sqlite_autoincrement=True,
    )
    observations = sa.Table(
        "observations",
        m,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False),
        sa.Column("area", sa.String(32), nullable=False),
        sa.Column("indicator", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("value", sa.Float(precision=53), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("is_current", sa.Boolean, nullable=False),
        sa.Column("replaces_id", sa.Integer, sa.ForeignKey("observations.id")),
        sa.Index("ix_observations_batch", "batch_id"),  # dropped again by 0003
        sa.Index("ix_observations_replaces", "replaces_id"),
        sa.Index("ix_observations_key", "area", "indicator", "year"),
        sqlite_autoincrement=True,
    )
    sa.Index(
        "ux_observations_current",
        observations.c.area,
        observations.c.indicator,
        observations.c.year,
        unique=True,
        sqlite_where=sa.text("is_current = 1"),
        postgresql_where=observations.c.is_current,
    )
    sa.Table(
        "users",
        m,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("areas", sa.String(2000), nullable=False),
        sa.Column("is_demo", sa.Boolean, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    sa.Table(
        "sign_in_throttle",
        m,
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("next_allowed_at", sa.DateTime(timezone=True), nullable=True),
    )
    sa.Table(
        "sessions",
        m,
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_name", sa.String(100), nullable=False, index=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    sa.Table(
        "audit_log",
        m,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("user", sa.String(200), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target", sa.String(200), nullable=True),
        sa.Column("details", sa.Text, nullable=True),
    )
    return m


def create_missing(connection: sa.Connection) -> None:
    """Adopting a database made before Alembic: add the 0001 tables an older version never created."""
    tables().create_all(connection, checkfirst=True)


def upgrade() -> None:
    tables().create_all(op.get_bind(), checkfirst=False)


def downgrade() -> None:
    tables().drop_all(op.get_bind(), checkfirst=False)
