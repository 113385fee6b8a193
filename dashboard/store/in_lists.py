"""``IN (…)`` conditions over many values, within what each database accepts in one statement.

SQLite bounds the number of parameters of a statement, so long lists go in chunks; PostgreSQL takes
a list of ids as one array parameter (hundreds of IN lists would each be a statement to build,
send and plan). Every module of the store asks through here, so the bounds live in one place.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import ARRAY, Connection, Integer, any_, bindparam, tuple_
from sqlalchemy.sql.elements import ColumnElement

T = TypeVar("T")

# Values of one column per statement (SQLite's default bound is 999 parameters, older builds too).
IN_CHUNK = 900
# (area, indicator, year) keys per statement: three parameters each.
KEY_CHUNK = 300


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """``items`` in consecutive slices of at most ``size``."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


def ids_in(conn: Connection, column: ColumnElement[Any], ids: list[int]) -> Iterator[ColumnElement[bool]]:
    """Conditions that together select ``column`` IN ``ids``: one array parameter on PostgreSQL,
    IN lists of :data:`IN_CHUNK` on SQLite; none for no ids."""
    if conn.dialect.name == "sqlite":
        yield from (column.in_(chunk) for chunk in chunks(ids, IN_CHUNK))
    elif ids:
        yield column == any_(bindparam(None, ids, type_=ARRAY(Integer)))


def keys_in(columns: Sequence[ColumnElement[Any]], keys: list[tuple[Any, ...]]) -> Iterator[ColumnElement[bool]]:
    """Conditions that together select the rows whose ``columns`` are one of ``keys`` (tuples), in
    chunks of :data:`KEY_CHUNK`; none for no keys."""
    yield from (tuple_(*columns).in_(chunk) for chunk in chunks(keys, KEY_CHUNK))
