"""Measuring one cell: a fresh sandbox process and a fresh (spawned) client process driving
so many operations in flight, with its memory, CPU and requests over the timed run, then a
traced run for the heap's peak."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import multiprocessing
import os
import queue
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

from bench_support import cpu_seconds_of
from providers_clients import Adapter, Bare, Operation
from providers_figures import Cell, Figures, Run
from providers_sandbox import Sandbox

WARM_UP = 1  # operations before anything is measured (lazy imports, first connection)


async def drive(operation: Operation, in_flight: int, total: int, first: int) -> Run:
    """`in_flight` tasks, each starting the next operation when its last one ends."""
    run = Run()
    next_index = first

    async def lane() -> None:
        nonlocal next_index
        while next_index < first + total:
            index = next_index
            next_index += 1
            started = time.perf_counter()
            try:
                why = await operation(index)
            except Exception as error:  # counted and shown, never silently measured
                why = f"{type(error).__name__}: {error}"[:120]
            run.latencies.append(time.perf_counter() - started)
            if why is None:
                run.done += 1
            else:
                run.failures[why] += 1

    began = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(in_flight)))
    run.seconds = time.perf_counter() - began
    return run


def _rss() -> int:
    """Resident bytes now (Linux /proc), else the peak so far."""
    with contextlib.suppress(OSError):
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    return _max_rss()


def _max_rss() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def measure(cell: Cell) -> Figures:
    client: Adapter | Bare
    if cell.path == "adapter":
        client = Adapter(cell.base_url)
        await client.start()
    else:
        client = Bare(cell.base_url)
    try:
        warm = await drive(client.operation, 1, WARM_UP, 0)
        if warm.failed:
            raise RuntimeError(f"{cell.path}: the warm-up failed: {dict(warm.failures)}")
        gc.collect()
        stored_before = client.stored_bytes()
        rss_before, cpu_before, sent_before = _rss(), _own_cpu(), client.counter.sent
        sandbox_before = cpu_seconds_of(cell.sandbox_pid)
        timed = await drive(client.operation, cell.in_flight, cell.total, WARM_UP)
        sandbox_after = cpu_seconds_of(cell.sandbox_pid)
        cpu = _own_cpu() - cpu_before
        growth = max(0, _max_rss() - rss_before)
        sent = client.counter.sent - sent_before
        stored = client.stored_bytes() - stored_before

        gc.collect()
        tracemalloc.start()
        floor = tracemalloc.get_traced_memory()[0]
        traced = await drive(
            client.operation, cell.in_flight, cell.traced_total, WARM_UP + cell.total
        )
        peak = tracemalloc.get_traced_memory()[1] - floor
        tracemalloc.stop()
    finally:
        await client.close()
    sandbox = None
    if sandbox_before is not None and sandbox_after is not None:
        sandbox = sandbox_after - sandbox_before
    return Figures(cell, timed, traced, growth, peak, cpu, sandbox, stored, sent)


def _client_process(path: str, cells: Any, results: Any) -> None:
    if path == "adapter":  # import while the sandbox starts
        import imagestudio.entrypoints.api  # noqa: F401
    results.put(asyncio.run(measure(cells.get())))


def run_cell(path: str, latency: float, in_flight: int, total: int, traced: int) -> Figures:
    """A fresh sandbox process, and the client in a fresh (spawned) process, so that its peak
    RSS is this cell's alone."""
    context = multiprocessing.get_context("spawn")
    cells, results = context.Queue(), context.Queue()
    child = context.Process(target=_client_process, args=(path, cells, results), name=path)
    child.start()
    try:
        with Sandbox(latency) as sandbox:
            cells.put(Cell(path, latency, in_flight, total, traced, sandbox.base_url, sandbox.pid))
            while True:
                with contextlib.suppress(queue.Empty):
                    found: Figures = results.get(True, 1)
                    return found
                if child.exitcode is not None:
                    raise RuntimeError(f"the {path} client process failed (traceback above)")
    except BaseException:
        child.terminate()  # it may be waiting for a cell that will never come
        raise
    finally:
        child.join(30)
