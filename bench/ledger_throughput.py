"""Part 1: reserve → commit per second for 1, 8 and 64 workers (and 64 as 2 processes) in each
scenario, with and without an operator budget, and its tables (the rates; on PostgreSQL the
sessions waiting on a lock)."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from bench_support import progress
from ledger_plan import BUDGETED, HOT, STRIPES, UNBUDGETED, USERS, prepare
from ledger_processes import measure_processes
from ledger_settings import Settings
from ledger_workers import Rate, Scenario, measure_tasks

from imagestudio.adapters.sql.engine import create_engine
from imagestudio.adapters.sql.unit_of_work import SqlUnitOfWork

WORKERS = (1, 8, 64)
PROCESSES = 2

SCENARIOS = (
    Scenario("hot user, budget", (HOT,), (BUDGETED,)),
    Scenario("hot user, no budget", (HOT,), (UNBUDGETED,)),
    Scenario("1,000 users, budget", tuple(USERS), (BUDGETED,)),
    Scenario("1,000 users, no budget", tuple(USERS), (UNBUDGETED,)),
    Scenario("1,000 users, 8 budget rows", tuple(USERS), STRIPES),
)


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
