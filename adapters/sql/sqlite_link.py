"""How a SQLite database's one connection is reached: on the event loop's own thread, except
while it waits for the write lock.

A statement on SQLite in WAL mode with `synchronous=NORMAL` costs microseconds; handing each
flush to a worker thread cost far more (a queue, a wake-up, the GIL passed back and forth, and
under load a wait for a core each time). So a unit's flushes run where the unit runs, and the
connection's busy timeout is 0 there: `BEGIN IMMEDIATE` either takes the write lock at once or
fails with SQLITE_BUSY (another process holds it). Then, and only then, the BEGIN is handed to
the worker thread, which waits for the lock with the usual busy timeout while the event loop
goes on, in tries of `LOCK_WAIT_SLICE_MS`: a unit cancelled meanwhile (Ctrl-C) stops the
tries, so it ends within one, not at the end of the busy timeout. Once begun, the rest of the
unit runs on the loop again: in WAL mode a transaction holding the write lock waits for nobody
(readers never block a writer; its commit only appends to the log).

What would still stall the event loop is SQLite's automatic checkpoint, which runs inside the
COMMIT that fills the log past its threshold and copies the log into the database file, with
fsyncs (tens of milliseconds on a busy machine). So this connection's automatic checkpoint is
off, and every `CHECKPOINT_EVERY` commits a passive checkpoint runs on the worker thread, on a
connection of its own (a passive checkpoint waits for nobody and holds up no writer). Other
connections to the file keep SQLite's default.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from imagestudio.adapters.sql.driver_statement import DriverStatement
from imagestudio.adapters.sql.engine import LOCK_WAIT_SLICE_MS, is_busy

T = TypeVar("T")
CHECKPOINT_EVERY = 100
"""Commits between two checkpoints: a few pages each, about SQLite's own 1,000-page default."""
_BEGIN = DriverStatement(text("BEGIN IMMEDIATE"))
_COMMIT = DriverStatement(text("COMMIT"))


class SqliteLink:
    """The `Link` of every transaction on one SQLite database: its connection, opened on the
    worker thread and used on the event loop's thread; one unit uses it at a time (the
    database's lock says whose turn it is)."""

    def __init__(self, engine: Engine, busy_timeout_ms: int) -> None:
        self._engine = engine
        self._path = engine.url.database
        self._commits = 0
        self._checkpointing: Future[None] | None = None
        self._checkpointer: sqlite3.Connection | None = None  # opened, used, closed on the thread
        self._busy_timeout_ms = busy_timeout_ms
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="imagestudio-sqlite")
        self._connection: Connection | None = None
        # Work on the thread (or a rollback waiting for it) that must end before the connection
        # is touched again: set while a BEGIN waits for the lock, and kept if its unit was
        # cancelled meanwhile.
        self._handed: asyncio.Future[Any] | None = None
        self._closed = False

    async def run(self, work: Callable[[Connection], T]) -> T:
        connection = await self._ready()
        if not _in_transaction(connection):
            await self._begin(connection)
        return work(connection)

    def begin(self, connection: Connection) -> None:
        pass  # `run` has begun the transaction before any work runs

    def commit(self, connection: Connection) -> None:
        _COMMIT.run(connection)
        connection.commit()  # SQLAlchemy's own bookkeeping; sqlite3 has nothing left to do
        self._commits += 1
        if self._commits >= CHECKPOINT_EVERY and (
            self._checkpointing is None or self._checkpointing.done()
        ):
            self._commits = 0
            self._checkpointing = self._thread.submit(self._checkpoint)

    async def rollback(self) -> None:
        waiting = self._handed
        if waiting is None:
            self._roll_back()
            return

        async def after_it() -> None:
            await asyncio.wait((waiting,))
            self._roll_back()

        # Shielded and left as the work to wait for: a unit cancelled here still ends its
        # transaction before the next unit touches the connection.
        self._handed = ending = asyncio.ensure_future(after_it())
        await asyncio.shield(ending)

    async def close(self) -> None:
        """Close the connection and end the thread; once (a host may close its studio twice)."""
        if self._closed:
            return
        self._closed = True
        await self._after_handed()
        await asyncio.get_running_loop().run_in_executor(self._thread, self._close)
        self._thread.shutdown(wait=False)

    async def _ready(self) -> Connection:
        if self._closed:
            # Said before anything is written, rather than the thread pool's "cannot schedule
            # new futures after shutdown" from wherever the first statement happens to be.
            raise RuntimeError(f"the SQLite database {self._path} was closed")
        await self._after_handed()
        if self._connection is None:
            await self._hand_off(self._connect)
        assert self._connection is not None
        return self._connection

    def _connect(self) -> None:
        # Kept by the thread itself: a unit cancelled meanwhile does not lose the connection.
        connection = self._engine.connect()
        _pragma(connection, "busy_timeout=0")
        _pragma(connection, "wal_autocheckpoint=0")
        self._connection = connection

    def _checkpoint(self) -> None:
        # Best effort, as SQLite's own: a checkpoint that fails leaves the log to the next one.
        with suppress(sqlite3.Error):
            if self._checkpointer is None:
                self._checkpointer = sqlite3.connect(
                    self._path or "", isolation_level=None, check_same_thread=False
                )
            self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    async def _after_handed(self) -> None:
        while self._handed is not None:
            handed = self._handed
            loop = asyncio.get_running_loop()
            if handed.done():
                pass
            elif handed.get_loop() is not loop:
                # Left unfinished by an event loop that has ended (a facade runs one after
                # another): it will never resolve. The thread keeps the order: wait behind its
                # work, then end whatever transaction that left open.
                await loop.run_in_executor(self._thread, _nothing)
                self._roll_back()
            else:
                await asyncio.wait((handed,))
            if self._handed is handed:
                self._handed = None

    async def _begin(self, connection: Connection) -> None:
        try:
            _BEGIN.run(connection)
            return
        except OperationalError as error:
            if not is_busy(error):
                raise
        given_up = threading.Event()
        try:  # the loop goes on meanwhile
            await self._hand_off(lambda: self._wait_and_begin(connection, given_up))
        except asyncio.CancelledError:
            given_up.set()
            raise

    def _wait_and_begin(self, connection: Connection, given_up: threading.Event) -> None:
        deadline = time.monotonic() + self._busy_timeout_ms / 1000
        _pragma(connection, f"busy_timeout={min(LOCK_WAIT_SLICE_MS, self._busy_timeout_ms)}")
        try:
            while True:
                try:
                    _BEGIN.run(connection)
                    return
                except OperationalError as error:
                    if not is_busy(error) or given_up.is_set() or time.monotonic() >= deadline:
                        raise
        finally:
            _pragma(connection, "busy_timeout=0")

    async def _hand_off(self, work: Callable[[], T]) -> T:
        handed = asyncio.wrap_future(self._thread.submit(work))
        handed.add_done_callback(_retrieve)
        self._handed = handed
        try:
            return await asyncio.shield(handed)
        finally:
            if handed.done() and self._handed is handed:
                self._handed = None

    def _roll_back(self) -> None:
        if self._connection is not None:
            _roll_back(self._connection)

    def _close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.close()
            self._checkpointer = None
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


def _pragma(connection: Connection, pragma: str) -> None:
    dbapi = connection.connection.dbapi_connection
    assert dbapi is not None
    dbapi.execute(f"PRAGMA {pragma}")


def _nothing() -> None:
    pass


def _retrieve(future: asyncio.Future[Any]) -> None:
    # A BEGIN whose unit was cancelled has nobody awaiting it: its error is not news.
    if not future.cancelled():
        future.exception()
