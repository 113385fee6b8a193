"""Bring a database to this version's schema with Alembic, once per database per process.

The migrations live in ``dashboard/store/migrations`` (``env.py``, ``versions/``); Alembic is
configured here in code — no ``alembic.ini`` — and runs on a connection this module opens:

* an empty database is upgraded from nothing to ``head``;
* a database made before Alembic (tables, no ``alembic_version``) is first *stamped* with the
  revision its tables match — ``0002`` when it has ``task_reports`` and ``task_upload`` is an
  allowed batch kind, else ``0001`` (whose tables an old version may not all have created are
  added) — then upgraded;
* a database at ``head`` costs one read and no lock — and no Alembic: the head is read from the
  revision files' text (:func:`head_from_files`), the database's revision with one query, and
  Alembic, a tenth of a second to import, is loaded only when there is something to do.

Everything happens in one transaction under the store's write lock (SQLite ``BEGIN IMMEDIATE``,
PostgreSQL a transaction-scoped advisory lock), and the revision is read again once the lock is
held: two processes opening the same database together migrate it once, and a failure leaves it
as it was. On SQLite foreign keys are off while tables are recreated (the pragma cannot change
inside a transaction) and ``PRAGMA foreign_key_check`` must come back empty before the commit.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
WRITE_LOCK = 20211
"""The PostgreSQL advisory lock every write of the store takes (migrations included)."""
VERSION_TABLE = "alembic_version"
# ``revision = "0003"`` and ``down_revision = "0002"`` (or None) in a revision file, typed or not.
_REVISION = re.compile(r"""^revision(?:\s*:[^=\n]+)?\s*=\s*["']([^"'\n]+)["']\s*$""", re.M)
_DOWN_REVISION = re.compile(r"""^down_revision(?:\s*:[^=\n]+)?\s*=\s*(?:None|["']([^"'\n]+)["'])\s*$""", re.M)


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the store, with ``connection`` for ``env.py`` to run on."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "r%%(rev)s_%%(slug)s")  # a module name: r0004_what_changes.py
    config.attributes["connection"] = connection
    return config


@cache
def head() -> str:
    """The newest revision: the schema of ``schema.py``."""
    from alembic.script import ScriptDirectory

    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None
    return revision


@cache
def head_from_files() -> str | None:
    """:func:`head` read from the revision files' text, without Alembic; None unless every file names
    one revision and the one it revises as plain strings and they form a single line."""
    revisions, revised = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.findall(source), _DOWN_REVISION.findall(source)
        if len(revision) != 1 or len(down) != 1:
            return None
        revisions.add(revision[0])
        if down[0]:
            revised.add(down[0])
    newest = revisions - revised
    return newest.pop() if len(newest) == 1 and revised <= revisions else None


def current_revision(conn: Connection) -> str | None:
    """The revision stamped in the database (None: not under Alembic yet, or empty)."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def _at_head(conn: Connection) -> bool:
    """True when the database is stamped with the head, found without Alembic; False: Alembic decides."""
    newest = head_from_files()
    if newest is None or not inspect(conn).has_table(VERSION_TABLE):
        return False
    stamped = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    return stamped == [newest]


def legacy_revision(conn: Connection) -> str | None:
    """The revision a database made before Alembic matches; None when it has none of our tables."""
    inspector = inspect(conn)
    names = set(inspector.get_table_names())
    if "batches" not in names:
        return None
    kind_check = " ".join(
        c["sqltext"] for c in inspector.get_check_constraints("batches") if c["name"] == "ck_batches_kind"
    )
    return "0002" if "task_reports" in names and "task_upload" in kind_check else "0001"


def upgrade(engine: Engine) -> None:
    """Migrate the database behind ``engine`` to ``head`` (see the module's docstring)."""
    with engine.connect() as conn:
        if _at_head(conn) or current_revision(conn) == head():
            return
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if sqlite:
            _foreign_keys(conn, on=False)
        try:
            conn.execution_options(write=True)  # BEGIN IMMEDIATE (see store._make_engine)
            with conn.begin():
                if not sqlite:
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
                _upgrade_locked(conn)
                if sqlite:
                    dangling = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if dangling:
                        raise RuntimeError(f"migration left dangling references: {dangling[:5]}")
        finally:
            if sqlite:
                _foreign_keys(conn, on=True)


def _upgrade_locked(conn: Connection) -> None:
    from alembic import command
    from alembic.script import ScriptDirectory

    config = alembic_config(conn)
    if current_revision(conn) is None:
        adopted = legacy_revision(conn)
        if adopted is not None:
            if adopted == "0001":
                script = ScriptDirectory.from_config(config).get_revision("0001")
                assert script is not None
                script.module.create_missing(conn)
            command.stamp(config, adopted)
    command.upgrade(config, "head")


def _foreign_keys(conn: Connection, *, on: bool) -> None:
    # On the DB-API connection itself: outside any transaction (isolation_level is None), where
    # the pragma takes effect.
    conn.connection.driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")  # type: ignore[union-attr]
