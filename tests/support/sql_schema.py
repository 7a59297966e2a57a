"""A SQL engine with the schema created, for the adapters' contract tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from imagestudio.adapters.sql.engine import create_engine
from imagestudio.adapters.sql.tables import metadata


@asynccontextmanager
async def engine_with_schema(url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on `url` whose tables exist; disposed on the way out."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        yield engine
    finally:
        await engine.dispose()
