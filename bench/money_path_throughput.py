"""Figures 3 and 4: reserve + commit per second through the SQL unit of work (the money path's
store: a reserving unit, then a committing one) against the bare
driver replaying the store's own statements (money_path_replay), side by side in one run:
SQLite with one hot user in one process; PostgreSQL with 1,000 users over 8 processes.

Both take turns in timed phases (store, raw, raw, store, …), so drift in the machine's speed
falls on both. Every operation is sequential within its process (one connection each).

What both figures share is here: the phases' order, timing one phase, and the rates over them.
Figure 3 is in money_path_throughput_sqlite.py, figure 4 in money_path_throughput_postgres.py,
their table in money_path_throughput_report.py.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

from money_path_replay import Recording


@dataclass(frozen=True)
class Throughput:
    recording: Recording
    store: float  # reserve + commit per second
    raw: float
    store_cpu: float  # this process's CPU seconds per reserve + commit (the server's not counted)
    raw_cpu: float
    processes: int
    users: int


def phase_order(rounds: int) -> list[str]:
    """store, raw, raw, store, store, raw, …: each goes first as often as second."""
    return [kind for r in range(rounds) for kind in (("store", "raw"), ("raw", "store"))[r % 2]]


Phase = tuple[str, int, float, float]
"""What one timed phase did: its kind, operations, seconds, and the process's CPU seconds."""


async def timed(
    seconds: float, operation: Callable[[int], Awaitable[None]], ids: Iterator[int]
) -> tuple[int, float, float]:
    """Operations one after another for `seconds`, each given a fresh number from `ids`."""
    began, cpu = time.perf_counter(), time.process_time()
    done = 0
    while time.perf_counter() - began < seconds:
        await operation(next(ids))
        done += 1
    return done, time.perf_counter() - began, time.process_time() - cpu


def rates(measured: list[list[Phase]]) -> tuple[float, float, float, float]:
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
