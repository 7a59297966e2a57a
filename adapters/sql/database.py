"""How a unit of work's SQL runs: writes queued in Python, sent with the next read or the commit,
so a transaction costs one hand-off to the database per flush, not one per statement.

SQLite: SQLAlchemy's sync engine on one connection, used on the event loop's own thread (a
statement costs microseconds; a hand-off to another thread cost more than the unit's SQL), and
an `asyncio.Lock` held for a unit's whole life, so two units never interleave on it. We emit
`BEGIN IMMEDIATE` ourselves at the first flush: the write lock is taken up front. When another
process holds it, the BEGIN waits for it on a worker thread (the busy timeout makes it wait its
turn instead of failing with "database is locked") and the event loop goes on; the log's
checkpoints run on that thread too (sqlite_link.py).
PostgreSQL: postgres_database.py.
"""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Any, Protocol

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

from imagestudio.adapters.sql.engine import SQLITE_BUSY_TIMEOUT_MS, async_url
from imagestudio.adapters.sql.postgres_database import PostgresDatabase
from imagestudio.adapters.sql.sqlite_link import SqliteLink
from imagestudio.adapters.sql.transaction import Transaction


class Database(Protocol):
    """Where units of work run their SQL."""

    @property
    def engine(self) -> Engine:
        """The sync engine underneath: its events see every statement sent."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """A transaction, rolled back on the way out unless committed."""
        ...

    async def dispose(self) -> None: ...


def open_database(url: str, **options: Any) -> Database:
    """A database for units of work at `url` (`sqlite:///…` or `postgresql://…`, any driver
    named in it is replaced by ours); `options` go to PostgreSQL's engine (a `poolclass`, say).
    SQLite's is always one connection."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return SqliteDatabase(parsed.set(drivername="sqlite+pysqlite").render_as_string(False))
    return PostgresDatabase(async_url(url).render_as_string(False), **options)


class SqliteDatabase:
    """One SQLite connection, used on the event loop's thread, one unit at a time."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            pool_size=1,
        )
        # On the pool, not the engine: an engine with listeners makes every statement look for
        # `before_cursor_execute` ones.
        event.listen(self.engine.pool, "connect", _set_up_sqlite)
        self._link = SqliteLink(self.engine, SQLITE_BUSY_TIMEOUT_MS)
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None

    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        return _SqliteTurn(self._unit_lock(), self._link)

    async def dispose(self) -> None:
        await self._link.close()

    def _unit_lock(self) -> asyncio.Lock:
        # An asyncio lock belongs to one event loop; a facade may run one loop after another.
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        return self._lock


def _set_up_sqlite(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN, COMMIT and ROLLBACK ourselves
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
        "foreign_keys=ON",
        "synchronous=NORMAL",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


class _SqliteTurn:
    """One transaction under the unit lock, rolled back on the way out unless committed (a
    class, not a generator-based context manager: three or four per operation)."""

    __slots__ = ("_link", "_lock", "_transaction")

    def __init__(self, lock: asyncio.Lock, link: SqliteLink) -> None:
        self._lock = lock
        self._link = link
        self._transaction: Transaction | None = None

    async def __aenter__(self) -> Transaction:
        await self._lock.acquire()
        try:
            self._transaction = Transaction(self._link)
        except BaseException:
            self._lock.release()
            raise
        return self._transaction

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            if self._transaction is not None:
                await self._transaction.rollback()
        finally:
            self._lock.release()
