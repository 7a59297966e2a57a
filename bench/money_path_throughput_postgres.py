"""Figure 4: reserve + commit per second on PostgreSQL, 1,000 users over 8 processes that start
each phase together, through the store and through raw psycopg replaying its statements."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import multiprocessing
import queue
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
from money_path_replay import Recording, record, replay_postgres, reserve_and_commit
from money_path_studio import NO_RATE, open_studio
from money_path_throughput import Phase, Throughput, phase_order, rates, timed

from imagestudio.entrypoints.api import ImageStudio

USERS = tuple(f"bench-u{index:04d}" for index in range(1_000))
PROCESSES = 8


def prepare_postgres(url: str, data_dir: str) -> Recording:
    """In a child process: the users on the plan, and the recording of one user's operation."""
    return asyncio.run(_prepare_postgres(url, Path(data_dir)))


async def _prepare_postgres(url: str, data_dir: Path) -> Recording:
    studio = await open_studio(NO_RATE, USERS, profile="local", database_url=url, data_dir=data_dir)
    try:
        store = studio.container.unit_of_work()
        for index in range(3):
            await reserve_and_commit(store, f"warm-{uuid.uuid4().hex}-{index}", USERS[0])
        return await record(store, USERS[0])
    finally:
        await studio.aclose()


def _worker(
    url: str,
    data_dir: str,
    users: tuple[str, ...],
    recording: Recording,
    phases: list[tuple[str, float]],
    barrier: Any,
    results: Any,
) -> None:
    async def run() -> list[Phase]:
        studio = await ImageStudio.connect(profile="local", database_url=url, data_dir=data_dir)
        raw = psycopg.connect(url, autocommit=True)
        prefix = uuid.uuid4().hex[:12]
        loop = asyncio.get_running_loop()
        thread = ThreadPoolExecutor(1, thread_name_prefix="raw-psycopg")
        try:
            store = studio.container.unit_of_work()
            for index, user in enumerate(users):  # every user's counters exist before timing
                replay_postgres(raw, recording, f"warm-{prefix}-{index}", user)
            for index in range(5):
                await reserve_and_commit(store, f"warm-s-{prefix}-{index}", users[index])

            async def through_store(index: int) -> None:
                user = users[index % len(users)]
                await reserve_and_commit(store, f"{prefix}-{index}", user)

            # From a thread of its own, as the store's SQL runs (postgres_database.py): on
            # this machine psycopg on a process's main thread often took twice the wall time
            # for the same CPU, which would flatter the store.
            async def replayed(index: int) -> None:
                user = users[index % len(users)]
                await loop.run_in_executor(
                    thread, replay_postgres, raw, recording, f"{prefix}-{index}", user
                )

            ids = itertools.count()
            measured = []
            for kind, seconds in phases:
                barrier.wait(120)  # every process starts the phase together
                operation = through_store if kind == "store" else replayed
                measured.append((kind, *await timed(seconds, operation, ids)))
            return measured
        finally:
            thread.shutdown()
            raw.close()
            await studio.aclose()

    results.put(asyncio.run(run()))


def postgres_throughput(url: str, recording: Recording, rounds: int, seconds: float) -> Throughput:
    # Forked where the system can (this process holds no connection, thread or loop then):
    # 8 fresh interpreters importing imagestudio would take longer than the measurement.
    forking = "fork" in multiprocessing.get_all_start_methods()
    context = (
        multiprocessing.get_context("fork") if forking else multiprocessing.get_context("spawn")
    )
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    phases = [(kind, seconds) for kind in phase_order(rounds)]
    children = []
    with tempfile.TemporaryDirectory(prefix="imagestudio-bench-") as folder:
        for index in range(PROCESSES):
            mine = USERS[index::PROCESSES]
            child = context.Process(
                target=_worker, args=(url, folder, mine, recording, phases, barrier, results)
            )
            child.start()
            children.append(child)
        try:
            measured = [_next_result(results, children) for _ in children]
        finally:
            for child in children:
                child.join(30)
    return Throughput(recording, *rates(measured), processes=PROCESSES, users=len(USERS))


def _next_result(results: Any, children: list[Any]) -> list[Phase]:
    """The next child's figures; fails fast when a child died instead."""
    while True:
        with contextlib.suppress(queue.Empty):
            found: list[Phase] = results.get(True, 1)
            return found
        if any(child.exitcode not in (None, 0) for child in children):
            raise RuntimeError("a benchmark worker process failed (its traceback is above)")
