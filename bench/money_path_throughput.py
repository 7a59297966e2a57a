"""Figures 3 and 4: reserve + commit per second through the SQL unit of work (the money path's
store: a reserving unit, then a committing one) against the bare
driver replaying the store's own statements (money_path_replay), side by side in one run:
SQLite with one hot user in one process; PostgreSQL with 1,000 users over 8 processes.

Both take turns in timed phases (store, raw, raw, store, …), so drift in the machine's speed
falls on both. Every operation is sequential within its process (one connection each).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import multiprocessing
import queue
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from money_path_replay import (
    Recording,
    record,
    replay_postgres,
    replay_sqlite,
    reserve_and_commit,
    sqlite_connection,
)
from money_path_studio import NO_RATE, open_studio

from imagestudio.entrypoints.api import ImageStudio

HOT = "bench-hot-user"
USERS = tuple(f"bench-u{index:04d}" for index in range(1_000))
PROCESSES = 8
WARM_UP = 20


@dataclass(frozen=True)
class Throughput:
    recording: Recording
    store: float  # reserve + commit per second
    raw: float
    store_cpu: float  # this process's CPU seconds per reserve + commit (the server's not counted)
    raw_cpu: float
    processes: int
    users: int


def _order(rounds: int) -> list[str]:
    """store, raw, raw, store, store, raw, …: each goes first as often as second."""
    return [kind for r in range(rounds) for kind in (("store", "raw"), ("raw", "store"))[r % 2]]


Phase = tuple[str, int, float, float]
"""What one timed phase did: its kind, operations, seconds, and the process's CPU seconds."""


async def _timed(
    seconds: float, operation: Callable[[int], Awaitable[None]], ids: Iterator[int]
) -> tuple[int, float, float]:
    """Operations one after another for `seconds`, each given a fresh number from `ids`."""
    began, cpu = time.perf_counter(), time.process_time()
    done = 0
    while time.perf_counter() - began < seconds:
        await operation(next(ids))
        done += 1
    return done, time.perf_counter() - began, time.process_time() - cpu


# -- SQLite, one hot user, one process --------------------------------------------------------


def sqlite_throughput(rounds: int, seconds: float) -> Throughput:
    """In a child process."""
    return asyncio.run(_sqlite(rounds, seconds))


async def _sqlite(rounds: int, seconds: float) -> Throughput:
    with tempfile.TemporaryDirectory(prefix="imagestudio-bench-") as folder:
        studio = await open_studio(NO_RATE, (HOT,), profile="local", data_dir=Path(folder))
        url = str(studio.container.settings().effective_database_url)
        raw = sqlite_connection(url.removeprefix("sqlite:///"))
        try:
            store = studio.container.unit_of_work()
            prefix = uuid.uuid4().hex[:8]
            for index in range(WARM_UP):
                await reserve_and_commit(store, f"warm-{prefix}-{index}", HOT)
            recording = await record(store, HOT)

            async def through_store(index: int) -> None:
                await reserve_and_commit(store, f"{prefix}-{index}", HOT)

            async def replayed(index: int) -> None:
                replay_sqlite(raw, recording, f"{prefix}-{index}")

            ids = itertools.count()
            for _ in range(WARM_UP):
                await replayed(next(ids))
            measured = []
            for kind in _order(rounds):
                operation = through_store if kind == "store" else replayed
                measured.append((kind, *await _timed(seconds, operation, ids)))
        finally:
            raw.close()
            await studio.aclose()
    return Throughput(recording, *_rates([measured]), processes=1, users=1)


def _rates(measured: list[list[Phase]]) -> tuple[float, float, float, float]:
    """Store and raw operations a second over phases that ran in every process at once (each
    phase's operations over its longest duration), then their CPU seconds per operation."""
    totals = {"store": [0.0, 0.0, 0.0], "raw": [0.0, 0.0, 0.0]}
    for phase in zip(*measured, strict=True):
        kind = phase[0][0]
        totals[kind][0] += sum(done for _, done, _, _ in phase)
        totals[kind][1] += max(elapsed for _, _, elapsed, _ in phase)
        totals[kind][2] += sum(cpu for _, _, _, cpu in phase)
    (store, store_s, store_cpu), (raw, raw_s, raw_cpu) = totals["store"], totals["raw"]
    return store / store_s, raw / raw_s, store_cpu / store, raw_cpu / raw


# -- PostgreSQL, 1,000 users, 8 processes ----------------------------------------------------


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
                measured.append((kind, *await _timed(seconds, operation, ids)))
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
    phases = [(kind, seconds) for kind in _order(rounds)]
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
    return Throughput(recording, *_rates(measured), processes=PROCESSES, users=len(USERS))


def _next_result(results: Any, children: list[Any]) -> list[Phase]:
    """The next child's figures; fails fast when a child died instead."""
    while True:
        with contextlib.suppress(queue.Empty):
            found: list[Phase] = results.get(True, 1)
            return found
        if any(child.exitcode not in (None, 0) for child in children):
            raise RuntimeError("a benchmark worker process failed (its traceback is above)")


def print_throughput(sqlite: Throughput | None, postgres: Throughput | None, seconds: str) -> None:
    print("\n### 3–4. Reserve + commit through the unit of work vs the bare driver\n")
    print(
        "The bare driver (raw `sqlite3`, raw psycopg) replays the statements the store sent for "
        "one reserve + commit, recorded in this run, with the same parameters and in the same "
        "transactions (BEGIN … COMMIT as sent; the pool's pre-pings left out); the store and "
        f"the replay take turns in timed phases ({seconds}). The plan's limits are finite but "
        "without a per-minute rate (which would read the user's grants of the last minute). "
        "Each process works sequentially on one connection; on PostgreSQL the replay runs "
        "from a worker thread, as the store's SQL does. The client's CPU per operation "
        "(the measuring processes' own, the database server's not counted) is steadier than "
        "the rates on a loaded machine.\n"
    )
    print(
        "| database | users | processes | statements / transactions per reserve + commit "
        "| store, per s | raw driver, per s | **store ÷ raw** "
        "| client CPU per op, store / raw (ms) | raw ÷ store, CPU |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, figures in (("SQLite", sqlite), ("PostgreSQL", postgres)):
        if figures is None:
            print(f"| {name} | - | - | - | not run | - | - | - | - |")
            continue
        print(
            f"| {name} | {figures.users:,} | {figures.processes} "
            f"| {len(figures.recording.steps)} / {figures.recording.transactions} "
            f"| **{figures.store:,.0f}** "
            f"| {figures.raw:,.0f} | **{figures.store / figures.raw:.1%}** "
            f"| {figures.store_cpu * 1e3:.3f} / {figures.raw_cpu * 1e3:.3f} "
            f"| {figures.raw_cpu / figures.store_cpu:.1%} |"
        )
