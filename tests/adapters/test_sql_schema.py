"""The migrations shipped in the package create exactly the schema the code uses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from importlib.resources import files

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from imagestudio.adapters.sql import schema
from imagestudio.adapters.sql.engine import async_url, create_engine
from imagestudio.adapters.sql.quota_store import SqlQuotaStore
from imagestudio.adapters.sql.tables import include_name, metadata
from imagestudio.adapters.system.clock import FixedClock
from imagestudio.domain.reference_plans import REFERENCE_PLANS


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


def differences(connection: Connection) -> list[object]:
    return list(
        compare_metadata(
            MigrationContext.configure(connection, opts={"include_name": include_name}), metadata
        )
    )


async def test_upgrade_creates_the_schema_the_tables_describe(engine: AsyncEngine) -> None:
    await schema.upgrade(engine)

    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []
    assert await schema.current_revision(engine) == schema.head_revision()


async def test_upgrading_a_current_schema_changes_nothing(engine: AsyncEngine) -> None:
    await schema.upgrade(engine)
    await schema.upgrade(engine)

    await schema.require_current(engine)


async def test_a_database_without_the_schema_is_refused_with_the_command_to_run(
    engine: AsyncEngine,
) -> None:
    with pytest.raises(schema.SchemaOutOfDate, match="imagestudio db upgrade"):
        await schema.require_current(engine)


async def test_an_older_schema_is_refused_naming_both_revisions(engine: AsyncEngine) -> None:
    await schema.upgrade(engine)
    async with engine.begin() as connection:
        await connection.execute(text("UPDATE alembic_version SET version_num = '0012'"))

    with pytest.raises(schema.SchemaOutOfDate, match=r"revision 0012, this version needs"):
        await schema.require_current(engine)


async def test_creating_the_schema_seeds_the_reference_plans_and_only_then(
    engine: AsyncEngine,
) -> None:
    await schema.upgrade(engine)
    store = SqlQuotaStore(engine, FixedClock(datetime(2026, 3, 1, tzinfo=UTC)))
    assert await store.plans() == tuple(sorted(REFERENCE_PLANS, key=lambda plan: plan.name))

    await store.delete_plan("enterprise")
    await schema.upgrade(engine)  # an upgrade of an existing schema seeds nothing

    assert "enterprise" not in {plan.name for plan in await store.plans()}


def test_the_head_read_from_the_migration_files_is_alembics_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(files("imagestudio.adapters.sql") / "migrations"))
    assert schema.head_revision() == ScriptDirectory.from_config(config).get_current_head()


@pytest.mark.parametrize("revision", ["0001", "0004", "head"])
async def test_the_revision_read_from_the_database_is_alembics(
    engine: AsyncEngine, revision: str
) -> None:
    assert await schema.current_revision(engine) is None
    await schema.upgrade(engine, revision)

    async with engine.connect() as connection:
        alembics = await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )
    assert await schema.current_revision(engine) == alembics
    assert alembics == (schema.head_revision() if revision == "head" else revision)


@pytest.mark.parametrize(
    ("written", "driver"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg"),
        ("postgres://u@h/db", "postgresql+psycopg"),
        ("sqlite:///tmp/x.db", "sqlite+aiosqlite"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg"),
    ],
)
def test_urls_as_people_write_them_get_the_async_driver(written: str, driver: str) -> None:
    assert async_url(written).drivername == driver


def test_an_unsupported_database_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported database"):
        async_url("mysql://u@h/db")
