"""What only the SQL asset library has: its full-text index, its queries and its migration."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import event, func, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from support.sql_schema import engine_with_schema

from imagestudio.adapters.sql import schema
from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.asset_library import SqlAssetLibrary
from imagestudio.adapters.sql.engine import create_engine
from imagestudio.domain.asset import Asset
from imagestudio.domain.asset_query import AssetQuery
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation_kind import OperationKind

T0 = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def an_asset(asset_id: str = "ast_1", prompt: str = "a red fox", **changes: Any) -> Asset:
    return Asset(
        id=asset_id,
        owner=changes.pop("owner", "alice"),
        operation_id="op_1",
        model_id="flux-schnell",
        kind=OperationKind.TEXT_TO_IMAGE,
        media_type=MediaType.PNG,
        size_bytes=100,
        created_at=changes.pop("created_at", T0),
        prompt=prompt,
        **changes,
    )


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await schema.upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def sqlite_engine(sqlite_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(sqlite_url)
    await schema.upgrade(engine)
    yield engine
    await engine.dispose()


async def searched(library: SqlAssetLibrary, words: str) -> list[str]:
    page = await library.find("alice", AssetQuery(text=words), after=None, limit=100)
    return [asset.id for asset in page]


async def indexed_words(engine: AsyncEngine) -> list[str]:
    """What the SQLite full-text table holds, row by row."""
    async with engine.connect() as connection:
        rows = await connection.execute(text(f"SELECT words FROM {t.FULL_TEXT} ORDER BY rowid"))
        return [row.words for row in rows]


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[tuple[str, Any]]]:
    """Every statement the engine sends while the block runs, with its parameters."""
    sent: list[tuple[str, Any]] = []

    def record(*args: Any) -> None:
        sent.append((args[2], args[3]))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


# -- the full-text index (SQLite keeps it itself) ----------------------------------------------


async def test_the_index_holds_the_prompts_words_as_python_splits_them(
    sqlite_engine: AsyncEngine,
) -> None:
    await SqlAssetLibrary(sqlite_engine).add(an_asset(prompt="La «Nuit» étoilée, red_fox!"))

    assert await indexed_words(sqlite_engine) == ["la nuit étoilée red fox"]


async def test_replacing_an_asset_reindexes_its_words(sqlite_engine: AsyncEngine) -> None:
    library = SqlAssetLibrary(sqlite_engine)
    await library.add(an_asset(prompt="a red fox"))

    await library.add(an_asset(prompt="a blue whale"))

    assert await indexed_words(sqlite_engine) == ["a blue whale"]
    assert await searched(library, "fox") == []
    assert await searched(library, "whale") == ["ast_1"]


async def test_removing_an_asset_drops_its_indexed_words(sqlite_engine: AsyncEngine) -> None:
    library = SqlAssetLibrary(sqlite_engine)
    await library.add(an_asset("ast_1", prompt="a red fox"))
    await library.add(an_asset("ast_2", prompt="a blue whale"))

    await library.remove("alice", "ast_1")

    assert await indexed_words(sqlite_engine) == ["a blue whale"]


async def test_rows_deleted_by_another_writer_leave_no_indexed_words(
    sqlite_engine: AsyncEngine,
) -> None:
    library = SqlAssetLibrary(sqlite_engine)
    await library.add(an_asset("ast_1", tags=frozenset({"t"})))
    async with sqlite_engine.begin() as connection:
        await connection.execute(t.assets.delete())

    assert await indexed_words(sqlite_engine) == []
    async with sqlite_engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(t.asset_tags)) == 0


async def test_a_schema_made_from_the_tables_searches_too(database_url: str) -> None:
    async with engine_with_schema(database_url) as engine:
        library = SqlAssetLibrary(engine)
        await library.add(an_asset(prompt="a red fox"))

        assert await searched(library, "FOX") == ["ast_1"]


# -- queries ------------------------------------------------------------------------------------


async def test_search_asks_the_full_text_index(engine: AsyncEngine) -> None:
    rows = [
        {
            "id": f"ast_{n:05}",
            "owner": "alice",
            "operation_id": "op_1",
            "model_id": "m",
            "kind": "text-to-image",
            "media_type": "image/png",
            "size_bytes": 1,
            "prompt": "",
            "prompt_words": "common words",
            "cost": 0,
            "created_at": T0 + timedelta(seconds=n),
            "favourite": False,
        }
        for n in range(5000)
    ]
    async with engine.begin() as connection:
        await connection.execute(t.assets.insert(), rows)
        if engine.dialect.name == "postgresql":
            await connection.execute(text("ANALYZE assets"))
    library = SqlAssetLibrary(engine)
    await library.add(an_asset("ast_rare", prompt="one rare word"))

    with statements(engine) as sent:
        assert await searched(library, "rare") == ["ast_rare"]

    [(statement, parameters)] = [(s, p) for s, p in sent if "LIMIT" in s]
    plan = await explained(engine, statement, parameters)
    assert t.FULL_TEXT in plan
    if engine.dialect.name == "sqlite":
        assert "VIRTUAL TABLE INDEX" in plan


async def explained(engine: AsyncEngine, statement: str, parameters: Any) -> str:
    sqlite = engine.dialect.name == "sqlite"
    async with engine.connect() as connection:
        if not sqlite:
            await connection.exec_driver_sql("SET enable_seqscan = off")
        explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
        rows = await connection.exec_driver_sql(explain + statement, parameters)
        return "\n".join(str(tuple(row)) for row in rows)


async def test_a_page_takes_the_same_number_of_queries_whatever_its_size(
    engine: AsyncEngine,
) -> None:
    library = SqlAssetLibrary(engine)
    for n in range(30):
        await library.add(
            an_asset(
                f"ast_{n:02}",
                created_at=T0 + timedelta(seconds=n),
                tags=frozenset({"a", "b"}),
                collections=frozenset({"c"}),
                derived_from=("ast_x", "ast_y"),
            )
        )

    with statements(engine) as small:
        await library.find("alice", AssetQuery(tag="a"), after=None, limit=2)
    with statements(engine) as large:
        page = await library.find("alice", AssetQuery(tag="a"), after=None, limit=30)

    assert len(page) == 30
    assert len(large) == len(small)


async def test_an_id_another_owner_holds_is_refused(engine: AsyncEngine) -> None:
    library = SqlAssetLibrary(engine)
    bobs = an_asset("ast_1", owner="bob", tags=frozenset({"bob"}))
    await library.add(bobs)

    with pytest.raises(ValueError, match="another owner"):
        await library.add(an_asset("ast_1", owner="alice", prompt="mine now"))

    assert await library.get("bob", "ast_1") == bobs
    assert await library.get("alice", "ast_1") is None


# -- the migration ------------------------------------------------------------------------------


def _alembic(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("imagestudio.adapters.sql") / "migrations"))
    config.attributes["connection"] = connection
    return config


def _downgrade_to_0005(connection: Connection) -> None:
    command.downgrade(_alembic(connection), "0005")


def _table_names(connection: Connection) -> list[str]:
    return inspect(connection).get_table_names()


async def test_upgrading_from_0005_keeps_the_data_and_adds_a_searchable_library(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    try:
        await schema.upgrade(engine, "0005")
        async with engine.begin() as connection:
            await connection.execute(
                # Not a reference plan: creating the schema seeds those.
                t.plans.insert().values(name="legacy", definition="{}", updated_at=T0)
            )
            await connection.execute(
                t.users.insert().values(id="alice", plan_name="legacy", created_at=T0)
            )

        await schema.upgrade(engine)

        async with engine.connect() as connection:
            assert (await connection.execute(select(t.users.c.id))).scalars().all() == ["alice"]
        library = SqlAssetLibrary(engine)
        await library.add(an_asset(prompt="a red fox"))
        assert await searched(library, "fox") == ["ast_1"]
    finally:
        await engine.dispose()


async def test_downgrading_to_0005_removes_the_library_and_its_index(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await schema.upgrade(engine)
        await SqlAssetLibrary(engine).add(an_asset(tags=frozenset({"t"})))

        async with engine.begin() as connection:
            await connection.run_sync(_downgrade_to_0005)
            names = await connection.run_sync(_table_names)

        assert [name for name in names if name.startswith("asset")] == []  # FTS5's too
        await schema.upgrade(engine)  # and back again
        assert await searched(SqlAssetLibrary(engine), "fox") == []
    finally:
        await engine.dispose()
