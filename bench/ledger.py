"""Benchmark: the SQL quota and ledger on SQLite and PostgreSQL (issue 3), written through the
unit of work (`SqlUnitOfWork`), as the money path writes them.

    .venv/bin/python bench/ledger.py [--quick | --smoke]

Prints markdown tables (no timing thresholds: this is for people to read, not a test); about
4 minutes on 2 cores, `--quick` under one (shorter cells, 100k rows, no SQLite process row),
`--smoke` seconds (every table at a toy size, to show it runs).

1. reserve → commit per second (a unit that reserves, then one that commits, as the money
   path's accept and settle do: each a real transaction) for 1, 8 and 64 concurrent workers
   (asyncio tasks sharing one unit of work, and 64 as 2 OS processes × 32 tasks), with one hot
   user and with 1,000 users spread over the workers, with and without an operator budget on
   the provider. With a budget every reservation and commit also touches the provider's shared
   budget rows; comparing the columns shows whether they serialise users. "8 budget rows" deals
   the users out over 8 budgeted providers. On PostgreSQL a sampler counts the sessions waiting
   on a lock. On SQLite a unit of work is one connection, so one process's tasks take turns on
   it; only the 2 processes' connections contend (napping in SQLite's busy handler).
2. The cost of one operation (a reserving unit, a unit that commits and appends the ledger
   line, reading usage) at 1k and 1M ledger rows (100k with `--quick`), and with counter rows
   of past periods, each case in its own database, timed in alternating blocks so that drift in
   the machine's speed cancels out.

SQLite is a temp file in WAL mode (as the `local` profile sets it up); PostgreSQL is a throwaway
server from Debian's binaries (tests/support/postgres_server.py), which runs with fsync and
synchronous_commit off: commits there cost no disk flush, unlike a production server.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import queue
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench_support import (
    chosen_mode,
    load,
    mode_label,
    percentile,
    print_machine_facts,
    progress,
    start_postgres,
)
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from imagestudio.adapters.sql import schema
from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.engine import create_engine
from imagestudio.adapters.sql.postgres_database import PostgresDatabase
from imagestudio.adapters.sql.quota_store import SqlQuotaStore
from imagestudio.adapters.sql.unit_of_work import SqlUnitOfWork
from imagestudio.adapters.system.clock import SystemClock
from imagestudio.application.use_cases.usage import ReadUsage
from imagestudio.domain.billing_period import period_containing
from imagestudio.domain.limit import Limit
from imagestudio.domain.operation_kind import OperationKind, QuotaCategory
from imagestudio.domain.plan import OperatorBudget, Plan
from imagestudio.domain.quota import ReservationRequest, Settlement
from imagestudio.domain.usage_record import Outcome, UsageRecord

PLAN = Plan(
    name="bench",
    calls={category: Limit.of(10**12) for category in QuotaCategory},
    spend_cap=Limit.of(10**15),
    concurrent_operations=Limit.of(10**6),
    # A finite rate makes every reservation read the user's grants of the last minute: at most
    # 120 rows on the reference plans, but tens of thousands for a hot user at benchmark rates.
)
BUDGETED = "wavespeed"  # has an operator budget: every reservation locks its counter row
UNBUDGETED = "stability"  # no budget row: a reservation touches only its user's rows
STRIPES = tuple(f"{BUDGETED}-{index}" for index in range(8))  # 8 budget rows: striping's effect
BUDGETS = [OperatorBudget(provider=p, monthly=Limit.of(10**15)) for p in (BUDGETED, *STRIPES)]
PRICE = 30_000  # $0.03, in micro-dollars
SETTLEMENT = Settlement(outputs=1, amount=PRICE)
USERS = [f"u{index:04d}" for index in range(1_000)]
HOT = "hot"
WORKERS = (1, 8, 64)
PROCESSES = 2


@dataclass(frozen=True)
class Settings:
    seconds: float  # per cell of the throughput table
    ledger_sizes: tuple[int, int]
    operations: int  # timed per ledger size
    fill_deadline: float  # seconds a SQLite fill may take before it stops where it got
    past_counters: int  # counter rows of past periods in the third growth case
    processes: bool  # run the OS-process row
    contended_sqlite: bool  # run SQLite's process row (its 2 connections nap: seconds per cell)


FULL = Settings(
    seconds=3.0,
    ledger_sizes=(1_000, 1_000_000),
    operations=300,
    fill_deadline=60,
    past_counters=240_000,
    processes=True,
    contended_sqlite=True,
)
QUICK = Settings(
    seconds=0.6,
    ledger_sizes=(1_000, 100_000),
    operations=75,
    fill_deadline=20,
    past_counters=24_000,
    processes=True,
    contended_sqlite=False,
)
SMOKE = Settings(
    seconds=0.05,
    ledger_sizes=(100, 1_000),
    operations=25,
    fill_deadline=5,
    past_counters=100,
    processes=False,  # 2 processes started per cell: most of a smoke run's time
    contended_sqlite=False,
)


@dataclass(frozen=True)
class Scenario:
    label: str
    users: tuple[str, ...]
    providers: tuple[str, ...]  # dealt out round-robin; several budgeted ones = stripes


SCENARIOS = (
    Scenario("hot user, budget", (HOT,), (BUDGETED,)),
    Scenario("hot user, no budget", (HOT,), (UNBUDGETED,)),
    Scenario("1,000 users, budget", tuple(USERS), (BUDGETED,)),
    Scenario("1,000 users, no budget", tuple(USERS), (UNBUDGETED,)),
    Scenario("1,000 users, 8 budget rows", tuple(USERS), STRIPES),
)


@dataclass(frozen=True)
class Rate:
    per_second: float
    latencies: list[float]  # seconds per reserve → commit
    lock_waiters: float | None  # mean PostgreSQL sessions waiting on a lock

    def cell(self) -> str:
        p50, p99 = percentile(self.latencies, 50), percentile(self.latencies, 99)
        return f"{self.per_second:,.0f}/s ({p50 * 1000:.1f} / {p99 * 1000:.0f} ms)"


# -- part 1: reservations + commits per second ------------------------------------------------


def _request(user: str, provider: str) -> ReservationRequest:
    return ReservationRequest(
        user_id=user,
        category=QuotaCategory.IMAGE_GENERATION,
        outputs=1,
        amount=PRICE,
        provider=provider,
        at=datetime.now(UTC),
    )


async def reserve_and_commit(
    units: SqlUnitOfWork, reservation: str, request: ReservationRequest
) -> None:
    """A unit that reserves, then one that commits, as the money path's accept and settle do."""
    async with units.begin() as unit:
        (await unit.quota.reserve(reservation, request)).unwrap()
        await unit.commit()
    async with units.begin() as unit:
        await unit.quota.commit(reservation, SETTLEMENT)
        await unit.commit()


async def prepare(engine: AsyncEngine) -> SqlQuotaStore:
    await schema.upgrade(engine)
    store = SqlQuotaStore(engine, SystemClock())
    await store.define_plan(PLAN)
    for budget in BUDGETS:
        await store.set_budget(budget)
    async with engine.begin() as connection:
        at = datetime.now(UTC)
        await connection.execute(
            insert(t.users),
            [{"id": user, "plan_name": PLAN.name, "created_at": at} for user in [HOT, *USERS]],
        )
    return store


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
            request = _request(mine[count % len(mine)], providers[(index + count) % len(providers)])
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


async def measure_tasks(
    engine: AsyncEngine, units: SqlUnitOfWork, scenario: Scenario, workers: int, seconds: float
) -> Rate:
    await open_connections(units, workers)
    async with LockSampler(_postgres_only(engine)) as sampler:
        done, elapsed, latencies = await run_workers(
            units, scenario, workers, seconds, uuid.uuid4().hex[:8]
        )
    return Rate(done / elapsed, latencies, sampler.mean)


def _process_worker(
    url: str, scenario: Scenario, tasks: int, seconds: float, barrier: Any, results: Any
) -> None:
    async def run() -> tuple[int, float, list[float]]:
        units = SqlUnitOfWork(url, pool_size=tasks, max_overflow=4)
        await open_connections(units, tasks)
        barrier.wait()
        try:
            return await run_workers(units, scenario, tasks, seconds, uuid.uuid4().hex[:8])
        finally:
            await units.aclose()

    results.put(asyncio.run(run()))


async def measure_processes(
    engine: AsyncEngine, url: str, scenario: Scenario, processes: int, tasks: int, seconds: float
) -> Rate:
    """`processes` OS processes with `tasks` tasks each; 1,000 users dealt out per process."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes + 1)
    results = context.Queue()
    children = []
    for index in range(processes):
        mine = scenario.users[index::processes] or scenario.users
        share = Scenario(scenario.label, mine, scenario.providers)
        child = context.Process(
            target=_process_worker, args=(url, share, tasks, seconds, barrier, results)
        )
        child.start()
        children.append(child)
    await asyncio.to_thread(barrier.wait, 120)
    async with LockSampler(_postgres_only(engine)) as sampler:
        outcomes = [await _result_of(results, children) for _ in children]
    for child in children:
        child.join(30)
    latencies = [latency for _, _, some in outcomes for latency in some]
    return Rate(sum(done / elapsed for done, elapsed, _ in outcomes), latencies, sampler.mean)


async def _result_of(results: Any, children: Sequence[Any]) -> tuple[int, float, list[float]]:
    """The next child's result; fails fast when a child died instead."""
    while True:
        with contextlib.suppress(queue.Empty):
            found: tuple[int, float, list[float]] = await asyncio.to_thread(results.get, True, 1)
            return found
        if any(child.exitcode not in (None, 0) for child in children):
            raise RuntimeError("a benchmark worker process failed (its traceback is above)")


def _postgres_only(engine: AsyncEngine) -> AsyncEngine | None:
    return engine if engine.dialect.name == "postgresql" else None


async def throughput(name: str, url: str, settings: Settings) -> None:
    engine = create_engine(url)  # the plans and users, and the lock sampler
    await prepare(engine)
    units = SqlUnitOfWork(url, pool_size=max(WORKERS), max_overflow=8)
    sqlite = engine.dialect.name == "sqlite"
    # On SQLite one writer holds the database at a time and the other process's connection
    # naps in its busy handler (1 to 100 ms a nap): that drains slowly (seconds per cell), so
    # the process row runs two columns only; the budget row cannot matter there anyway.
    contended = (0, 3) if sqlite else range(len(SCENARIOS))
    rows: list[tuple[str, list[Rate | None]]] = []

    async def row(label: str, measure: Callable[[Scenario], Awaitable[Rate]], only: Any) -> None:
        rows.append(
            (label, [await measure(s) if i in only else None for i, s in enumerate(SCENARIOS)])
        )
        progress(f"{name}: {label}")

    everything = range(len(SCENARIOS))
    for workers in WORKERS:

        async def tasks_of(scenario: Scenario, workers: int = workers) -> Rate:
            return await measure_tasks(engine, units, scenario, workers, settings.seconds)

        await row(f"{workers}", tasks_of, everything)
    if settings.processes and (settings.contended_sqlite or not sqlite):
        tasks = max(WORKERS) // PROCESSES

        async def processes(scenario: Scenario) -> Rate:
            return await measure_processes(
                engine, url, scenario, PROCESSES, tasks, settings.seconds
            )

        await row(f"{max(WORKERS)} = {PROCESSES} processes × {tasks}", processes, contended)
    await units.aclose()
    await engine.dispose()

    print(f"\n### reserve → commit per second, {name}\n")
    print("Each cell: rate (median / p99 latency of one reserve → commit); - not run.\n")
    _table(rows, lambda rate: rate.cell())
    if not sqlite:
        print(f"\nMean sessions waiting on a row lock (sampled every 20 ms), {name}:\n")
        _table(rows, lambda rate: f"{rate.lock_waiters or 0:.1f}")
    sys.stdout.flush()


def _table(rows: Sequence[tuple[str, Sequence[Rate | None]]], show: Callable[[Rate], str]) -> None:
    print("| workers | " + " | ".join(scenario.label for scenario in SCENARIOS) + " |")
    print("|---" * (len(SCENARIOS) + 1) + "|")
    for label, rates in rows:
        cells = ("-" if rate is None else show(rate) for rate in rates)
        print(f"| {label} | " + " | ".join(cells) + " |")


# -- part 2: the cost of one operation as the ledger (and the counters) grow -----------------

BLOCK = 25  # operations timed on one database before moving to the next (drift cancels out)
CATEGORIES = [f"calls:{category.value}" for category in QuotaCategory] + ["spend"]


@dataclass(frozen=True)
class Case:
    ledger_rows: int
    past_counters: int  # counter rows of past periods: 1,000 users × 8 dimensions × months


@dataclass(frozen=True)
class Cost:
    case: Case
    fill_seconds: float
    operations: list[float]  # seconds: reserving unit + settling unit (ledger line) + read usage
    reads: list[float]  # seconds of reading usage alone (the counters)
    sums: list[float]  # seconds of summing the user's ledger lines (what usage does not do)


def _ledger_rows(start: int, stop: int, period: str) -> Iterator[tuple[Any, ...]]:
    at = "2026-01-01 00:00:00.000000"
    for index in range(start, stop):
        yield (
            f"bulk-{index}",
            USERS[index % len(USERS)],
            "bench/model",
            BUDGETED,
            OperationKind.TEXT_TO_IMAGE.value,
            1,
            PRICE,
            PRICE,
            Outcome.SUCCEEDED.value,
            1_000,
            100,
            period,
            at,
            at,
            "",
        )


def _past_counters(count: int) -> Iterator[tuple[Any, ...]]:
    for index in range(count):
        dimension, month = divmod(index // len(USERS), len(CATEGORIES))[::-1]
        period = f"{2000 + month // 12}-{month % 12 + 1:02d}-01"
        yield ("user", USERS[index % len(USERS)], CATEGORIES[dimension], period, 1, 0)


_LEDGER_COLUMNS = (
    "operation_id, user_id, model_id, provider, kind, outputs, user_charge, provider_cost, "
    "outcome, output_bytes, latency_ms, billing_period, started_at, finished_at, reason"
)


def fill_sqlite(path: str, case: Case, period: str, deadline: float) -> Case:
    """One transaction of batched executemany; stops after `deadline` seconds where it got."""
    began = time.perf_counter()
    connection = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        connection.execute("BEGIN IMMEDIATE")
        reached, batch = 0, 50_000
        for low in range(0, case.ledger_rows, batch):
            reached = min(case.ledger_rows, low + batch)
            connection.executemany(
                f"INSERT INTO ledger ({_LEDGER_COLUMNS}) VALUES ({', '.join('?' * 15)})",
                _ledger_rows(low, reached, period),
            )
            if time.perf_counter() - began > deadline:
                break
        connection.executemany(
            "INSERT INTO quota_counters (scope, owner, name, period, used, held) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            _past_counters(case.past_counters),
        )
        connection.execute("COMMIT")
        connection.execute("ANALYZE")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    return Case(reached, case.past_counters)


async def fill_postgres(engine: AsyncEngine, case: Case, period: str) -> Case:
    """INSERT … SELECT from generate_series, then ANALYZE."""
    async with engine.begin() as connection:
        await connection.execute(
            text(
                f"INSERT INTO ledger ({_LEDGER_COLUMNS}) "
                "SELECT 'bulk-' || i, 'u' || lpad((i % :users)::text, 4, '0'), 'bench/model', "
                ":provider, 'text-to-image', 1, :price, :price, 'succeeded', 1000, 100, :period, "
                "timestamptz '2026-01-01 00:00:00+00', timestamptz '2026-01-01 00:00:00+00', '' "
                "FROM generate_series(0, :rows - 1) AS i"
            ),
            {
                "users": len(USERS),
                "provider": BUDGETED,
                "price": PRICE,
                "period": period,
                "rows": case.ledger_rows,
            },
        )
        await connection.execute(
            text(
                "INSERT INTO quota_counters (scope, owner, name, period, used, held) "
                "SELECT 'user', 'u' || lpad((i % :users)::text, 4, '0'), "
                "(CAST(:names AS text[]))[(i / :users) % :dimensions + 1], "
                "to_char(date '2000-01-01' + (i / :users / :dimensions) * interval '1 month', "
                "'YYYY-MM-DD'), 1, 0 FROM generate_series(0, :rows - 1) AS i"
            ),
            {
                "users": len(USERS),
                "names": CATEGORIES,
                "dimensions": len(CATEGORIES),
                "rows": case.past_counters,
            },
        )
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("ANALYZE"))
    return case


async def time_operations(
    engine: AsyncEngine, store: SqlQuotaStore, units: SqlUnitOfWork, count: int
) -> tuple[list[float], list[float], list[float]]:
    usage = ReadUsage(store, SystemClock())
    user = USERS[0]  # owns 1/1,000 of the bulk ledger lines, and its share of past counters
    operations, reads, sums = [], [], []
    summing = text(
        "select coalesce(sum(user_charge), 0) from ledger "
        "where user_id = :u and billing_period = :p"
    )
    for _ in range(count):
        started = time.perf_counter()
        reservation = f"op-{uuid.uuid4().hex}"
        request = _request(user, BUDGETED)
        period = period_containing(request.at).key
        async with units.begin() as unit:
            (await unit.quota.reserve(reservation, request)).unwrap()
            await unit.commit()
        async with units.begin() as unit:
            await unit.quota.commit(reservation, SETTLEMENT)
            await unit.ledger.append(
                UsageRecord(
                    user_id=user,
                    operation_id=reservation,
                    model_id="bench/model",
                    provider=BUDGETED,
                    kind=OperationKind.TEXT_TO_IMAGE,
                    outputs=1,
                    user_charge=PRICE,
                    provider_cost=PRICE,
                    outcome=Outcome.SUCCEEDED,
                    output_bytes=1_000,
                    latency_ms=100,
                    billing_period=period,
                    started_at=request.at,
                    finished_at=datetime.now(UTC),
                )
            )
            await unit.commit()
        read_at = time.perf_counter()
        report = (await usage.execute(user)).unwrap()
        finished = time.perf_counter()
        assert report.rows[0].used > 0
        async with engine.connect() as connection:
            await connection.scalar(summing, {"u": user, "p": period})
        operations.append(finished - started)
        reads.append(finished - read_at)
        sums.append(time.perf_counter() - finished)
    return operations, reads, sums


Filler = Callable[[str, AsyncEngine, Case, str], Awaitable[Case]]


async def growth(name: str, urls: Sequence[str], fill: Filler, settings: Settings) -> list[Cost]:
    """One database per case, filled first, then timed in alternating blocks."""
    small, large = settings.ledger_sizes
    cases = [Case(small, 0), Case(large, 0), Case(small, settings.past_counters)]
    period = period_containing(datetime.now(UTC)).key
    prepared = []
    for case, url in zip(cases, urls, strict=True):
        engine = create_engine(url)
        store = await prepare(engine)
        units = SqlUnitOfWork(url)
        began = time.perf_counter()
        filled = await fill(url, engine, case, period)
        seconds = time.perf_counter() - began
        progress(
            f"{name}: {filled.ledger_rows:,} ledger rows + {filled.past_counters:,} past counter "
            f"rows, filled in {seconds:.1f} s"
        )
        await time_operations(engine, store, units, 20)  # warm up
        prepared.append((engine, store, units, Cost(filled, seconds, [], [], [])))
    for _ in range(max(1, settings.operations // BLOCK)):
        for engine, store, units, cost in prepared:
            operations, reads, sums = await time_operations(engine, store, units, BLOCK)
            cost.operations.extend(operations)
            cost.reads.extend(reads)
            cost.sums.extend(sums)
    for engine, _, units, _ in prepared:
        await units.aclose()
        await engine.dispose()
    progress(f"{name}: operations timed")
    return [cost for _, _, _, cost in prepared]


def print_growth(results: Sequence[tuple[str, list[Cost]]]) -> None:
    print("\n### one operation as the ledger grows\n")
    print(
        "Median ms over operations by one user who owns 1/1,000 of the lines, the databases "
        "timed in alternating blocks of 25. An operation is a reserving unit, a unit that "
        "commits and appends the ledger line, and reading usage. The last row adds counter rows "
        "of past periods (1,000 users × 8 dimensions × months) to the small ledger. Summing "
        "the user's ledger lines for the period is what reading usage does not do (for "
        "contrast).\n"
    )
    print(
        "| database | ledger rows | past counter rows | filled in | operation, ms | vs first row "
        "| reading usage, ms | (summing the ledger, ms) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, costs in results:
        base = statistics.median(costs[0].operations)
        for cost in costs:
            operation = statistics.median(cost.operations)
            print(
                f"| {name} | {cost.case.ledger_rows:,} | {cost.case.past_counters:,} "
                f"| {cost.fill_seconds:.1f} s | {operation * 1000:.2f} "
                f"| **{operation / base:.2f}×** | {statistics.median(cost.reads) * 1000:.2f} "
                f"| {statistics.median(cost.sums) * 1000:.2f} |"
            )
    sys.stdout.flush()


# -- the run ----------------------------------------------------------------------------------


async def postgres_version(url: str) -> str:
    engine = create_engine(url)
    async with engine.connect() as connection:
        found = str(await connection.scalar(text("show server_version")))
    await engine.dispose()
    return found


async def main(settings: Settings, mode: str) -> None:
    began = time.perf_counter()
    server = start_postgres()
    with tempfile.TemporaryDirectory(prefix="imagestudio-bench-") as folder:
        try:
            pg_version = await postgres_version(server.url) if server else "not available"
            print(f"## SQL quota and ledger benchmark (unit of work){mode_label(mode)}\n")
            print_machine_facts(pg_version)
            print(
                f"- {settings.seconds:g} s per throughput cell; plan limits finite but never "
                f"reached; budget = an operator budget on the provider ({BUDGETED})"
            )
            sys.stdout.flush()

            sqlite_path = Path(folder) / "throughput.db"
            await throughput("SQLite", f"sqlite:///{sqlite_path}", settings)
            if server:
                await throughput("PostgreSQL", server.create_database("throughput"), settings)

            results = []

            async def sqlite_fill(url: str, _: AsyncEngine, case: Case, period: str) -> Case:
                path = url.removeprefix("sqlite:///")
                return await asyncio.to_thread(
                    fill_sqlite, path, case, period, settings.fill_deadline
                )

            urls = [f"sqlite:///{folder}/growth{index}.db" for index in range(3)]
            results.append(("SQLite", await growth("SQLite", urls, sqlite_fill, settings)))
            if server:

                async def postgres_fill(_: str, engine: AsyncEngine, case: Case, at: str) -> Case:
                    return await fill_postgres(engine, case, at)

                urls = [server.create_database(f"growth{index}") for index in range(3)]
                results.append(
                    ("PostgreSQL", await growth("PostgreSQL", urls, postgres_fill, settings))
                )
            print_growth(results)
        finally:
            if server:
                server.stop()
    print(f"\n(run took {time.perf_counter() - began:.0f} s; load average after: {load()})")


if __name__ == "__main__":
    mode = chosen_mode(__doc__.splitlines()[0], "short cells, 1k and 100k rows")
    asyncio.run(main({"full": FULL, "quick": QUICK, "smoke": SMOKE}[mode], mode))
