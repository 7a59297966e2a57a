"""Figure 2's count: the Python bytecodes one `generate` runs beyond the bare loop's.

CPU time on shared vCPUs moves by half a millisecond from one run to the next; the bytecodes
an operation runs do not, so a change to the money path's Python shows in this count however
busy the machine is (what it does not show: time in C, system calls, the database's own work).
Every bytecode of every thread is counted (`sys.settrace` with `f_trace_opcodes`), over a
block of operations after a few to warm up, in the process this runs in.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from money_path_studio import WAVESPEED_MODEL, Bare, generate, open_studio, sandbox_settings
from providers import POLL_SECONDS

WARM_UP = 3
BARE = "bare httpx loop"
Operation = Callable[[int], Awaitable[str | None]]


@dataclass(frozen=True, slots=True)
class Bytecodes:
    """Bytecodes per operation of each client: the bare loop, `test`, `local`."""

    operations: int
    per_operation: dict[str, float]


class _Counter:
    def __init__(self) -> None:
        self.count = 0

    def trace(self, frame: FrameType, event: str, _arg: Any) -> Any:
        frame.f_trace_opcodes = True
        if event == "opcode":
            self.count += 1
        return self.trace


def count_bytecodes(base_url: str, operations: int) -> Bytecodes:
    """Bytecodes per `generate` (and per bare loop) against the sandbox at `base_url`."""
    counts = {}
    for name in (BARE, "test profile (all in memory)", "local profile"):
        counts[name] = asyncio.run(_count(base_url, name, operations)) / operations
    return Bytecodes(operations=operations, per_operation=counts)


async def _count(base_url: str, name: str, operations: int) -> int:
    operation, close = await _client(base_url, name)
    try:
        for index in range(WARM_UP):
            _succeeded(await operation(index))
        counter = _Counter()
        threading.settrace(counter.trace)
        sys.settrace(counter.trace)
        try:
            for index in range(WARM_UP, WARM_UP + operations):
                _succeeded(await operation(index))
        finally:
            sys.settrace(None)
            threading.settrace(None)  # type: ignore[arg-type]
        return counter.count
    finally:
        await close()


async def _client(base_url: str, name: str) -> tuple[Operation, Callable[[], Awaitable[None]]]:
    if name == BARE:
        bare = Bare(base_url)
        return bare.operation, bare.close
    provider = sandbox_settings(base_url, POLL_SECONDS)
    if name.startswith("local"):
        folder = Path(tempfile.mkdtemp(prefix="imagestudio-bytecodes-"))
        studio = await open_studio(profile="local", data_dir=folder, **provider)
    else:
        studio = await open_studio(profile="test", **provider)

    async def operation(index: int) -> str | None:
        ended, _ = await generate(studio, index, WAVESPEED_MODEL)
        return None if ended == "succeeded" else ended

    return operation, studio.aclose


def _succeeded(failure: str | None) -> None:
    if failure is not None:  # a failed operation runs other code: the count would mean nothing
        raise RuntimeError(f"an operation failed while counting bytecodes: {failure}")


def print_bytecodes(counted: Bytecodes) -> None:
    bare = counted.per_operation[BARE]
    print(
        f"\nPython bytecodes per operation, counted over {counted.operations} after {WARM_UP} "
        "to warm up, in every thread (money_path_bytecodes.py): a count the machine's load does "
        "not move, where the CPU above moves by half a millisecond from run to run.\n"
    )
    print("| client | bytecodes per operation | **added** |")
    print("|---|---|---|")
    for name, count in counted.per_operation.items():
        added = f"**+{count - bare:,.0f}**" if name != BARE else "-"
        print(f"| {name} | {count:,.0f} | {added} |")
