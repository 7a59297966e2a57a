"""How units reach PostgreSQL (adapters/sql/postgres_database.py): a connection per unit from
its first flush to its end, one unit's work on one thread at a time, a cancelled unit's
transaction ended before its connection serves anyone else, a broken connection never pooled
again, and units waiting at the gate, not in a thread, when every connection is taken."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from imagestudio.adapters.sql.postgres_database import PostgresDatabase
from imagestudio.adapters.sql.transaction import Write

pytestmark = pytest.mark.postgres


@asynccontextmanager
async def database(url: str, **options: object) -> AsyncIterator[PostgresDatabase]:
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS marks (name text primary key)")
    opened = PostgresDatabase(url, **options)
    try:
        yield opened
    finally:
        await opened.dispose()


def mark(name: str) -> Write:
    def write(connection: Connection) -> None:
        connection.execute(text("INSERT INTO marks VALUES (:name)"), {"name": name})

    return write


def marks(url: str) -> list[str]:
    with psycopg.connect(url, autocommit=True) as connection:
        return [row[0] for row in connection.execute("SELECT name FROM marks ORDER BY name")]


def open_transactions(url: str) -> int:
    """Sessions of this database in a transaction (idle in one, or running a statement)."""
    with psycopg.connect(url, autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
        ).fetchone()
    assert row is not None
    return int(row[0])


async def test_a_unit_cancelled_while_its_flush_runs_rolls_back_first(postgres_url: str) -> None:
    async with database(postgres_url, pool_size=1, max_overflow=0) as db:
        flushing = asyncio.Event()

        async def cut_short() -> None:
            async with db.transaction() as transaction:
                transaction.later(mark("cancelled"))

                def slow(connection: Connection) -> None:
                    flushing.set()
                    connection.execute(text("SELECT pg_sleep(0.3)"))

                await transaction.now(slow)

        task = asyncio.create_task(cut_short())
        await flushing.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

        # The one connection comes back rolled back: the next unit gets it and sees nothing.
        async with db.transaction() as transaction:
            transaction.later(mark("next"))
            await transaction.commit()
        assert marks(postgres_url) == ["next"]
        assert open_transactions(postgres_url) == 0


async def test_a_connection_that_cannot_roll_back_is_dropped(postgres_url: str) -> None:
    async with database(postgres_url, pool_size=1, max_overflow=0) as db:
        with pytest.raises(OperationalError):
            async with db.transaction() as transaction:
                # The server ends the session mid-transaction: its rollback fails.
                await transaction.now(
                    lambda c: c.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
                )
        async with db.transaction() as transaction:
            transaction.later(mark("fresh"))
            await transaction.commit()
        assert marks(postgres_url) == ["fresh"]


async def test_units_beyond_the_pool_wait_their_turn_and_all_finish(postgres_url: str) -> None:
    async with database(postgres_url, pool_size=2, max_overflow=0) as db:

        async def unit(index: int) -> None:
            async with db.transaction() as transaction:
                await transaction.now(lambda c: c.execute(text("SELECT 1")))
                await asyncio.sleep(0.001)  # holds its connection between two flushes
                transaction.later(mark(f"u{index:03d}"))
                await transaction.commit()

        await asyncio.wait_for(asyncio.gather(*(unit(i) for i in range(60))), 60)
        assert len(marks(postgres_url)) == 60
        assert open_transactions(postgres_url) == 0


async def test_a_unit_waiting_longer_than_the_pool_timeout_fails_typed(postgres_url: str) -> None:
    async with database(postgres_url, pool_size=1, max_overflow=0, pool_timeout=0.2) as db:
        holding, release = asyncio.Event(), asyncio.Event()

        async def holder() -> None:
            async with db.transaction() as transaction:
                await transaction.now(lambda c: c.execute(text("SELECT 1")))
                holding.set()
                await release.wait()

        task = asyncio.create_task(holder())
        await holding.wait()
        with pytest.raises(PoolTimeout):
            async with db.transaction() as transaction:
                await transaction.now(lambda c: c.execute(text("SELECT 1")))
        release.set()
        await task
        async with db.transaction() as transaction:  # the place was given back
            assert await transaction.now(lambda c: c.execute(text("SELECT 2")).scalar()) == 2


async def test_a_unit_that_sends_nothing_takes_no_connection(postgres_url: str) -> None:
    async with database(postgres_url, pool_size=1, max_overflow=0, pool_timeout=0.2) as db:
        async with db.transaction() as idle:
            async with db.transaction() as transaction:  # the only connection is still free
                transaction.later(mark("only"))
                await transaction.commit()
            await idle.commit()  # nothing queued: nothing sent
        # The one connection is free again: kept for the next unit, held by no unit.
        assert db.engine.pool.checkedout() == len(db.kept)  # type: ignore[attr-defined]
        assert marks(postgres_url) == ["only"]


async def backend(db: PostgresDatabase) -> int:
    async with db.transaction() as transaction:
        pid = await transaction.now(lambda c: c.execute(text("SELECT pg_backend_pid()")).scalar())
        await transaction.commit()
    assert isinstance(pid, int)
    return pid


async def test_units_one_after_another_reuse_one_connection_and_keep_no_more_than_the_pool(
    postgres_url: str,
) -> None:
    async with database(postgres_url, pool_size=1, max_overflow=2) as db:
        first = await backend(db)
        assert await backend(db) == first

        await asyncio.gather(*(backend(db) for _ in range(3)))  # three connections at once

        assert len(db.kept) == 1  # the pool's size: the overflow ones went back and closed
        assert db.engine.pool.checkedout() == 1  # type: ignore[attr-defined]
        assert open_transactions(postgres_url) == 0


async def test_a_kept_connection_the_server_dropped_fails_one_unit_and_is_replaced(
    postgres_url: str,
) -> None:
    async with database(postgres_url, pool_size=2, max_overflow=0) as db:
        await asyncio.gather(backend(db), backend(db))
        assert len(db.kept) == 2
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )

        # As with the pool (no pre-ping), the first unit on a dropped connection fails...
        with pytest.raises(OperationalError):
            await backend(db)
        # ...and the lost server invalidated the rest: the next units connect afresh.
        await backend(db)
        async with db.transaction() as transaction:
            transaction.later(mark("after"))
            await transaction.commit()
        assert marks(postgres_url) == ["after"]
