"""Async engines from the URLs people write, with SQLite set up to take concurrent writers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 30_000


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


def create_engine(url: str, **options: Any) -> AsyncEngine:
    """An engine for `url`. On SQLite every transaction is `BEGIN IMMEDIATE` (WAL mode).

    Python's default deferred transactions take the write lock only at the first write, so two
    processes that both read first end in "database is locked"; IMMEDIATE takes it up front and
    the busy timeout makes the second one wait its turn instead.
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
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
