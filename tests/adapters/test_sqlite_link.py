"""A SQLite unit's SQL runs on the event loop's thread, except while it waits for the write lock:
then the wait is the worker thread's and the event loop goes on (adapters/sql/sqlite_link.py).

Another process holding the write lock is played by a second sqlite3 connection on the same
file, which is what SQLite sees either way."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from returns.result import Success
from sqlalchemy import event
from support.unit_world import a_request, sql_world

from imagestudio.adapters.sql.sqlite_link import CHECKPOINT_EVERY
from imagestudio.adapters.sql.unit_of_work import SqlUnitOfWork
from imagestudio.domain.limit import Limit
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.plan import Plan

TICKS = 5
ROOMY = Plan(name="roomy", calls={QuotaCategory.IMAGE_GENERATION: Limit.of(1_000_000)})


@contextmanager
def threads_of_statements(units: SqlUnitOfWork) -> Iterator[list[tuple[str, int]]]:
    """(statement, the thread it was sent from) for every statement sent while the block runs."""
    sent: list[tuple[str, int]] = []

    def record(*args: Any) -> None:
        sent.append((args[2], threading.get_ident()))

    event.listen(units.database.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(units.database.engine, "before_cursor_execute", record)


@contextmanager
def write_lock_held(sqlite_url: str) -> Iterator[sqlite3.Connection]:
    """The database's write lock, held by another connection until it commits."""
    holder = sqlite3.connect(
        sqlite_url.split("///", 1)[1], isolation_level=None, check_same_thread=False
    )
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield holder
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()


async def reserve(units: SqlUnitOfWork, reservation_id: str) -> object:
    async with units.begin() as unit:
        granted = await unit.quota.reserve(reservation_id, a_request())
        await unit.commit()
        return granted


async def calls_held(quota: Any) -> int:
    counters = await quota.counters("ada", a_request().at)
    held = (counter.held for key, counter in counters.items() if key.name.startswith("calls"))
    return next(held, 0)


async def ticks_while(task: asyncio.Task[Any]) -> int:
    """How often the event loop ran another task while `task` was not done (at most TICKS)."""
    ticks = 0
    while not task.done() and ticks < TICKS:
        await asyncio.sleep(0.01)
        ticks += 1
    return ticks


async def test_without_contention_every_statement_runs_on_the_event_loops_thread(
    sqlite_url: str,
) -> None:
    async with sql_world(sqlite_url) as world:
        await world.quota.assign("ada", "small")
        units = world.units
        assert isinstance(units, SqlUnitOfWork)
        await reserve(units, "res_warm")  # the connection is opened on the worker thread

        with threads_of_statements(units) as sent:
            assert isinstance(await reserve(units, "res_1"), Success)

    assert sent[0][0] == "BEGIN IMMEDIATE" and sent[-1][0] == "COMMIT"
    assert {thread for _, thread in sent} == {threading.get_ident()}


async def test_the_event_loop_runs_on_while_a_unit_waits_for_the_write_lock(
    sqlite_url: str,
) -> None:
    async with sql_world(sqlite_url) as world:
        await world.quota.assign("ada", "small")
        units = world.units
        assert isinstance(units, SqlUnitOfWork)
        await reserve(units, "res_warm")

        with threads_of_statements(units) as sent, write_lock_held(sqlite_url) as holder:
            waiting = asyncio.create_task(reserve(units, "res_1"))
            ticks = await ticks_while(waiting)
            assert ticks == TICKS and not waiting.done()  # waiting, and the loop went on
            holder.execute("COMMIT")
            granted = await asyncio.wait_for(waiting, 30)

        assert isinstance(granted, Success)
        assert await calls_held(world.quota) == 2

    loop_thread = threading.get_ident()
    begins = [thread for sql, thread in sent if sql == "BEGIN IMMEDIATE"]
    # Tried on the loop (refused at once: busy), then waited for on the worker thread.
    assert begins[0] == loop_thread and begins[-1] != loop_thread
    after_begin = sent[len(begins) :]
    assert after_begin and {thread for _, thread in after_begin} == {loop_thread}


async def test_a_unit_cancelled_while_waiting_for_the_lock_leaves_nothing_and_no_lock(
    sqlite_url: str,
) -> None:
    async with sql_world(sqlite_url) as world:
        await world.quota.assign("ada", "small")
        units = world.units
        assert isinstance(units, SqlUnitOfWork)
        await reserve(units, "res_warm")
        before = await calls_held(world.quota)

        with write_lock_held(sqlite_url) as holder:
            waiting = asyncio.create_task(reserve(units, "res_cancelled"))
            assert await ticks_while(waiting) == TICKS
            waiting.cancel()
            next_unit = asyncio.create_task(reserve(units, "res_next"))
            await asyncio.sleep(0.05)
            holder.execute("COMMIT")  # the worker's BEGIN gets the lock now, then rolls back
            await asyncio.gather(waiting, return_exceptions=True)
            assert waiting.cancelled()
            assert isinstance(await asyncio.wait_for(next_unit, 30), Success)

        assert await calls_held(world.quota) == before + 1  # res_next's only
        with write_lock_held(sqlite_url):
            pass  # the cancelled unit's transaction is not left holding the lock


async def test_a_unit_cancelled_while_waiting_for_the_lock_ends_before_the_lock_is_free(
    sqlite_url: str,
) -> None:
    """SQLite's own wait cannot be cut short: the worker waits in tries of a fifth of a second,
    and stops trying once its unit is cancelled (Ctrl-C), not at the end of the busy timeout."""
    async with sql_world(sqlite_url) as world:
        await world.quota.assign("ada", "small")
        units = world.units
        assert isinstance(units, SqlUnitOfWork)
        await reserve(units, "res_warm")
        before = await calls_held(world.quota)

        with write_lock_held(sqlite_url):
            waiting = asyncio.create_task(reserve(units, "res_cancelled"))
            assert await ticks_while(waiting) == TICKS
            waiting.cancel()
            cancelled_at = time.monotonic()
            await asyncio.gather(waiting, return_exceptions=True)
            assert waiting.cancelled()
            assert time.monotonic() - cancelled_at < 3  # the busy timeout is 30 s

        assert isinstance(await asyncio.wait_for(reserve(units, "res_next"), 30), Success)
        assert await calls_held(world.quota) == before + 1  # res_next's only


def main_file(sqlite_url: str) -> str:
    """The database file itself (a digest): in WAL mode only a checkpoint writes to it."""
    return hashlib.sha256(Path(sqlite_url.split("///", 1)[1]).read_bytes()).hexdigest()


async def test_the_log_is_checkpointed_off_the_event_loop_every_so_many_commits(
    sqlite_url: str,
) -> None:
    async with sql_world(sqlite_url) as world:
        await world.quota.define_plan(ROOMY)
        await world.quota.assign("ada", "roomy")
        units = world.units
        assert isinstance(units, SqlUnitOfWork)
        await reserve(units, "res_0")
        with sqlite3.connect(sqlite_url.split("///", 1)[1]) as other:  # a fresh start
            other.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = main_file(sqlite_url)

        with threads_of_statements(units) as sent:
            for index in range(1, CHECKPOINT_EVERY):  # res_0 was the link's first commit
                await reserve(units, f"res_{index}")
                assert main_file(sqlite_url) == before
        # The CHECKPOINT_EVERY-th commit handed a checkpoint to the worker thread: the file
        # changes with no further commit (SQLite's own would wait for the log to fill, and run
        # inside a COMMIT on the event loop).
        for _ in range(500):
            if main_file(sqlite_url) != before:
                break
            await asyncio.sleep(0.02)
        assert main_file(sqlite_url) != before
        assert {thread for _, thread in sent} == {threading.get_ident()}


def test_a_unit_left_waiting_for_the_lock_by_an_ended_event_loop_is_undone_in_the_next(
    sqlite_url: str,
) -> None:
    """As the blocking facade runs one event loop after another: the loop ends while a unit's
    BEGIN waits on the worker thread (its end waits for the BEGIN, then rolls it back); the
    next loop's first unit finds the connection clean, and nothing of the first loop's left
    in its way."""

    async def prepare() -> int:
        async with sql_world(sqlite_url) as world:
            await world.quota.assign("ada", "small")
            return await calls_held(world.quota)

    async def abandon(units: SqlUnitOfWork) -> None:
        waiting = asyncio.create_task(reserve(units, "res_abandoned"))
        assert await ticks_while(waiting) == TICKS  # left waiting when this loop ends

    async def next_loop(units: SqlUnitOfWork) -> tuple[object, int]:
        granted = await asyncio.wait_for(reserve(units, "res_next"), 30)
        async with sql_world(sqlite_url, create=False) as world:
            return granted, await calls_held(world.quota)

    before = asyncio.run(prepare())
    units = SqlUnitOfWork(sqlite_url)
    try:
        with write_lock_held(sqlite_url) as holder:
            # Let go while the first loop ends: its cancelled unit waits for its BEGIN.
            releasing = threading.Timer(0.3, lambda: holder.execute("COMMIT"))
            releasing.start()
            asyncio.run(abandon(units))
            releasing.join()
        granted, held = asyncio.run(next_loop(units))
        assert isinstance(granted, Success)
        assert held == before + 1  # res_next's only
        with write_lock_held(sqlite_url):
            pass  # and no transaction of the ended loop's is left holding the lock
    finally:
        asyncio.run(units.aclose())
