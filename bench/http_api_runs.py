"""One benchmark run: so many requests in flight on one path, timed, with what each process
spent on it."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

from bench_support import cpu_seconds_of, progress
from http_api_paths import Request
from http_api_servers import own_cpu


@dataclass
class Run:
    path: str
    in_flight: int
    done: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    cpu: dict[str, float | None] = field(default_factory=dict)  # process → CPU s over the run

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    @property
    def rate(self) -> float:
        return (self.done + self.failed) / self.seconds

    def percentile(self, percent: float) -> float:
        """Milliseconds, nearest rank."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))] * 1000

    def cpu_ms(self, process: str) -> str:
        seconds = self.cpu.get(process)
        total = self.done + self.failed
        return "-" if seconds is None or not total else f"{seconds / total * 1000:.2f}"


async def drive(request: Request, run: Run, total: int, first: int) -> Run:
    """`run.in_flight` tasks, each sending the next request when its last one is answered."""
    next_index = first

    async def lane() -> None:
        nonlocal next_index
        while next_index < first + total:
            index = next_index
            next_index += 1
            started = time.perf_counter()
            try:
                why = await request(index)
            except Exception as error:  # counted and shown, never silently measured
                why = _why(error)
            run.latencies.append(time.perf_counter() - started)
            if why is None:
                run.done += 1
            else:
                run.failures[why] += 1

    began = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(run.in_flight)))
    run.seconds = time.perf_counter() - began
    return run


def _why(error: BaseException) -> str:
    """The exception and what caused it (a transport error's own message is often empty)."""
    chain = [error]
    while chain[-1].__cause__ is not None and len(chain) < 4:
        chain.append(chain[-1].__cause__)
    return " ← ".join(f"{type(link).__name__}: {link}" for link in chain)[:160]


async def measure(
    path: str, request: Request, in_flight: int, total: int, first: int, pids: dict[str, int]
) -> Run:
    """A warm-up wave (connections opened, code paths warm), then the timed run."""
    warm = await drive(request, Run(path, in_flight), in_flight, first)
    if warm.failed:
        raise RuntimeError(f"{path}: the warm-up failed: {dict(warm.failures)}")
    before = {name: cpu_seconds_of(pid) for name, pid in pids.items()}
    own = own_cpu()
    run = await drive(request, Run(path, in_flight), total, first + in_flight)
    run.cpu["client"] = own_cpu() - own
    for name, pid in pids.items():
        start, end = before[name], cpu_seconds_of(pid)
        run.cpu[name] = None if start is None or end is None else end - start
    progress(
        f"{in_flight} in flight, {path}: {run.done}/{total} ok in {run.seconds:.1f} s, "
        f"{run.rate:,.1f}/s, p50 {run.percentile(50):.1f} ms"
    )
    return run
