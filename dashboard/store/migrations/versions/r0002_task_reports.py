"""Task reports: the ``task_reports`` table, and ``task_upload`` allowed as a batch kind.

SQLite cannot alter a CHECK constraint, so ``batches`` is recreated (Alembic's batch mode, "move
and copy"): ids are copied, and the AUTOINCREMENT counter is carried over so an id — and with it a
``data_version`` — is never handed out twice. The caller (:mod:`dashboard.store.migrate`) turns
SQLite's foreign keys off around the transaction and checks them before it commits.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

OLD_KINDS = ("upload", "demo")
NEW_KINDS = ("upload", "demo", "task_upload")
TASK_STATUSES = ("not_started", "in_progress", "done", "delayed")


def _kind_check(kinds: tuple[str, ...]) -> str:
    return f"kind IN ({', '.join(repr(k) for k in kinds)})"


def _batches(kinds: tuple[str, ...]) -> sa.Table:
    """``batches`` as it is before the change (the copy source of SQLite's recreate)."""
    return sa.Table(
        "batches",
        sa.MetaData(),
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
        sa.CheckConstraint(_kind_check(kinds), name="ck_batches_kind"),
        sa.CheckConstraint("status IN ('active', 'rolled_back')", name="ck_batches_status"),
        sa.Index("ix_batches_sha256", "sha256"),
        sqlite_autoincrement=True,
    )


def _set_kinds(new: tuple[str, ...], old: tuple[str, ...]) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint("ck_batches_kind", "batches", type_="check")
        op.create_check_constraint("ck_batches_kind", "batches", _kind_check(new))
        return
    seq = bind.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = 'batches'").scalar()
    with op.batch_alter_table("batches", recreate="always", copy_from=_batches(old)) as batch:
        batch.drop_constraint("ck_batches_kind", type_="check")
        batch.create_check_constraint("ck_batches_kind", _kind_check(new))
    # The copy sets the new table's counter to its largest id; the old one may have been higher
    # (batches deleted by ``clear``). Keep the higher.
    if seq is not None:
        params = {"seq": int(seq)}
        updated = bind.execute(
            sa.text("UPDATE sqlite_sequence SET seq = max(seq, :seq) WHERE name = 'batches'"), params
        ).rowcount
        if not updated:
            bind.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('batches', :seq)"), params)


def upgrade() -> None:
    _set_kinds(NEW_KINDS, OLD_KINDS)
    op.create_table(
        "task_reports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False),
        sa.Column("task", sa.String(40), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("target_no", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reached", sa.Float(precision=53)),
        sa.Column("note", sa.Text),
        sa.Column("is_current", sa.Boolean, nullable=False),
        sa.Column("replaces_id", sa.Integer, sa.ForeignKey("task_reports.id")),
        sa.CheckConstraint(f"status IN ({', '.join(repr(k) for k in TASK_STATUSES)})", name="ck_task_reports_status"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_task_reports_batch", "task_reports", ["batch_id"])
    op.create_index("ix_task_reports_replaces", "task_reports", ["replaces_id"])
    op.create_index("ix_task_reports_key", "task_reports", ["task", "year", "target_no"])
    op.create_index(
        "ux_task_reports_current",
        "task_reports",
        ["task", "year", "target_no"],
        unique=True,
        sqlite_where=sa.text("is_current = 1"),
        postgresql_where=sa.text("is_current"),
    )


def downgrade() -> None:
    # Refused (the CHECK fails) while any task_upload batch is stored: nothing is deleted silently.
    op.drop_table("task_reports")
    _set_kinds(OLD_KINDS, NEW_KINDS)
