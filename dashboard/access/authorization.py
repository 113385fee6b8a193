"""Who may do what — enforced here, on the server, for the app and the command line alike.

Pages only hide what a role cannot use; the functions below are the ones that refuse. Each refusal
is a bilingual ``Problem`` and an audit entry.

| role          | view | upload values            | task reports           | roll back          | rules page | users, audit |
|---------------|------|--------------------------|------------------------|--------------------|------------|--------------|
| viewer        | yes  | no                       | no                     | no                 | read only  | no           |
| area_editor   | yes  | rows of their areas only | tasks led by their units | their own batches | read only  | no           |
| city_editor   | yes  | all areas                | all tasks              | any batch          | read only  | no           |
| maintainer    | yes  | no                       | no                     | no                 | actions    | no           |
| admin         | yes  | all areas                | all tasks              | any batch          | actions    | yes          |

The completeness page (``view_completeness``, the office's chase list) is for area editors, city
editors and administrators.

"Their own batches" are the batches whose ``owner_id`` is the user's account id — never a name:
a batch imported from the command line under a name an area editor also has is not theirs.
Batches without an owner (the command line's operator, the demo, batches stored before revision
0005) may be rolled back only by city editors and administrators.

Each function takes an optional ``origin`` (the command line's ``{"via": "cli", "os_user": …}``)
that goes into its audit lines. The line of a change is written in the change's own transaction.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..intake import INDICATORS, TASKS, commit_any
from ..messages import Code, Msg, Problem
from ..store import audit
from .accounts import User

PERMISSIONS = {
    "view": {"viewer", "area_editor", "city_editor", "maintainer", "admin"},
    "upload": {"area_editor", "city_editor", "admin"},
    "rollback": {"area_editor", "city_editor", "admin"},
    "rules_actions": {"maintainer", "admin"},
    "manage_users": {"admin"},
    "view_audit": {"admin"},
    # The office's chase list: who still owes which value (the staff who handle data).
    "view_completeness": {"area_editor", "city_editor", "admin"},
}


class Refused(Exception):
    """An action the user may not take; ``problems`` say why (with rows where rows are the reason)."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message_en for p in problems))
        self.problems = problems


def can(user: User, action: str) -> bool:
    """Whether ``user``'s role allows ``action`` at all (area limits are checked separately)."""
    return user.role in PERMISSIONS[action]


def refusal(user: User, action: str) -> Problem:
    who = Msg("who_anonymous") if user.name == "anonymous" else Msg("who_user", {"name": user.name})
    return Problem(Code.NOT_ALLOWED, {"who": who, "role": Msg(f"role_{user.role}"), "action": Msg(f"action_{action}")})


def require(
    user: User, action: str, engine=None, target: str | None = None, origin: Mapping[str, object] | None = None
) -> None:
    """Raise ``Refused`` (and audit it) unless ``user`` may take ``action``."""
    if can(user, action):
        return
    if engine is not None:
        audit.record(engine, user.name, "access_refused", target or action, requested=action, **(origin or {}))
    raise Refused([refusal(user, action)])


def rows_outside_areas(user: User, rows: pd.DataFrame) -> list[Problem]:
    """For an area editor: one problem per row of an area not assigned to them, naming the row."""
    if user.role != "area_editor" or rows.empty:
        return []
    outside = rows[~rows["area"].astype(str).isin(user.areas)]
    return [
        Problem(
            Code.AREA_NOT_ALLOWED,
            {"area": str(r.area), "areas": list(user.areas)},
            row=int(r.source_row),
            column="area",
        )
        for r in outside.itertuples()
    ]


def refused_rows(user: User, kind: str, report, cat=None) -> list[Problem]:
    """The rows of ``report`` that ``user`` may not store, each named (empty for most roles)."""
    if kind == TASKS:
        return task_rows_outside_areas(user, report.rows, cat)
    return rows_outside_areas(user, report.rows)


def upload_any_as(user: User, store, kind: str, report, cat=None, origin: Mapping[str, object] | None = None) -> int:
    """Store an accepted report of either kind for ``user``: role check, then the rows check
    (area editors: their areas / tasks led by their units), then one batch owned by the user's
    account, with its audit line in the same transaction."""
    origin = origin or {}
    require(user, "upload", store.engine, report.file_name, origin)
    outside = refused_rows(user, kind, report, cat)
    if outside:
        audit.record(
            store.engine,
            user.name,
            "upload_refused",
            report.file_name,
            rows=len(outside),
            reason="areas",
            kind=kind,
            **origin,
        )
        raise Refused(outside)
    column = "task" if kind == TASKS else "area"
    scope = sorted(report.rows[column].astype(str).unique().tolist()) if len(report.rows) else []
    details = {"rows": len(report.rows), "kind": kind, "scope": scope[:50], "sha256": report.sha256, **origin}
    line = audit.Line(user.name, "upload", report.file_name, details)
    return commit_any(kind, report, store, uploader=user.name, owner_id=user.id, audit_line=line)


def upload_as(user: User, store, report) -> int:
    """Store an accepted indicator-values report for ``user`` (see :func:`upload_any_as`)."""
    return upload_any_as(user, store, INDICATORS, report)


def owns(user: User, owner_id: object) -> bool:
    """Whether a batch with ``owner_id`` is ``user``'s own: the same account id (a batch without an
    owner is nobody's)."""
    return user.id is not None and owner_id is not None and not pd.isna(owner_id) and int(owner_id) == user.id


def rollback_candidates(user: User, batches: pd.DataFrame) -> pd.DataFrame:
    """The active batches ``user`` may roll back: all for city editors and admins, own for area editors."""
    active = batches[batches["status"].astype(str) != "rolled_back"]
    if user.role == "area_editor":
        owners = active["owner_id"] if "owner_id" in active else pd.Series(None, index=active.index)
        active = active[[owns(user, o) for o in owners]]
    return active if can(user, "rollback") else active.iloc[0:0]


def rollback_as(user: User, store, batch_id: int, origin: Mapping[str, object] | None = None) -> dict:
    """Roll back a batch for ``user``: area editors only their own batches (by account id), with the
    audit line in the rollback's transaction."""
    origin = origin or {}
    target = f"batch {batch_id}"
    require(user, "rollback", store.engine, target, origin)
    if user.role == "area_editor":
        info = store.batch(batch_id)
        if info is None or not owns(user, info.get("owner_id")):
            audit.record(store.engine, user.name, "rollback_refused", target, **origin)
            raise Refused([Problem(Code.NOT_ALLOWED_OWN_BATCHES, {"batch": batch_id})])
    return store.rollback(batch_id, user.name, audit_line=audit.Line(user.name, "rollback", target, dict(origin)))


def upload_tasks_as(user: User, store, report, cat) -> int:
    """Store an accepted task-progress report for ``user`` (see :func:`upload_any_as`): area editors
    only tasks whose lead units (``units.yaml`` ``area``) belong to one of their areas."""
    return upload_any_as(user, store, TASKS, report, cat)


def task_rows_outside_areas(user: User, rows: pd.DataFrame, cat) -> list[Problem]:
    """For an area editor: one problem per task-report row whose task no lead unit of their areas leads."""
    if user.role != "area_editor" or rows is None or rows.empty:
        return []
    problems = []
    for r in rows.itertuples():
        task = cat.tasks.get(str(r.task)) if cat is not None else None
        lead_areas = {cat.units[c].area for c in (task.lead_units if task else ()) if c in cat.units}
        if lead_areas & set(user.areas):
            continue
        problems.append(
            Problem(
                Code.AREA_NOT_ALLOWED_TASK,
                {
                    "task": str(r.task),
                    "areas": list(user.areas),
                    "lead_areas": sorted(a for a in lead_areas if a) or ["—"],
                },
                row=int(r.source_row),
                column="task",
            )
        )
    return problems
