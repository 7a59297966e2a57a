"""One unit of work's way to its PostgreSQL connection (postgres_database.py says why and how):
its flushes handed to a worker thread, the connection taken at the first and given back at the
commit or, after any flush still running, at a rollback shielded from cancellation."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from contextlib import suppress
from typing import Any, Protocol, TypeVar

from sqlalchemy.engine import Connection

from imagestudio.adapters.sql.kept_connections import KeptConnections
from imagestudio.adapters.sql.transaction import Transaction

T = TypeVar("T")


class LinkedDatabase(Protocol):
    """What a link needs of its database: the gate, the threads, the kept connections."""

    @property
    def kept(self) -> KeptConnections: ...

    async def enter(self) -> None: ...

    def leave(self) -> None: ...

    def threads(self) -> concurrent.futures.ThreadPoolExecutor: ...


class PostgresLink:
    """One unit's way to its connection: taken at the first flush, given back at the end."""

    def __init__(self, database: LinkedDatabase) -> None:
        self._database = database
        self._entered = False
        self._connection: Connection | None = None
        self._running: concurrent.futures.Future[None] | None = None
        self._busy = False  # a flush is on a thread: set here, cleared there, before it answers

    async def run(self, work: Callable[[Connection], T]) -> T:
        if not self._entered:
            await self._database.enter()
            self._entered = True
        # The thread answers on the loop itself (one call_soon_threadsafe), not through a
        # concurrent future chained to an asyncio one: a third of the loop's CPU per flush.
        # Cancelling the wait cancels only the answer; `end` waits for the thread's work.
        answer: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._busy = True
        self._running = self._database.threads().submit(self._call, work, answer)
        return await answer

    def begin(self, connection: Connection) -> None:
        pass  # psycopg begins a transaction before the first statement by itself

    def commit(self, connection: Connection) -> None:
        connection.commit()
        # In the same hand-off: committed, the connection is clean, free for the next unit.
        self._connection = None
        self._database.kept.give_back(connection)

    async def rollback(self) -> None:
        pass  # `end` rolls back, after any flush still running

    async def end(self, transaction: Transaction) -> None:
        """End the unit: what was sent and not committed is rolled back, the connection goes
        back to the pool (or is dropped), the gate's place is freed. Shielded: a cancelled
        unit still ends its transaction before its connection serves anyone else."""
        await transaction.rollback()
        if not self._entered:
            return
        if self._connection is None and not self._busy:
            # Committed (the connection went back with the commit) and nothing running: only
            # the place to give back, at once; no await, so no cancellation comes in between.
            self._entered = False
            self._database.leave()
            return
        await asyncio.shield(self._end())

    async def _end(self) -> None:
        try:
            running = self._running
            if running is not None and not running.done():
                with suppress(BaseException):  # its failure is the unit's, reported already
                    await asyncio.wrap_future(running)
            if self._connection is not None:
                await asyncio.wrap_future(self._database.threads().submit(self._roll_back))
        finally:
            self._entered = False
            self._database.leave()

    def _call(self, work: Callable[[Connection], T], answer: asyncio.Future[T]) -> None:
        loop = answer.get_loop()
        try:
            if self._connection is None:
                self._connection = self._database.kept.take()
            value = work(self._connection)
        except BaseException as error:  # the unit raises it, on its own loop
            self._busy = False
            loop.call_soon_threadsafe(_fail, answer, error)
            return
        self._busy = False
        loop.call_soon_threadsafe(_succeed, answer, value)

    def _roll_back(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.rollback()
        except Exception:
            connection.invalidate()  # in an unknown state: never back into the pool
            connection.close()
            return
        self._database.kept.give_back(connection)


def _succeed(answer: asyncio.Future[T], value: T) -> None:
    if not answer.done():  # not cancelled meanwhile
        answer.set_result(value)


def _fail(answer: asyncio.Future[Any], error: BaseException) -> None:
    if not answer.done():
        answer.set_exception(error)
