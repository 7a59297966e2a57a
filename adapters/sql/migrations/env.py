"""Alembic's environment: migrations always run on a connection handed in by schema.py."""

from __future__ import annotations

from alembic import context

from imagestudio.adapters.sql.tables import include_name, metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    include_name=include_name,  # the full-text objects are made by hand
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
