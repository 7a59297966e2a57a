"""Creating, upgrading and checking the schema with the migrations shipped in the package."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from imagestudio.adapters.sql.engine import reading

UPGRADE_HINT = "run `imagestudio db upgrade`"


class SchemaOutOfDate(RuntimeError):
    """The database's schema is older (or newer) than this version of imagestudio needs."""


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("imagestudio.adapters.sql") / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, "the package ships no migrations"
    return head


async def current_revision(engine: AsyncEngine) -> str | None:
    async with reading(engine).connect() as connection:
        return await connection.run_sync(_current)


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Create the schema, or bring it up to `revision` (the newest by default)."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade, revision)


def _upgrade(connection: Connection, revision: str) -> None:
    command.upgrade(_config(connection), revision)


async def require_current(engine: AsyncEngine) -> None:
    """Refuse to work on a schema other than the one this code needs, saying what to do."""
    found = await current_revision(engine)
    needed = head_revision()
    if found == needed:
        return
    where = engine.url.render_as_string(hide_password=True)
    if found is None:
        raise SchemaOutOfDate(f"the database {where} has no imagestudio schema: {UPGRADE_HINT}")
    raise SchemaOutOfDate(
        f"the database {where} is at schema revision {found}, this version needs {needed}: "
        f"{UPGRADE_HINT}"
    )
