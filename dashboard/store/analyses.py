"""分析评估: the responsible unit's analysis of an indicator's year — reasons, measures, difficulties.

Table ``analyses`` (revision 0008) only grows: writing an analysis appends a row with its author
(the name people read, and the account id; None for the command line's operator), its time, and the
upload batch it came in (None when written in the app or on the command line). A key's analysis is
its newest row; an edit is a new row, so the history is every row; an empty text withdraws the
analysis — a row too, so that who withdrew it, and when, stays on record. An analysis that came
with an upload stops counting when its batch is rolled back (the key's newest other row counts);
it stays in the history.

Writes: :func:`write_analysis` (one text, its own transaction, with its audit line) and
:func:`insert_uploaded` (the texts of an upload, inside the batch's transaction). Reads:
:func:`current_analyses`, :func:`analysis_history`. Who may write is decided above, in
``access.authorization.write_analysis_as``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, or_, select
from sqlalchemy.exc import OperationalError

from ..messages import Code, Problem
from . import audit
from .in_lists import keys_in
from .schema import analyses, batches

COLUMNS = ["area", "indicator", "year", "text", "author", "author_id", "at", "batch_id"]
KEYS = ["area", "indicator", "year"]


def clean_text(text: str | None) -> str:
    """The text as stored: line ends as ``\\n``, no blank space around it (None is empty)."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def too_long(text: str, max_chars: int) -> Problem | None:
    """ANALYSIS_TOO_LONG when ``text`` has more than ``max_chars`` characters (``settings.yaml``
    ``analysis.max_chars``), else None."""
    if len(text) <= max_chars:
        return None
    return Problem(Code.ANALYSIS_TOO_LONG, {"max": max_chars, "n": len(text)})


def write_analysis(
    engine: Engine,
    area: str,
    indicator: str,
    year: int,
    text: str | None,
    author: str,
    author_id: int | None,
    batch_id: int | None = None,
    audit_line: audit.Line | None = None,
    *,
    max_chars: int,
) -> str:
    """Append the analysis of (``area``, ``indicator``, ``year``) — an empty ``text`` withdraws it —
    with ``audit_line`` in the same transaction; returns the text as stored.

    Refused (``StoreError``, nothing written) when the text is longer than ``max_chars``, or when
    another write holds a SQLite database longer than its busy timeout (``STORE_BUSY``).
    """
    from .store import BUSY_SECONDS, StoreError, _is_busy  # the store's error and its busy test

    stored = clean_text(text)
    problem = too_long(stored, max_chars)
    if problem is not None:
        raise StoreError(problem)
    try:
        with engine.connect() as conn:
            # An append needs no lock beyond the back-end's own (no current flag to move), but on
            # SQLite a write transaction is BEGIN IMMEDIATE, like every other write of the store.
            conn.execution_options(write=True)
            with conn.begin():
                conn.execute(
                    insert(analyses).values(
                        area=str(area),
                        indicator=str(indicator),
                        year=int(year),
                        text=stored,
                        author=author or "unknown",
                        author_id=author_id,
                        at=datetime.now(UTC),
                        batch_id=batch_id,
                    )
                )
                if audit_line is not None:
                    audit.write(conn, audit_line)
    except OperationalError as exc:
        if _is_busy(exc):
            raise StoreError(Problem(Code.STORE_BUSY, {"seconds": BUSY_SECONDS})) from exc
        raise
    return stored


def insert_uploaded(conn: Connection, batch_id: int, rows: pd.DataFrame, author: str, author_id: int | None) -> int:
    """Append the analyses of an upload (``rows``: area, indicator, year, analysis) inside the batch's
    transaction ``conn``; returns how many were written.

    Empty cells say nothing (an upload never withdraws an analysis), and a text equal to the key's
    current analysis is not written again: storing the same file twice adds no history.
    """
    given = rows.loc[rows["analysis"].notna(), [*KEYS, "analysis"]].copy()
    given["analysis"] = given["analysis"].map(clean_text)
    given = given.loc[given["analysis"] != ""].drop_duplicates(KEYS, keep="first")
    if given.empty:
        return 0
    keys = list(zip(given["area"].astype(str), given["indicator"].astype(str), given["year"].astype(int), strict=True))
    known = {(r.area, r.indicator, int(r.year)): r.text for r in _newest(conn, keys).itertuples()}
    at = datetime.now(UTC)
    params = [
        {
            "area": a,
            "indicator": i,
            "year": y,
            "text": text,
            "author": author or "unknown",
            "author_id": author_id,
            "at": at,
            "batch_id": batch_id,
        }
        for (a, i, y), text in zip(keys, given["analysis"], strict=True)
        if known.get((a, i, y)) != text
    ]
    if params:
        conn.execute(insert(analyses), params)
    return len(params)


def _newest(conn: Connection, keys: list[tuple[str, str, int]] | None = None, areas=None, years=None) -> pd.DataFrame:
    """The newest row of each key (of ``keys``, or of ``areas`` × ``years``), withdrawn ones included."""
    a = analyses
    # An analysis uploaded with a batch goes when the batch is rolled back (it stays in the history).
    newest = (
        select(func.max(a.c.id).label("id"))
        .select_from(a.outerjoin(batches, a.c.batch_id == batches.c.id))
        .where(or_(a.c.batch_id.is_(None), batches.c.status == "active"))
        .group_by(a.c.area, a.c.indicator, a.c.year)
    )
    if areas is not None:
        newest = newest.where(a.c.area.in_([str(x) for x in areas]))
    if years is not None:
        newest = newest.where(a.c.year.in_([int(y) for y in years]))
    frames = []
    # Many keys at once (a national upload) are asked in chunks: a bound parameter list has limits.
    conditions = keys_in((a.c.area, a.c.indicator, a.c.year), keys) if keys is not None else [None]
    for condition in conditions:
        q = newest if condition is None else newest.where(condition)
        ids = q.subquery()
        stmt = select(*(a.c[c] for c in COLUMNS)).join(ids, a.c.id == ids.c.id).order_by(*(a.c[k] for k in KEYS))
        frames.append(pd.DataFrame(conn.execute(stmt).all(), columns=COLUMNS))
    return _typed(pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0])


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype({"year": "int64"})
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    frame["author_id"] = frame["author_id"].astype("Int64")
    frame["batch_id"] = frame["batch_id"].astype("Int64")
    return frame


def current_analyses(engine: Engine, areas: list[str] | None = None, years: list[int] | None = None) -> pd.DataFrame:
    """Each key's standing analysis — its newest row, unless that row withdrew it: area, indicator,
    year, text, author, author_id, at, batch_id, ordered by key."""
    with engine.connect() as conn:
        frame = _newest(conn, areas=areas, years=years)
    return frame.loc[frame["text"] != ""].reset_index(drop=True)


def analysis_history(engine: Engine, area: str, indicator: str, year: int | None = None) -> pd.DataFrame:
    """Every analysis ever written for ``area`` and ``indicator`` (one ``year``, or all), newest
    first — withdrawals (empty text) included: id and :data:`COLUMNS`."""
    a = analyses
    stmt = select(a.c.id, *(a.c[c] for c in COLUMNS)).where(a.c.area == str(area), a.c.indicator == str(indicator))
    if year is not None:
        stmt = stmt.where(a.c.year == int(year))
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(stmt.order_by(a.c.id.desc())).all(), columns=["id", *COLUMNS])
    return _typed(frame)
