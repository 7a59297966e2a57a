"""The sweep's indexes on `operations` are partial (migration 0013), and its queries use them.

A whole-table index on `status`, or on a `follow_up` column that is NULL for nearly every row,
made each status change of each operation rewrite index pages as well as its row."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from imagestudio.adapters.sql import schema
from imagestudio.adapters.sql.engine import create_engine
from imagestudio.adapters.sql.operation_store import SqlOperationStore

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
PARTIAL = {
    "ix_operations_follow_up": "follow_up IS NOT NULL",
    "ix_operations_unknown_updated_at": "status = 'unknown'",
}


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await schema.upgrade(engine)
    yield engine
    await engine.dispose()


async def index_definitions(engine: AsyncEngine) -> dict[str, str]:
    query = (
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'operations'"
        if engine.dialect.name == "sqlite"
        else "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'operations'"
    )
    async with engine.connect() as connection:
        rows = (await connection.execute(text(query))).all()
    return {name: definition or "" for name, definition in rows}


def normalised(definition: str) -> str:
    """Without brackets, PostgreSQL's casts to text and extra spaces."""
    bare = definition.replace("::text", "").replace("(", " ").replace(")", " ")
    return " ".join(bare.split()).lower()


async def test_the_sweep_indexes_are_partial_and_no_status_index_is_left(
    engine: AsyncEngine,
) -> None:
    found = await index_definitions(engine)

    for name, where in PARTIAL.items():
        assert name in found
        assert f"where {normalised(where)}" in normalised(found[name])
    assert "ix_operations_status" not in found
    assert "ix_operations_user_id" not in found  # `ix_operations_user_created_at_id` leads with it


async def test_on_sqlite_the_sweeps_queries_are_answered_from_the_partial_indexes(
    sqlite_url: str,
) -> None:
    engine = create_engine(sqlite_url)
    try:
        await schema.upgrade(engine)
        sent: list[tuple[str, Any]] = []

        def keep(_c: object, _cursor: object, sql: str, params: Any, *_: object) -> None:
            if sql.lstrip().upper().startswith("SELECT") and "FROM operations" in sql:
                sent.append((sql, params))

        event.listen(engine.sync_engine, "before_cursor_execute", keep)
        store = SqlOperationStore(engine)
        await store.take_unknown(NOW, "sweeper", NOW + timedelta(minutes=1))
        await store.awaiting_follow_up(NOW, 10)
        assert len(sent) == 2

        plans = []
        async with engine.connect() as connection:
            for sql, params in sent:
                rows = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)
                plans.append(" ".join(str(row[-1]) for row in rows.all()))
        assert "ix_operations_unknown_updated_at" in plans[0]
        assert "ix_operations_follow_up" in plans[1]
    finally:
        await engine.dispose()
