"""Creating, upgrading and checking the schema with the migrations shipped in the package.

Creating it seeds the reference plans, in the same transaction, and only then: a plan the
operator deletes later stays deleted.

Checking needs no alembic: the head revision is read from the migration files and the current
one from alembic's version table, so a command that only checks (every CLI command, at start)
does not pay for importing alembic. Creating and upgrading run alembic itself."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from imagestudio.adapters.sql import tables
from imagestudio.adapters.sql.engine import reading
from imagestudio.adapters.sql.quota_codec import plan_to_json
from imagestudio.adapters.sql.upsert import insert_missing
from imagestudio.domain.reference_plans import REFERENCE_PLANS

if TYPE_CHECKING:
    from alembic.config import Config

UPGRADE_HINT = "run `imagestudio db upgrade`"
VERSION_TABLE = "alembic_version"
"""Where alembic keeps the revision a database is at (its default name)."""

_REVISION = re.compile(r'^revision = "(\w+)"$', re.MULTILINE)
_DOWN_REVISION = re.compile(r'^down_revision = (?:None|"(\w+)")$', re.MULTILINE)


class SchemaOutOfDate(RuntimeError):
    """The database's schema is older (or newer) than this version of imagestudio needs."""


def _migrations() -> str:
    return str(files("imagestudio.adapters.sql") / "migrations")


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", _migrations())
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def head_revision() -> str:
    """The revision no migration builds on: the newest."""
    revisions, built_on = _revisions()
    heads = revisions - built_on
    assert len(heads) == 1, f"the migrations must form one line, found heads {sorted(heads)}"
    return heads.pop()


@cache
def known_revisions() -> frozenset[str]:
    """Every revision this version's migrations name: a database at any other was made or
    upgraded by another (newer) imagestudio."""
    return frozenset(_revisions()[0])


def _revisions() -> tuple[set[str], set[str]]:
    """The revisions of the shipped migrations, and those some migration builds on."""
    revisions: set[str] = set()
    built_on: set[str] = set()
    for migration in (files("imagestudio.adapters.sql.migrations") / "versions").iterdir():
        if not migration.name.endswith(".py") or migration.name.startswith("__"):
            continue
        source = migration.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN_REVISION.search(source)
        assert revision and down, f"{migration.name} names no revision and down_revision"
        revisions.add(revision.group(1))
        if down.group(1):
            built_on.add(down.group(1))
    return revisions, built_on


async def current_revision(engine: AsyncEngine) -> str | None:
    async with reading(engine).connect() as connection:
        return await connection.run_sync(_current)


def _current(connection: Connection) -> str | None:
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    found = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    if len(found) > 1:
        raise SchemaOutOfDate(f"the database is at several revisions at once: {sorted(found)}")
    return found[0] if found else None


async def is_empty(engine: AsyncEngine) -> bool:
    """Whether the database holds no table at all (of ours or anyone's)."""
    async with reading(engine).connect() as connection:
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    return not names


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Create the schema (with the reference plans), or bring it up to `revision` (the newest
    by default)."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade, revision)


def _upgrade(connection: Connection, revision: str) -> None:
    from alembic import command

    found = _current(connection)
    if found is not None and found not in known_revisions():
        # Alembic's own "Can't locate revision" says nothing of what to do.
        raise SchemaOutOfDate(
            _newer(connection.engine.url.render_as_string(hide_password=True), found)
        )
    created = found is None
    command.upgrade(_config(connection), revision)
    if created:
        at = datetime.now(UTC)
        rows = [
            {"name": plan.name, "definition": plan_to_json(plan), "updated_at": at}
            for plan in REFERENCE_PLANS
        ]
        insert_missing(connection, tables.plans, rows)


async def require_current(engine: AsyncEngine) -> None:
    """Refuse to work on a schema other than the one this code needs, saying what to do."""
    found = await current_revision(engine)
    needed = head_revision()
    if found == needed:
        return
    where = engine.url.render_as_string(hide_password=True)
    if found is None:
        raise SchemaOutOfDate(f"the database {where} has no imagestudio schema: {UPGRADE_HINT}")
    if found not in known_revisions():
        raise SchemaOutOfDate(_newer(where, found))
    raise SchemaOutOfDate(
        f"the database {where} is at schema revision {found}, this version needs {needed}: "
        f"{UPGRADE_HINT}"
    )


def _newer(where: str, found: str) -> str:
    return (
        f"the database {where} is at schema revision {found}, which this version of imagestudio "
        f"does not know (it needs {head_revision()}): a newer imagestudio made or upgraded it; "
        "use that version (no downgrade is shipped)"
    )
