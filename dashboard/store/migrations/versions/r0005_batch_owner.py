"""Batch owners by account id; the sign-in throttle keyed by account and by client.

``batches.owner_id`` is the id of the account that stored a batch (``users.id``). Until now a
batch carried only the ``uploader`` name, and rolling back "your own batches" compared names: a
batch imported from the command line under an area editor's name counted as theirs (issue 14).
The name stays, for people to read; authorization compares ids. Batches stored before this
revision keep their names and get no owner (NULL): no area editor owns them, so only city editors
and administrators may roll them back — nothing can guess whose they were.

The throttle's keys gain a kind prefix — ``a:`` an account name, ``c:`` a client address — so
that a name typed at the sign-in box can never be mistaken for a client's key. The counts stored
so far were per typed name: they become account keys. (A key longer than the column after the
prefix could only be a name no account has; it is dropped: a throttle count, not data.)

The column is added in place (``ALTER TABLE … ADD COLUMN … REFERENCES``, which SQLite allows for a
nullable column): ``batches`` is not recreated.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

KEY_LENGTH = 100  # sign_in_throttle.name


def upgrade() -> None:
    op.execute("ALTER TABLE batches ADD COLUMN owner_id INTEGER REFERENCES users (id)")
    op.execute(f"DELETE FROM sign_in_throttle WHERE length(name) > {KEY_LENGTH - 2}")
    op.execute("UPDATE sign_in_throttle SET name = 'a:' || name")


def _batches() -> sa.Table:
    """``batches`` as this revision leaves it (the copy source of SQLite's recreate on downgrade)."""
    kinds = ("upload", "demo", "task_upload")
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
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id")),
        sa.CheckConstraint(f"kind IN ({', '.join(repr(k) for k in kinds)})", name="ck_batches_kind"),
        sa.CheckConstraint("status IN ('active', 'rolled_back')", name="ck_batches_status"),
        sa.Index("ix_batches_sha256", "sha256"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.execute("DELETE FROM sign_in_throttle WHERE name NOT LIKE 'a:%'")
    op.execute("UPDATE sign_in_throttle SET name = substr(name, 3)")
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_column("batches", "owner_id")
        return
    # SQLite cannot drop a column that is in a foreign key: the table is recreated (as in 0002),
    # keeping the AUTOINCREMENT counter, which the copy would set to the largest id left.
    seq = bind.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = 'batches'").scalar()
    with op.batch_alter_table("batches", recreate="always", copy_from=_batches()) as batch:
        batch.drop_column("owner_id")
    if seq is not None:
        bind.execute(sa.text("UPDATE sqlite_sequence SET seq = max(seq, :seq) WHERE name = 'batches'"), {"seq": seq})
