"""Who may do what — enforced here, on the server, for the app and the command line alike.

Pages only hide what a role cannot use; the functions below are the ones that refuse. Each refusal
is a bilingual ``Problem`` and an audit entry.

| role          | view | upload values            | task reports           | roll back          | rules page | users, audit |
|---------------|------|--------------------------|------------------------|--------------------|------------|--------------|
| viewer        | yes  | no                       | no                     | no                 | read only  | no           |
| area_editor   | yes  | rows of their areas only | tasks led by their units | their own batches | read only  | no           |
| reviewer      | yes  | no                       | no                     | no                 | read only  | no           |
| city_editor   | yes  | all areas                | all tasks              | any batch          | read only  | no           |
| maintainer    | yes  | no                       | no                     | no                 | actions    | no           |
| admin         | yes  | all areas                | all tasks              | any batch          | actions    | yes          |

The completeness page (``view_completeness``, the office's chase list) is for area editors,
reviewers, city editors and administrators.

Review (issue 15, ``store/review.py``): an area editor's upload is a *submission*; reviewers, city
editors and administrators approve, return (with a comment) or re-open (with a reason) values —
``review``. An approver's own upload is stored approved. An approved value is locked: an area
editor's upload that would change it is refused row by row; an approver's is refused unless it
gives a reason, which re-opens those values in the same transaction; a rollback of a batch holding
approved values is refused for everyone until an approver re-opens them. Area editors state, for
their areas, that a value cannot be obtained (``declare_not_obtainable``), as do city editors and
administrators.

The responsible unit's analysis of an indicator's year (分析评估, ``write_analysis_as``) is written
by area editors for their own areas and by city editors and administrators for any; viewers,
reviewers and maintainers do not write it.

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
from ..store.review import Action, Actor, ApprovedChanges, ReviewState
from .accounts import User

PERMISSIONS = {
    "view": {"viewer", "area_editor", "reviewer", "city_editor", "maintainer", "admin"},
    "upload": {"area_editor", "city_editor", "admin"},
    "rollback": {"area_editor", "city_editor", "admin"},
    "rules_actions": {"maintainer", "admin"},
    "manage_users": {"admin"},
    "view_audit": {"admin"},
    # The office's chase list: who still owes which value (the staff who handle data).
    "view_completeness": {"area_editor", "reviewer", "city_editor", "admin"},
    # The review of reported values: approve, return, re-open (the statistics bureau's check).
    "review": {"reviewer", "city_editor", "admin"},
    "declare_not_obtainable": {"area_editor", "city_editor", "admin"},
    # 分析评估, the responsible unit's analysis of an indicator's year: area editors for their areas.
    "write_analysis": {"area_editor", "city_editor", "admin"},
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


def review_state_of_upload(user: User) -> ReviewState:
    """The state an upload by ``user`` stores its values in: an area editor's is a submission; an
    approver's own upload is the approving level's figure, stored approved."""
    return ReviewState.APPROVED if can(user, "review") else ReviewState.SUBMITTED


def upload_any_as(
    user: User,
    store,
    kind: str,
    report,
    cat=None,
    origin: Mapping[str, object] | None = None,
    reason: str | None = None,
) -> int:
    """Store an accepted report of either kind for ``user``: role check, then the rows check
    (area editors: their areas / tasks led by their units), then one batch owned by the user's
    account, with its audit line in the same transaction.

    Indicator values are stored in :func:`review_state_of_upload`; rows that would change an
    approved value are refused, each named (``Refused``, nothing stored), unless ``user`` may
    review and gives a ``reason``: those values are then re-opened with it, in the same transaction.
    """
    from ..store.store import ApprovedValuesLocked

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
    if kind == TASKS:
        return commit_any(kind, report, store, uploader=user.name, owner_id=user.id, audit_line=line)
    state = review_state_of_upload(user)
    reason = ((reason or "").strip() or None) if can(user, "review") else None
    extra = {"review": state.value, **({"reason": reason} if reason else {})}
    line = audit.Line(user.name, "upload", report.file_name, {**details, **extra})
    try:
        return commit_any(
            kind,
            report,
            store,
            uploader=user.name,
            owner_id=user.id,
            audit_line=line,
            review_state=state,
            approved_changes=ApprovedChanges(Actor(user.name, user.id), reason),
            also=_uploaded_analyses(report.rows, user),
        )
    except ApprovedValuesLocked as exc:
        audit.record(
            store.engine,
            user.name,
            "upload_refused",
            report.file_name,
            rows=len(exc.problems),
            reason="approved",
            kind=kind,
            **origin,
        )
        raise Refused(exc.problems) from exc


def upload_as(user: User, store, report, reason: str | None = None) -> int:
    """Store an accepted indicator-values report for ``user`` (see :func:`upload_any_as`)."""
    return upload_any_as(user, store, INDICATORS, report, reason=reason)


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
    from ..store.store import ApprovedValuesLocked

    try:
        return store.rollback(
            batch_id,
            user.name,
            audit_line=audit.Line(user.name, "rollback", target, dict(origin)),
            refuse_approved=True,
        )
    except ApprovedValuesLocked as exc:
        audit.record(store.engine, user.name, "rollback_refused", target, reason="approved", **origin)
        raise Refused(exc.problems) from exc


_REVIEW_AUDIT = {Action.APPROVE: "review_approve", Action.RETURN: "review_return", Action.REOPEN: "review_reopen"}


def review_as(
    user: User,
    store,
    action: Action,
    *,
    batch_id: int | None = None,
    keys: list[tuple[str, str, int]] | None = None,
    comment: str | None = None,
    origin: Mapping[str, object] | None = None,
) -> int:
    """Approve, return or re-open the current values of a batch or of ``keys`` for ``user``; returns
    how many changed. Refused (and audited) for a role that may not review, without a comment where
    one is needed (return, re-open), and when no chosen value is in a state the action applies to."""
    origin = origin or {}
    target = f"batch {batch_id}" if batch_id is not None else f"{len(keys or [])} values"
    require(user, "review", store.engine, target, origin)
    comment = (comment or "").strip() or None
    if action.needs_comment and comment is None:
        audit.record(store.engine, user.name, "review_refused", target, step=action.value, reason="comment", **origin)
        raise Refused([Problem(Code.REVIEW_COMMENT_NEEDED, {"action": Msg(f"review_action_{action.value}")})])
    line = audit.Line(
        user.name,
        _REVIEW_AUDIT[action],
        target,
        {"batch": batch_id, "keys": [list(k) for k in (keys or [])][:50], "comment": comment, **origin},
    )
    done = store.change_review(
        action, Actor(user.name, user.id), batch_id=batch_id, keys=keys, comment=comment, audit_line=line
    )
    if done.empty:
        audit.record(store.engine, user.name, "review_refused", target, step=action.value, reason="state", **origin)
        states = [Msg(f"review_state_{s.value}") for s in action.before]
        raise Refused(
            [Problem(Code.REVIEW_NOTHING, {"action": Msg(f"review_action_{action.value}"), "states": states})]
        )
    return len(done)


def declare_not_obtainable_as(
    user: User,
    store,
    area: str,
    indicator: str,
    year: int,
    reason: str,
    origin: Mapping[str, object] | None = None,
) -> None:
    """Record (an empty ``reason`` withdraws) that (area, indicator, year) cannot be obtained, for
    ``user``: area editors for their own areas only."""
    origin = origin or {}
    target = f"{area} {indicator} {year}"
    require(user, "declare_not_obtainable", store.engine, target, origin)
    if user.role == "area_editor" and str(area) not in user.areas:
        audit.record(store.engine, user.name, "access_refused", target, requested="declare_not_obtainable", **origin)
        raise Refused([Problem(Code.REVIEW_AREA_NOT_ALLOWED, {"area": str(area), "areas": list(user.areas)})])
    line = audit.Line(user.name, "not_obtainable", target, {"reason": reason, **origin})
    store.declare_not_obtainable(Actor(user.name, user.id), area, indicator, int(year), reason, audit_line=line)


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


def analysis_key_problem(rules, area: str, indicator: str, year: int) -> Problem | None:
    """Why (``area``, ``indicator``, ``year``) can carry no analysis — an indicator or context series
    the rules do not know, a year outside every plan's years — or None."""
    from ..intake.area_definitions import year_range

    if not any(indicator in p.indicators or indicator in p.context_series for p in rules.all_plans()):
        return Problem(Code.ANALYSIS_UNKNOWN_INDICATOR, {"indicator": indicator})
    start, end = year_range(rules)
    if not start <= int(year) <= end:
        return Problem(Code.ANALYSIS_UNKNOWN_YEAR, {"year": int(year), "start": start, "end": end})
    return None


def write_analysis_as(
    user: User,
    store_or_engine,
    rules,
    area: str,
    indicator: str,
    year: int,
    text: str | None,
    origin: Mapping[str, object] | None = None,
) -> str:
    """Write (an empty ``text``: withdraw) the analysis of (``area``, ``indicator``, ``year``) for
    ``user``: area editors only for their own areas; viewers and maintainers never. Refusals raise
    ``Refused`` and are audited; the analysis and its audit line are one transaction. Returns the
    text as stored; ``StoreError`` for a text over ``analysis.max_chars`` (nothing stored)."""
    from ..store import analyses

    engine = getattr(store_or_engine, "engine", store_or_engine)
    origin = origin or {}
    target = f"{area} {indicator} {int(year)}"
    require(user, "write_analysis", engine, target, origin)
    problem = analysis_key_problem(rules, area, indicator, year)
    if problem is None and area not in rules.areas:
        problem = Problem(Code.UNKNOWN_AREA_USER, {"area": area})
    if problem is None and user.role == "area_editor" and area not in user.areas:
        problem = Problem(Code.AREA_NOT_ALLOWED, {"area": area, "areas": list(user.areas)})
    if problem is not None:
        audit.record(engine, user.name, "analysis_refused", target, **origin)
        raise Refused([problem])
    stored = analyses.clean_text(text)
    line = audit.Line(user.name, "analysis", target, {"chars": len(stored), **origin})
    return analyses.write_analysis(
        engine,
        area,
        indicator,
        int(year),
        stored,
        user.name,
        user.id,
        audit_line=line,
        max_chars=rules.settings.analysis.max_chars,
    )


def _uploaded_analyses(rows: pd.DataFrame, user: User):
    """What an upload's transaction also writes: the file's 分析 column (``rows["analysis"]``), the
    uploader's analyses, with the batch id; None when the file gave none."""
    if "analysis" not in rows or not rows["analysis"].notna().any():
        return None
    from ..store import analyses

    def write(conn, batch_id: int) -> None:
        analyses.insert_uploaded(conn, batch_id, rows, user.name, user.id)

    return write
