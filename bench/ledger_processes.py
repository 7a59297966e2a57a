"""Part 1's row of OS processes: so many spawned processes, each with its own unit of work and
asyncio tasks, started together; their rates added up."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import queue
import uuid
from collections.abc import Sequence
from typing import Any

from ledger_workers import (
    LockSampler,
    Rate,
    Scenario,
    open_connections,
    postgres_only,
    run_workers,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from imagestudio.adapters.sql.unit_of_work import SqlUnitOfWork


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
    async with LockSampler(postgres_only(engine)) as sampler:
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
