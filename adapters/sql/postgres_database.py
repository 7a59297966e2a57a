"""Units of work on PostgreSQL: an async engine (psycopg); each unit takes a pooled connection at
its first flush, and each flush is one `run_sync` on it. A unit that sends nothing costs nothing:
no connection, no BEGIN."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imagestudio.adapters.sql.transaction import Transaction

T = TypeVar("T")


class PostgresDatabase:
    """Units on PostgreSQL, each on a pooled connection taken at its first flush."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.async_engine = engine
        self.engine = engine.sync_engine

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        link = _PostgresLink(self.async_engine)
        transaction = Transaction(link)
        try:
            yield transaction
        finally:
            await transaction.rollback()
            await link.close()

    async def dispose(self) -> None:
        await self.async_engine.dispose()


class _PostgresLink:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None

    async def run(self, work: Callable[[Connection], T]) -> T:
        if self._connection is None:
            self._connection = await self._engine.connect()
        return await self._connection.run_sync(work)

    def begin(self, connection: Connection) -> None:
        pass  # psycopg begins a transaction before the first statement by itself

    def commit(self, connection: Connection) -> None:
        connection.commit()

    async def rollback(self) -> None:
        if self._connection is not None:
            # Shielded: a cancelled unit still ends its transaction before the connection is
            # handed to anyone else.
            await asyncio.shield(self._roll_back(self._connection))

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await asyncio.shield(connection.close())

    @staticmethod
    async def _roll_back(connection: AsyncConnection) -> None:
        try:
            await connection.rollback()
        except Exception:
            await connection.invalidate()  # in an unknown state: never back into the pool
