"""The review of reported values (审核): each version's state, its changes, and what dashboards show.

The committee's cycle, as DHIS2 approves data by level: an area editor's upload is a *submission*;
an approver (a reviewer, a city editor or an administrator) approves it or returns it with a
comment, per batch or per value; an approved value is locked — changing it (by an upload or a
rollback) needs an approver to re-open it first, with a reason. An approver's own upload is stored
approved: it is the approving level's own figure.

Where it lives:

- ``observations.review``: each version's state (:class:`ReviewState`); its first state is its
  batch's ``review`` (so storing a national file writes no history rows);
- ``review_events``: every later change of a version's state, with who, when, the state before and
  after and the comment — only appended (:class:`Action`);
- ``not_obtainable``: what a unit states it cannot obtain (无法取得), newest row per key.

Dashboards, the evaluation and the reports show :func:`approved_values` by default: for each key
the newest approved version whose batch is active (while a correction waits for review, the value
approved before it stays on show). The switch 含未审核 shows the current values with their state.

Every write here runs inside the caller's transaction (``Store._write``), with its audit line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

import pandas as pd
from sqlalchemy import Connection, insert, select, update

from ..messages import Code, Problem, as_label, t
from .in_lists import ids_in, keys_in
from .schema import batches, not_obtainable, observations, review_events

KEYS = ["area", "indicator", "year"]


class ReviewState(StrEnum):
    """A version's review state (the value stored in ``observations.review``)."""

    SUBMITTED = "submitted"  # 已报待审: waits for an approver
    APPROVED = "approved"  # 已审核: shown on the dashboards, locked
    RETURNED = "returned"  # 退回: the approver sent it back with a comment

    def label(self, lang: str = "zh") -> str:
        """The state in words, standing alone as a cell or an option (已报待审; Submitted, awaiting review).
        Messages that name it inside a sentence use ``Msg(f"review_state_{state}")``, lower case."""
        return as_label(t(f"review_state_{self.value}", lang), lang)


class Action(StrEnum):
    """A change of review state (``review_events.action``): from which states, to which."""

    APPROVE = "approve"
    RETURN = "return"
    REOPEN = "reopen"
    RESUBMIT = "resubmit"

    @property
    def before(self) -> tuple[ReviewState, ...]:
        """The states this action applies to (a version in another state is left as it is)."""
        return {
            Action.APPROVE: (ReviewState.SUBMITTED,),
            Action.RETURN: (ReviewState.SUBMITTED,),
            Action.REOPEN: (ReviewState.APPROVED,),
            Action.RESUBMIT: (ReviewState.RETURNED,),
        }[self]

    @property
    def after(self) -> ReviewState:
        return {
            Action.APPROVE: ReviewState.APPROVED,
            Action.RETURN: ReviewState.RETURNED,
            Action.REOPEN: ReviewState.SUBMITTED,
            Action.RESUBMIT: ReviewState.SUBMITTED,
        }[self]

    def label(self, lang: str = "zh") -> str:
        """The action in words, standing alone as a cell (审核通过; Approve)."""
        return as_label(t(f"review_action_{self.value}", lang), lang)

    @property
    def needs_comment(self) -> bool:
        """Returning says what is wrong; re-opening says why (both shown to the unit and audited)."""
        return self in (Action.RETURN, Action.REOPEN)


@dataclass(frozen=True)
class Actor:
    """Who changes a state: the name people read and the account id (None: the command line's operator)."""

    name: str
    user_id: int | None = None


@dataclass(frozen=True)
class ApprovedChanges:
    """What a commit does with rows that would change an approved value: refuse them (``reason``
    None: the unit must ask an approver to re-open), or re-open them first with ``reason`` (an
    approver's correcting upload), recorded as re-open events by ``actor``."""

    actor: Actor
    reason: str | None = None


def _now() -> datetime:
    return datetime.now(UTC)


def write_events(conn: Connection, actor: Actor, action: Action, versions: pd.DataFrame, comment: str | None) -> None:
    """Append one ``review_events`` row per version (columns id, area, indicator, year, review)."""
    if versions.empty:
        return
    at = _now()
    conn.execute(
        insert(review_events),
        [
            {
                "at": at,
                "user": actor.name or "unknown",
                "user_id": actor.user_id,
                "action": action.value,
                "version_id": int(r.id),
                "area": str(r.area),
                "indicator": str(r.indicator),
                "year": int(r.year),
                "before": str(r.review),
                "after": action.after.value,
                "comment": comment,
            }
            for r in versions.itertuples(index=False)
        ],
    )


def set_state(conn: Connection, ids: list[int], state: ReviewState) -> None:
    """Set the review state of the versions ``ids``."""
    for condition in ids_in(conn, observations.c.id, ids):
        conn.execute(update(observations).where(condition).values(review=state.value))


def change(conn: Connection, actor: Actor, action: Action, versions: pd.DataFrame, comment: str | None) -> pd.DataFrame:
    """Apply ``action`` to those of ``versions`` (id, area, indicator, year, review) in one of its
    ``before`` states: their new state and one event each. Returns the versions changed."""
    mine = versions[versions["review"].isin([s.value for s in action.before])]
    set_state(conn, mine["id"].astype("int64").tolist(), action.after)
    write_events(conn, actor, action, mine, comment)
    return mine


_VERSION_COLUMNS = [observations.c[n] for n in ("id", "area", "indicator", "year", "value", "review", "batch_id")]


def current_versions(
    conn: Connection, *, batch_id: int | None = None, keys: Iterable[tuple[str, str, int]] | None = None
) -> pd.DataFrame:
    """The current versions of a batch, or of the given (area, indicator, year) keys."""
    o = observations
    stmt = select(*_VERSION_COLUMNS).where(o.c.is_current)
    if batch_id is not None:
        rows = list(conn.execute(stmt.where(o.c.batch_id == int(batch_id))).all())
    else:
        wanted = [(str(a), str(i), int(y)) for a, i, y in (keys or [])]
        rows = []
        for condition in keys_in((o.c.area, o.c.indicator, o.c.year), wanted):
            rows += conn.execute(stmt.where(condition)).all()
    frame = pd.DataFrame(rows, columns=[c.name for c in _VERSION_COLUMNS])
    return frame.astype({"id": "int64", "year": "int64", "batch_id": "int64"}) if len(frame) else frame


def approved_values(conn: Connection, areas: list[str] | None, years: list[int] | None) -> pd.DataFrame:
    """For each key the newest approved version of an active batch: area, indicator, year, value,
    note, batch_id, review (all ``approved``) — what the dashboards show by default."""
    o, b = observations, batches
    stmt = (
        select(o.c.id, o.c.area, o.c.indicator, o.c.year, o.c.value, o.c.note, o.c.batch_id, o.c.review)
        .join(b, b.c.id == o.c.batch_id)
        .where(o.c.review == ReviewState.APPROVED.value, b.c.status == "active")
    )
    if years is not None:
        stmt = stmt.where(o.c.year.in_([int(y) for y in years]))
    if areas is not None:
        stmt = stmt.where(o.c.area.in_([str(a) for a in areas]))
    columns = ["id", "area", "indicator", "year", "value", "note", "batch_id", "review"]
    frame = pd.DataFrame(conn.execute(stmt).all(), columns=columns)
    frame = frame.astype({"id": "int64", "year": "int64", "value": "float64", "batch_id": "int64"})
    frame = frame.sort_values("id", kind="stable").drop_duplicates(KEYS, keep="last")
    return frame.sort_values(KEYS, kind="stable").drop(columns="id").reset_index(drop=True)


def locked_rows(merged: pd.DataFrame, changed: pd.Series) -> pd.DataFrame:
    """The rows of a commit (``merged``: the rows beside their current version's ``old_id`` and
    ``old_review``) that would change an approved value."""
    if "old_review" not in merged:
        return merged.iloc[0:0]
    return merged[changed & merged["old_review"].eq(ReviewState.APPROVED.value)]


def locked_problems(locked: pd.DataFrame, limit: int = 50) -> list[Problem]:
    """One problem per row that would change an approved value, naming its row and the value column."""
    problems = []
    for r in locked.head(limit).itertuples(index=False):
        found = getattr(r, "source_row", None)
        row = int(found) if found is not None and not pd.isna(found) else None
        at_row = row is not None
        problems.append(
            Problem(
                Code.VALUE_APPROVED,
                {
                    "area": str(getattr(r, "source_area", None) or r.area),
                    "indicator": str(r.indicator),
                    "year": int(r.year),
                },
                row=row,
                column=str(getattr(r, "source_column", None) or "value") if at_row else None,
            )
        )
    if len(locked) > limit:
        problems.append(Problem(Code.VALUE_APPROVED_MORE, {"n": len(locked) - limit}))
    return problems


def events(conn: Connection, area: str | None = None, indicator: str | None = None, limit: int = 500) -> pd.DataFrame:
    """The newest review events first (for one key's history, or all)."""
    e = review_events
    stmt = select(e).order_by(e.c.id.desc()).limit(limit)
    if area is not None:
        stmt = stmt.where(e.c.area == str(area))
    if indicator is not None:
        stmt = stmt.where(e.c.indicator == str(indicator))
    frame = pd.DataFrame(conn.execute(stmt).all(), columns=[c.name for c in e.columns])
    if len(frame):
        frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame


def state_of_current(conn: Connection, areas: list[str] | None, years: list[int] | None) -> pd.DataFrame:
    """Every current version's key, review state and batch (for completeness and the review queue),
    with the comment of its newest event (a return's comment, a re-open's reason)."""
    o, b, e = observations, batches, review_events
    stmt = (
        select(
            o.c.id,
            o.c.area,
            o.c.indicator,
            o.c.year,
            o.c.value,
            o.c.review,
            o.c.batch_id,
            b.c.uploader,
            b.c.created_at,
            b.c.file_name,
        )
        .join(b, b.c.id == o.c.batch_id)
        .where(o.c.is_current)
    )
    if years is not None:
        stmt = stmt.where(o.c.year.in_([int(y) for y in years]))
    if areas is not None:
        stmt = stmt.where(o.c.area.in_([str(a) for a in areas]))
    columns = ["id", "area", "indicator", "year", "value", "review", "batch_id", "uploader", "created_at", "file_name"]
    frame = pd.DataFrame(conn.execute(stmt).all(), columns=columns)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True) if len(frame) else frame["created_at"]
    pending = frame.loc[frame["review"] != ReviewState.APPROVED.value, "id"].astype("int64").tolist()
    comments: dict[int, str] = {}
    for condition in ids_in(conn, e.c.version_id, pending):
        rows = conn.execute(select(e.c.version_id, e.c.comment).where(condition).order_by(e.c.id)).all()
        comments.update({int(v): c for v, c in rows if c})
    frame["comment"] = frame["id"].map(comments)
    return frame.astype({"id": "int64", "year": "int64", "batch_id": "int64"}) if len(frame) else frame


def declare_not_obtainable(conn: Connection, actor: Actor, area: str, indicator: str, year: int, reason: str) -> None:
    """Record that (area, indicator, year) cannot be obtained, with ``reason`` ("" withdraws it)."""
    conn.execute(
        insert(not_obtainable).values(
            area=str(area),
            indicator=str(indicator),
            year=int(year),
            reason=reason,
            user=actor.name or "unknown",
            user_id=actor.user_id,
            at=_now(),
        )
    )


def not_obtainable_now(conn: Connection, years: list[int] | None = None) -> pd.DataFrame:
    """The standing statements: area, indicator, year, reason, user, at (the newest row per key,
    unless it withdrew the statement)."""
    n = not_obtainable
    stmt = select(n.c.id, n.c.area, n.c.indicator, n.c.year, n.c.reason, n.c.user, n.c.at)
    if years is not None:
        stmt = stmt.where(n.c.year.in_([int(y) for y in years]))
    columns = ["id", "area", "indicator", "year", "reason", "user", "at"]
    frame = pd.DataFrame(conn.execute(stmt).all(), columns=columns)
    if frame.empty:
        return frame.drop(columns="id")
    frame = frame.sort_values("id").drop_duplicates(KEYS, keep="last")
    frame = frame[frame["reason"].astype(str).str.strip() != ""]
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame.drop(columns="id").astype({"year": "int64"}).reset_index(drop=True)
