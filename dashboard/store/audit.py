"""审计日志 Audit trail: who did what, when — sign-ins, uploads, rollbacks, user changes.

The table is created with the rest of the schema when ``Store`` first opens the database.

Rows are only ever appended. ``details`` holds a small JSON object (counts, batch id, the areas
concerned), never file contents or passwords.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import insert, select

from .actions import ACTIONS
from .schema import audit_log


def record(engine, user: str, action: str, target: str | None = None, **details) -> None:
    """Append one entry in its own transaction (an audit line must survive a failed action)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    with engine.connect() as conn:
        conn.execution_options(write=True)
        with conn.begin():
            conn.execute(
                insert(audit_log).values(
                    at=datetime.now(UTC),
                    user=user or "anonymous",
                    action=action,
                    target=target,
                    details=json.dumps(details, ensure_ascii=False, default=str) if details else None,
                )
            )


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
