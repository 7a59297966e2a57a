"""Async engines from the URLs people write, with SQLite set up to take concurrent writers."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 30_000
LOCK_WAIT_SLICE_MS = 200
"""How long one try for SQLite's write lock waits. A wait of `SQLITE_BUSY_TIMEOUT_MS` is made of
such tries, because SQLite's own wait cannot be cut short (not even by `interrupt()`): between
two tries a cancelled wait ends, so Ctrl-C takes a fifth of a second, not thirty."""

READING = "imagestudio_reading"
"""The execution option that marks a connection's transactions read-only (see `reading`)."""


def async_url(url: str) -> URL:
    """`postgresql://…` and `sqlite:///…` as users write them, with our async drivers."""
    parsed = make_url(url)
    drivers = {
        "postgresql": "postgresql+psycopg",
        "postgres": "postgresql+psycopg",
        "sqlite": "sqlite+aiosqlite",
    }
    if parsed.drivername in drivers:
        parsed = parsed.set(drivername=drivers[parsed.drivername])
    if parsed.get_backend_name() not in ("postgresql", "sqlite"):
        raise ValueError(
            f"unsupported database {parsed.get_backend_name()!r}: use postgresql or sqlite"
        )
    return parsed


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def reading(engine: AsyncEngine) -> AsyncEngine:
    """`engine` for transactions that only read: the same pool, each transaction a plain
    (deferred) `BEGIN` on SQLite, a snapshot in WAL mode that takes no write lock, so readers
    neither wait for writers nor hold them up. A transaction begun here must not write.
    """
    return engine.execution_options(**{READING: True})


def create_engine(url: str, **options: Any) -> AsyncEngine:
    """An engine for `url`. On SQLite (WAL mode) a transaction is `BEGIN IMMEDIATE`, unless it
    is begun through `reading(engine)`.

    Python's default deferred transactions take the write lock only at the first write, so two
    processes that both read first end in "database is locked"; IMMEDIATE takes it up front and
    the busy timeout makes the second one wait its turn instead. A transaction that never
    writes needs no write lock.
    """
    parsed = async_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(parsed, pool_pre_ping=True, **options)
    engine = create_async_engine(
        parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **options
    )
    _take_the_write_lock_up_front(engine)
    return engine


def _take_the_write_lock_up_front(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        # Made WAL with the whole busy timeout (a new file's first connections take turns);
        # then each wait is a try of its own (`_on_begin`).
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={LOCK_WAIT_SLICE_MS}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READING, False):
            connection.exec_driver_sql("BEGIN")
            return
        # Each try is one hand-off to the driver's thread: a task cancelled while it waits is
        # told so when the try ends, and tries no more.
        deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except OperationalError as error:
                if not is_busy(error) or time.monotonic() >= deadline:
                    raise


def is_busy(error: OperationalError) -> bool:
    """SQLITE_BUSY, or one of its extended codes (another connection recovering the log, say)."""
    code = getattr(error.orig, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_BUSY


class EngineClosed(RuntimeError):
    """A connection was asked of an engine its owner has closed."""


def refuse_new_connections(engine: AsyncEngine, reason: str) -> None:
    """After `engine.dispose()`: every later connection attempt raises `EngineClosed(reason)`
    before anything is opened. SQLAlchemy would open a fresh pool instead, whose connections
    (and, on SQLite, their driver threads) nobody would ever close."""

    @event.listens_for(engine.sync_engine, "do_connect")
    def _refuse(*_: Any) -> None:
        raise EngineClosed(reason)
