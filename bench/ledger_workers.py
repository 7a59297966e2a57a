"""Part 1's workers in one process: a scenario (which users, which providers), asyncio tasks
reserving → committing through one unit of work until time is up, the rate they reach, and a
sampler counting the PostgreSQL sessions waiting on a lock meanwhile."""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
import uuid
from dataclasses import dataclass

from bench_support import percentile
from ledger_plan import HOT, reservation_request, reserve_and_commit
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from imagestudio.adapters.sql.postgres_database import PostgresDatabase
from imagestudio.adapters.sql.unit_of_work import SqlUnitOfWork


@dataclass(frozen=True)
class Scenario:
    label: str
    users: tuple[str, ...]
    providers: tuple[str, ...]  # dealt out round-robin; several budgeted ones = stripes


@dataclass(frozen=True)
class Rate:
    per_second: float
    latencies: list[float]  # seconds per reserve → commit
    lock_waiters: float | None  # mean PostgreSQL sessions waiting on a lock

    def cell(self) -> str:
        if not self.latencies:  # a short (--smoke) phase where no worker finished one
            return f"{self.per_second:,.0f}/s (none finished)"
        p50, p99 = percentile(self.latencies, 50), percentile(self.latencies, 99)
        return f"{self.per_second:,.0f}/s ({p50 * 1000:.1f} / {p99 * 1000:.0f} ms)"


async def open_connections(units: SqlUnitOfWork, count: int) -> None:
    """Fill the pool first, so no timed operation pays for connecting (SQLite's unit of work
    has one connection)."""
    database = units.database
    pool = database.engine.pool if isinstance(database, PostgresDatabase) else None
    count = 1 if pool is None else min(count, pool.size())  # type: ignore[attr-defined]

    async def one() -> None:
        async with units.begin() as unit:  # left without commit: nothing is kept
            await unit.quota.adjust_spend(HOT, "warm-up", 0)  # a read: takes a connection
            await asyncio.sleep(0.05)

    await asyncio.gather(*(one() for _ in range(count)))


async def run_workers(
    units: SqlUnitOfWork, scenario: Scenario, workers: int, seconds: float, prefix: str
) -> tuple[int, float, list[float]]:
    """`workers` tasks reserve → commit until time is up; 1,000 users are dealt out to them."""
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    done = 0

    async def worker(index: int) -> None:
        nonlocal done
        mine = scenario.users[index::workers] or scenario.users
        count = 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            reservation = f"{prefix}-{index}-{count}"
            providers = scenario.providers
            request = reservation_request(
                mine[count % len(mine)], providers[(index + count) % len(providers)]
            )
            await reserve_and_commit(units, reservation, request)
            latencies.append(time.perf_counter() - started)
            count += 1
        done += count

    started = time.perf_counter()
    await asyncio.gather(*(worker(index) for index in range(workers)))
    return done, time.perf_counter() - started, latencies


class LockSampler:
    """Counts PostgreSQL sessions waiting on a lock (a row lock here), every 20 ms."""

    def __init__(self, engine: AsyncEngine | None) -> None:
        self._engine = engine
        self._samples: list[int] = []
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> LockSampler:
        if self._engine is not None:
            self._task = asyncio.create_task(self._sample(self._engine))
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _sample(self, engine: AsyncEngine) -> None:
        query = text(
            "select count(*) from pg_stat_activity "
            "where wait_event_type = 'Lock' and datname = current_database()"
        )
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            while True:
                self._samples.append(int(await connection.scalar(query) or 0))
                await asyncio.sleep(0.02)

    @property
    def mean(self) -> float | None:
        if self._engine is None or not self._samples:
            return None
        return statistics.fmean(self._samples)


def postgres_only(engine: AsyncEngine) -> AsyncEngine | None:
    return engine if engine.dialect.name == "postgresql" else None


async def measure_tasks(
    engine: AsyncEngine, units: SqlUnitOfWork, scenario: Scenario, workers: int, seconds: float
) -> Rate:
    await open_connections(units, workers)
    async with LockSampler(postgres_only(engine)) as sampler:
        done, elapsed, latencies = await run_workers(
            units, scenario, workers, seconds, uuid.uuid4().hex[:8]
        )
    return Rate(done / elapsed, latencies, sampler.mean)
