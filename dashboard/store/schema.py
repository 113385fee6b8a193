"""Every table of the product, in one schema: observations and task reports versioned by batch
(with the batches that confirmed a stored value unchanged), the users, sessions and sign-in
throttle, and the audit trail.

Schema changes are Alembic migrations (``dashboard/store/migrations/versions``), applied by
:mod:`dashboard.store.migrate` when the store opens a database; this module is the shape the head
revision leads to (``tests/test_migrations.py`` compares the two on SQLite and PostgreSQL). A change
here therefore comes with a new revision — ``alembic.command.revision(migrate.alembic_config(conn),
message, autogenerate=True)`` on a database at head drafts one from the difference.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

from ..core.records import TASK_STATUSES

metadata = MetaData()

BATCH_KINDS = ("upload", "demo", "task_upload")

batches = Table(
    "batches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("uploader", String(200), nullable=False),
    Column("file_name", String(500), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("n_rows", Integer, nullable=False, default=0),
    Column("n_new", Integer, nullable=False, default=0),
    Column("n_corrected", Integer, nullable=False, default=0),
    Column("n_unchanged", Integer, nullable=False, default=0),
    Column("n_skipped", Integer, nullable=False, default=0),
    Column("status", String(16), nullable=False, default="active"),
    Column("rolled_back_at", DateTime(timezone=True)),
    Column("rolled_back_by", String(200)),
    # The account that stored the batch (``uploader`` is its name, for people to read): "own
    # batches" are compared by this id. NULL for batches of the command line's operator, the demo,
    # and every batch stored before revision 0005 — no area editor owns those.
    Column("owner_id", Integer, ForeignKey("users.id")),
    # The review state the batch's values were stored in (``submitted``: an area editor's upload;
    # ``approved``: an approver's); NULL for task reports and batches stored before revision 0007.
    Column("review", String(16)),
    CheckConstraint(f"kind IN ({', '.join(repr(k) for k in BATCH_KINDS)})", name="ck_batches_kind"),
    CheckConstraint("status IN ('active', 'rolled_back')", name="ck_batches_status"),
    Index("ix_batches_sha256", "sha256"),
    sqlite_autoincrement=True,  # ids are never reused, so a data_version never repeats
)

observations = Table(
    "observations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False),
    Column("area", String(32), nullable=False),
    Column("indicator", String(32), nullable=False),
    Column("year", Integer, nullable=False),
    Column("value", Float(precision=53), nullable=False),
    Column("note", Text),
    Column("is_current", Boolean, nullable=False),
    Column("replaces_id", Integer, ForeignKey("observations.id")),
    # The version's review state (``store.review.ReviewState``): submitted, approved or returned.
    # Versions stored before revision 0007 are approved.
    Column("review", String(16), nullable=False, server_default=text("'approved'")),
    # No index on batch_id: only a rollback filters by it, and each index costs every import
    # (a national file is a quarter of a million inserts); a rare scan is the cheaper side.
    Index("ix_observations_replaces", "replaces_id"),
    Index("ix_observations_key", "area", "indicator", "year"),
    sqlite_autoincrement=True,
)
_is_current = observations.c.is_current
Index(
    "ux_observations_current",
    observations.c.area,
    observations.c.indicator,
    observations.c.year,
    unique=True,
    sqlite_where=text("is_current = 1"),
    postgresql_where=_is_current,
)

task_reports = Table(
    "task_reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False),
    Column("task", String(40), nullable=False),
    Column("year", Integer, nullable=False),
    Column("target_no", Integer, nullable=False, default=0, server_default=text("0")),
    Column("status", String(16), nullable=False),
    Column("reached", Float(precision=53)),
    Column("note", Text),
    Column("is_current", Boolean, nullable=False),
    Column("replaces_id", Integer, ForeignKey("task_reports.id")),
    CheckConstraint(f"status IN ({', '.join(repr(k) for k in TASK_STATUSES)})", name="ck_task_reports_status"),
    Index("ix_task_reports_batch", "batch_id"),
    Index("ix_task_reports_replaces", "replaces_id"),
    Index("ix_task_reports_key", "task", "year", "target_no"),
    sqlite_autoincrement=True,
)
_task_current = task_reports.c.is_current
Index(
    "ux_task_reports_current",
    task_reports.c.task,
    task_reports.c.year,
    task_reports.c.target_no,
    unique=True,
    sqlite_where=text("is_current = 1"),
    postgresql_where=_task_current,
)


def _confirmations(name: str, versions: Table) -> Table:
    """The table of ``versions``' confirmations: one row per (batch, version) for every row a batch
    reported with the value already stored — the batch stored no version of its own, but rollback
    must know that it reported the value (see ``store.rollback``)."""
    return Table(
        name,
        metadata,
        Column("batch_id", Integer, ForeignKey("batches.id"), primary_key=True, autoincrement=False),
        Column("version_id", Integer, ForeignKey(f"{versions.name}.id"), primary_key=True, autoincrement=False),
        # Rollback looks confirmations up by the versions of the keys it settles; the primary key
        # (batch first) serves "what did this batch confirm". Both cover their queries.
        Index(f"ix_{name}_version", "version_id", "batch_id"),
    )


observation_confirmations = _confirmations("observation_confirmations", observations)
task_report_confirmations = _confirmations("task_report_confirmations", task_reports)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("areas", String(2000), nullable=False, default=""),
    Column("is_demo", Boolean, nullable=False, default=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
throttle = Table(
    "sign_in_throttle",
    metadata,
    # ``a:`` + a typed account name (unknown names are slowed too) or ``c:`` + a client's address.
    Column("name", String(100), primary_key=True),
    Column("failures", Integer, nullable=False, default=0),
    Column("next_allowed_at", DateTime(timezone=True), nullable=True),
)
sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_name", String(100), nullable=False, index=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
oidc_identities = Table(
    "oidc_identities",
    metadata,
    # Who may sign in through the OpenID Connect provider (``st.login``) as which account:
    # an e-mail address the provider verified (lower case) or ``sub:`` + the provider's subject
    # (revision 0006; ``dashboard/access/oidc.py``).
    Column("identity", String(320), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

review_events = Table(
    "review_events",
    metadata,
    # Every change of a version's review state after it was stored (its first state is its batch's
    # ``review``): approve, return, re-open, re-submit — only appended (revision 0007).
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user", String(200), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id")),
    Column("action", String(16), nullable=False),
    Column("version_id", Integer, ForeignKey("observations.id"), nullable=False),
    Column("area", String(32), nullable=False),
    Column("indicator", String(32), nullable=False),
    Column("year", Integer, nullable=False),
    Column("before", String(16), nullable=False),
    Column("after", String(16), nullable=False),
    Column("comment", Text),
    Index("ix_review_events_version", "version_id"),
    Index("ix_review_events_key", "area", "indicator", "year"),
    sqlite_autoincrement=True,
)
not_obtainable = Table(
    "not_obtainable",
    metadata,
    # 无法取得: a value its unit states it cannot obtain, with the reason. A key's statement is its
    # newest row; an empty reason withdraws it (revision 0007).
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("area", String(32), nullable=False),
    Column("indicator", String(32), nullable=False),
    Column("year", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("user", String(200), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id")),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_not_obtainable_key", "area", "indicator", "year"),
    sqlite_autoincrement=True,
)
analyses = Table(
    "analyses",
    metadata,
    # 分析评估: the responsible unit's text on an indicator's year (reasons, measures, difficulties).
    # Only appended: a key's analysis is its newest row, an edit a new row, an empty text withdraws
    # it. ``author`` is the name people read, ``author_id`` the account (NULL for the command line's
    # operator), ``batch_id`` the upload it came in, if any (revision 0008; ``store/analyses.py``).
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("area", String(32), nullable=False),
    Column("indicator", String(32), nullable=False),
    Column("year", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("author", String(200), nullable=False),
    Column("author_id", Integer, ForeignKey("users.id")),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("batch_id", Integer, ForeignKey("batches.id")),
    Index("ix_analyses_key", "area", "indicator", "year"),
    sqlite_autoincrement=True,
)


audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("user", String(200), nullable=False),
    Column("action", String(40), nullable=False),
    Column("target", String(200), nullable=True),
    Column("details", Text, nullable=True),
)
