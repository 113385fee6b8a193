"""审计日志 Audit trail: who did what, when — sign-ins, uploads, rollbacks, user changes.

The table is created with the rest of the schema when ``Store`` first opens the database.

Rows are only ever appended. ``details`` holds a small JSON object (counts, batch id, the areas
concerned, and for the command line ``via`` and the operating-system ``os_user@host``), never file
contents or passwords.

A change and the line that records it are one transaction: whoever makes the change writes its
:class:`Line` with :func:`write` on the connection of that change (``Store.commit_rows(…,
audit_line=…)``, ``Store.rollback``, the account changes), so no crash between two commits can
leave a change without its line. :func:`record` is for what changes nothing else — a refusal, a
failed sign-in — and writes in a transaction of its own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Connection, insert, select

from .actions import ACTIONS
from .schema import audit_log


@dataclass(frozen=True)
class Line:
    """One audit entry not written yet: who (``user``), what (``action``), on what, and details."""

    user: str
    action: str
    target: str | None = None
    details: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"unknown audit action {self.action!r}")

    def first(self, **details: object) -> Line:
        """The same line with ``details`` added in front (a batch id known only inside the transaction)."""
        return Line(self.user, self.action, self.target, {**details, **self.details})


def write(conn: Connection, line: Line) -> None:
    """Append ``line`` inside ``conn``'s open transaction: it commits, or not, with the change it records."""
    conn.execute(
        insert(audit_log).values(
            at=datetime.now(UTC),
            user=line.user or "anonymous",
            action=line.action,
            target=line.target,
            details=json.dumps(dict(line.details), ensure_ascii=False, default=str) if line.details else None,
        )
    )


def record(engine, user: str, action: str, target: str | None = None, **details) -> None:
    """Append one entry in its own transaction: for what changes nothing else (a refusal, a failed
    sign-in), whose line must stay although the action did not happen."""
    line = Line(user, action, target, details)
    with engine.connect() as conn:
        conn.execution_options(write=True)
        with conn.begin():
            write(conn, line)


def entries(engine, limit: int = 200, user: str | None = None, action: str | None = None) -> pd.DataFrame:
    """The newest ``limit`` entries first."""
    q = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if user:
        q = q.where(audit_log.c.user == user)
    if action:
        q = q.where(audit_log.c.action == action)
    with engine.connect() as conn:
        frame = pd.DataFrame(
            conn.execute(q).mappings().all(), columns=["id", "at", "user", "action", "target", "details"]
        )
    return frame


def action_label(action: str, lang: str = "zh") -> str:
    zh, en = ACTIONS.get(action, (action, action))
    return en if lang == "en" else zh
