"""Alembic's environment for the store's migrations.

There is no ``alembic.ini`` and no URL here: :mod:`dashboard.store.migrate` configures Alembic in
code and hands over an open connection (``config.attributes["connection"]``) that already holds the
write lock and its transaction, so stamping and upgrading commit or roll back together.
"""

from __future__ import annotations

from alembic import context

from dashboard.store.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if context.is_offline_mode() or connection is None:
    raise RuntimeError("the store's migrations run on a connection passed by dashboard.store.migrate")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by recreating them
    compare_type=True,
)
with context.begin_transaction():  # joins the caller's transaction
    context.run_migrations()
