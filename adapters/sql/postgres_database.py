"""Units of work on PostgreSQL: SQLAlchemy's sync engine on psycopg, its connections used from a
few worker threads, one hand-off per flush.

Why threads, not the async driver: a flush runs several statements, and through the async engine
each of them paid a greenlet switch and an event-loop wake-up per round trip, and each unit an
async pool checkout and return; measured on 2 cores, that made a reserve + commit cost about
twice the CPU of the same SQL on a plain connection. Here a flush is one hand-off to a thread,
where psycopg waits in C; the commit frees the connection for the next unit in the same
hand-off (kept checked out of the pool, up to its size: kept_connections.py).

What keeps it safe:
- a unit takes a connection at its first flush (a unit that sends nothing costs nothing) and
  gives it back when it ends, so a job waiting on its provider holds none;
- units take a place at a gate (one per event loop) before their first flush, as many places
  as the pool has connections: a thread never waits for the pool, so units holding connections
  always get a thread for their next flush, and a unit that waits longer than the pool's
  timeout fails with the pool's `TimeoutError`;
- one unit's work never runs on two threads at once: ending a unit (even a cancelled one)
  first waits for its flush still running in a thread, then rolls back, shielded from the
  cancellation; a connection whose rollback fails is invalidated, never pooled again.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import QueuePool

from imagestudio.adapters.sql.kept_connections import KeptConnections
from imagestudio.adapters.sql.postgres_link import PostgresLink
from imagestudio.adapters.sql.transaction import Transaction

T = TypeVar("T")
UNPOOLED_UNITS = 32
"""Units at once when the pool keeps no count (NullPool: a connection per unit)."""


class PostgresDatabase:
    """Units on PostgreSQL, each on a pooled connection taken at its first flush."""

    def __init__(self, url: str, **options: Any) -> None:
        """`url` as users write it (any driver named in it becomes psycopg); `options` go to
        the engine (`poolclass`, `pool_size`, `max_overflow`, `pool_timeout`)."""
        self.engine: Engine = create_engine(
            make_url(url).set(drivername="postgresql+psycopg"),
            pool_pre_ping=False,
            pool_reset_on_return=None,
            **options,
        )
        pool = self.engine.pool
        places = UNPOOLED_UNITS
        if isinstance(pool, QueuePool) and pool._max_overflow >= 0:
            places = pool.size() + pool._max_overflow
        self._places = places
        self._timeout = float(getattr(pool, "_timeout", 30.0))
        self.kept = KeptConnections(self.engine)
        self._threads: concurrent.futures.ThreadPoolExecutor | None = None
        self._gate: asyncio.Semaphore | None = None
        self._gate_loop: asyncio.AbstractEventLoop | None = None

    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        return _PostgresTurn(PostgresLink(self))

    async def dispose(self) -> None:
        threads, self._threads = self._threads, None
        await asyncio.get_running_loop().run_in_executor(threads, self._dispose)
        if threads is not None:
            threads.shutdown(wait=False)

    def _dispose(self) -> None:
        self.kept.close()
        self.engine.dispose()

    def threads(self) -> concurrent.futures.ThreadPoolExecutor:
        if self._threads is None:
            self._threads = concurrent.futures.ThreadPoolExecutor(
                max_workers=self._places, thread_name_prefix="imagestudio-postgres"
            )
        return self._threads

    async def enter(self) -> None:
        """Take a place at the gate (given back by `leave`)."""
        gate = self._gate_here()
        if not gate.locked():  # a free place: taken at once, no timer to set and cancel
            await gate.acquire()
            return
        try:
            async with asyncio.timeout(self._timeout):
                await gate.acquire()
        except TimeoutError:
            raise PoolTimeout(
                f"no database connection was free within {self._timeout:g} s "
                f"({self._places} units at once)"
            ) from None

    def leave(self) -> None:
        self._gate_here().release()

    def _gate_here(self) -> asyncio.Semaphore:
        # An asyncio semaphore belongs to one event loop; a facade may run one loop after
        # another (each loop's units are over before the next begins).
        loop = asyncio.get_running_loop()
        if self._gate is None or self._gate_loop is not loop:
            self._gate, self._gate_loop = asyncio.Semaphore(self._places), loop
        return self._gate


class _PostgresTurn:
    """One transaction, ended on the way out (a class, not a generator-based context manager:
    the money path begins three or four per operation)."""

    __slots__ = ("_link", "_transaction")

    def __init__(self, link: PostgresLink) -> None:
        self._link = link
        self._transaction = Transaction(link)

    async def __aenter__(self) -> Transaction:
        return self._transaction

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self._link.end(self._transaction)
