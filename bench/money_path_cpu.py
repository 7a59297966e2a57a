"""Figure 2: the client CPU and wall time `generate` adds to a bare httpx submit → poll →
download of the same zero-latency sandbox, on the `local` profile (SQLite, asset files) and on
the all-in-memory `test` one, both with the finite plan and the real WaveSpeed adapter; and the
floor: the bare loop doing the `local` profile's SQL and file write raw (bench/money_path_floor.py).

The sandbox runs in its own process, so `time.process_time()` of the measuring process (all its
threads: SQLite's checkpoints, the file writes') is the client's alone. The clients take turns in
blocks, the order rotating every round, so drift in the machine's speed falls on all of them.
"""

from __future__ import annotations

import asyncio
import gc
import os
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench_support import cpu_seconds_of
from money_path_floor import RawFloor, record
from money_path_studio import (
    SIZE,
    WAVESPEED_MODEL,
    Bare,
    generate,
    open_studio,
    sandbox_settings,
)
from providers_clients import POLL_SECONDS

from imagestudio.adapters.local_files.asset_bytes import LocalFileAssetBytes
from imagestudio.domain.media import MediaType
from imagestudio.entrypoints.api import ImageStudio

CLIENTS = (
    "bare httpx loop",
    "local profile",
    "test profile (all in memory)",
    "floor: bare loop + the local profile's SQL and file write, raw",
)
WARM_UP = 3


@dataclass
class Client:
    name: str
    operations: int = 0
    cpu: float = 0.0  # seconds of this process
    sandbox_cpu: float = 0.0  # seconds of the sandbox process
    latencies: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)

    @property
    def cpu_ms(self) -> float:
        return self.cpu / max(1, self.operations) * 1000


@dataclass(frozen=True)
class Storing:
    size: int  # bytes of the output
    put: list[float]  # seconds of LocalFileAssetBytes.put
    file_fsync: list[float]
    directory_fsync: list[float]


@dataclass(frozen=True)
class CpuFigures:
    clients: list[Client]
    storing: Storing


def measure_cpu(base_url: str, sandbox_pid: int, rounds: int, block: int) -> CpuFigures:
    """In a child process."""
    return asyncio.run(_measure(base_url, sandbox_pid, rounds, block))


async def _measure(base_url: str, sandbox_pid: int, rounds: int, block: int) -> CpuFigures:
    provider = sandbox_settings(base_url, POLL_SECONDS)  # the bare loop's schedule too
    with tempfile.TemporaryDirectory(prefix="imagestudio-bench-") as folder:
        local = await open_studio(profile="local", data_dir=Path(folder), **provider)
        memory = await open_studio(profile="test", **provider)
        bare = Bare(base_url)
        size = 0

        def through(studio: ImageStudio) -> Callable[[int], Awaitable[str | None]]:
            async def operation(index: int) -> str | None:
                nonlocal size
                outcome, stored = await generate(studio, index, WAVESPEED_MODEL)
                size = max(size, stored)
                return None if outcome == "succeeded" else outcome

            return operation

        for index in range(WARM_UP):
            outcome, _ = await generate(local, index, WAVESPEED_MODEL)
            assert outcome == "succeeded", outcome
        recorded = await record(lambda: generate(local, WARM_UP, WAVESPEED_MODEL))
        database = Path(folder) / "imagestudio.db"  # the profile's file in its data directory
        floor = RawFloor(base_url, recorded, database, Path(folder) / "floor")
        operations = [bare.operation, through(local), through(memory), floor.operation]
        clients = [Client(name) for name in CLIENTS]
        try:
            for operation in operations:
                floor.prepare(WARM_UP)
                for index in range(WARM_UP):
                    why = await operation(index)
                    assert why is None, why
            for round_ in range(rounds):
                for turn in range(len(clients)):
                    which = (round_ + turn) % len(clients)
                    first = WARM_UP + (round_ * len(clients) + turn) * block
                    floor.prepare(block)
                    await _block(operations[which], clients[which], first, block, sandbox_pid)
            storing = await _storing(Path(folder) / "storing", size, 30)
        finally:
            await bare.close()
            await floor.close()
            await local.aclose()
            await memory.aclose()
    return CpuFigures(clients, storing)


async def _block(
    operation: Callable[[int], Awaitable[str | None]],
    client: Client,
    first: int,
    count: int,
    sandbox_pid: int,
) -> None:
    gc.collect()
    sandbox_before = cpu_seconds_of(sandbox_pid) or 0.0
    before = time.process_time()
    for index in range(first, first + count):
        started = time.perf_counter()
        why = await operation(index)
        client.latencies.append(time.perf_counter() - started)
        if why is None:
            client.operations += 1
        else:
            client.failures[why] += 1
    client.cpu += time.process_time() - before
    client.sandbox_cpu += (cpu_seconds_of(sandbox_pid) or 0.0) - sandbox_before


async def _storing(folder: Path, size: int, count: int) -> Storing:
    """Writing an output of `size` bytes as the local profile does, then the same steps with the
    two fsyncs timed on their own."""
    store = LocalFileAssetBytes(folder)
    data = os.urandom(size)
    put, file_sync, directory_sync = [], [], []
    for index in range(count):
        started = time.perf_counter()
        await store.put("bench-owner", f"ast_{index:032x}", MediaType.JPEG, data)
        put.append(time.perf_counter() - started)
        target = folder / "bench-owner" / f"fsync-{index}.tmp"
        with target.open("wb") as file:
            file.write(data)
            file.flush()
            started = time.perf_counter()
            os.fsync(file.fileno())
            file_sync.append(time.perf_counter() - started)
        descriptor = os.open(target.parent, os.O_RDONLY)
        try:
            started = time.perf_counter()
            os.fsync(descriptor)
            directory_sync.append(time.perf_counter() - started)
        finally:
            os.close(descriptor)
    return Storing(size, put, file_sync, directory_sync)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def print_cpu(figures: CpuFigures, filesystem: str) -> None:
    bare = figures.clients[0]
    bare_latency = statistics.median(bare.latencies)
    print("\n### 2. Client CPU and latency per operation over a bare httpx loop\n")
    print(
        f"`generate` of `{WAVESPEED_MODEL}` (one {SIZE}×{SIZE} output, finite plan) through the "
        "real WaveSpeed adapter against the sandbox (zero latency, its own process) vs a bare "
        f"httpx submit → poll → download of it; both first poll after {POLL_SECONDS:g} s. CPU: "
        "`time.process_time()` of the client process over its timed blocks ÷ operations (the "
        "clients take turns in blocks). Latency: the median of one operation.\n"
    )
    print(
        "| client | operations | client CPU ms/op | **added CPU ms/op** | sandbox CPU ms/op "
        "| median latency ms | **added median latency ms** | failed |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for client in figures.clients:
        latency = statistics.median(client.latencies)
        added_cpu = f"**+{client.cpu_ms - bare.cpu_ms:.2f}**" if client is not bare else "-"
        added_latency = f"**+{_ms(latency - bare_latency)}**" if client is not bare else "-"
        sandbox = client.sandbox_cpu / max(1, client.operations) * 1000
        print(
            f"| {client.name} | {client.operations} | {client.cpu_ms:.2f} | {added_cpu} "
            f"| {sandbox:.2f} | {_ms(latency)} | {added_latency} "
            f"| {sum(client.failures.values())} |"
        )
    storing = figures.storing
    file_sync = statistics.median(storing.file_fsync)
    directory_sync = statistics.median(storing.directory_fsync)
    print(
        f"| … of the local profile's: storing the output ({storing.size:,} bytes; write, fsync, "
        f"rename, fsync the directory) | {len(storing.put)} | - | - | - "
        f"| {_ms(statistics.median(storing.put))} | - | - |"
    )
    print(
        f"| … of which the fsyncs: file {_ms(file_sync)} + directory {_ms(directory_sync)} "
        f"({filesystem}) | {len(storing.put)} | - | - | - | {_ms(file_sync + directory_sync)} "
        "| - | - |"
    )
    print(
        "\nThe storing rows time `LocalFileAssetBytes.put` of an output of the same size in the "
        "same directory tree, apart from the operations, and the two fsyncs alone. The floor "
        "replays the statements of one recorded `generate` of the local profile (the same SQL, "
        "parameters and transactions, with fresh ids) through raw `sqlite3` into a copy of its "
        "database, and writes the output as the local profile does, with `os` calls: what any "
        "implementation of this design adds at least; the rest of the local profile's added "
        "CPU is our own code's."
    )
    for client in figures.clients:
        for why, count in client.failures.most_common(3):
            print(f"- {client.name}: {count} × {why}")
