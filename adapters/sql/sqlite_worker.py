"""The one thread a SQLite database's connection lives on, and how its transactions end."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from imagestudio.adapters.sql.driver_statement import DriverStatement

T = TypeVar("T")
_BEGIN = DriverStatement(text("BEGIN IMMEDIATE"))
_COMMIT = DriverStatement(text("COMMIT"))


class SqliteWorker:
    """Runs work on the database's connection, in its own thread, one piece after another: the
    order work is handed over in is the order it runs in, whatever the event loop does."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="imagestudio-sqlite")
        self._connection: Connection | None = None  # opened, used and closed on the thread

    async def run(self, work: Callable[[Connection], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._call, work)

    def begin(self, connection: Connection) -> None:
        if not _in_transaction(connection):
            _BEGIN.run(connection)

    def commit(self, connection: Connection) -> None:
        _COMMIT.run(connection)
        connection.commit()  # SQLAlchemy's own bookkeeping; sqlite3 has nothing left to do

    async def rollback(self) -> None:
        # Queued behind any flush still running (one thread keeps the order), and shielded: a
        # cancelled unit still ends its transaction before the next unit begins.
        ending = asyncio.get_running_loop().run_in_executor(self._thread, self._call, _roll_back)
        await asyncio.shield(ending)

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._thread, self._close)
        self._thread.shutdown(wait=False)

    def _call(self, work: Callable[[Connection], T]) -> T:
        if self._connection is None:
            self._connection = self._engine.connect()
        return work(self._connection)

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self._engine.dispose()


def _roll_back(connection: Connection) -> None:
    if _in_transaction(connection):
        connection.exec_driver_sql("ROLLBACK")
    connection.rollback()


def _in_transaction(connection: Connection) -> bool:
    """What sqlite3 knows, not what we remember: right even after a flush was cut short."""
    dbapi = connection.connection.dbapi_connection
    return bool(getattr(dbapi, "in_transaction", False))
