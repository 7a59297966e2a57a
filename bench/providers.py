"""Benchmark: the real WaveSpeed adapter through the money path vs a bare httpx loop.

    .venv/bin/python bench/providers.py [--quick | --smoke]

Prints markdown tables (no thresholds: this is for people to read, not a test); about 7 minutes
on 2 cores, `--quick` well under one (fewer operations, nothing at 1,000 in flight), `--smoke`
seconds (a handful of operations, to show it runs).

For each simulated latency (0 s and 2 s: created → completed in the sandbox) and each number of
operations in flight (1, 64, 1,000 concurrent asyncio tasks in one process, each starting the
next operation as soon as its last one ends, until a fixed total is done):

- adapter: `ImageStudio` in the `test` profile (quota, ledger, operations and assets in memory)
  running `generate` for `wavespeed/flux-dev` at 256×256 through the real WaveSpeed adapter:
  price, reserve, submit, poll, download, store the asset, commit, ledger line;
- bare: one `httpx.AsyncClient` doing what the adapter does at the least: POST the same body,
  poll `GET /api/v3/predictions/{id}/result` on the adapter's schedule (0.1 s, growing ×1.5 to
  8 s) until `completed`, then GET the output URL. Both use the adapter's connection pool size
  (200 connections, 100 kept alive).

Every cell runs in fresh processes: a sandbox (its own process, so the measured one holds only
the client) and a client process, so that peak RSS is that cell's. Figures of the client: ops/s
over the timed run; peak RSS growth over it (ru_maxrss, the kernel's figure); CPU ms per
operation of the client and of the sandbox; HTTP requests per operation. Then a second, traced
run of one wave (as many operations as are in flight) gives the Python heap's peak
(tracemalloc), apart from the timed run because tracing slows allocation-heavy code most. Every
operation is checked: failures are counted, and the commonest reasons printed.

At 64 and more in flight the client process is CPU-bound (in httpx/httpcore on both paths), so
those rates move by tens of percent with how busy the machine's other core is; the CPU per
operation at 1 in flight is the steadiest measure of what the adapter adds.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import multiprocessing
import os
import platform
import queue
import resource
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx
from bare_wavespeed import POLL_GROWTH, POLL_MAX, bare_run
from bench_support import chosen_mode, cpu, first_line, load, mode_label, progress, stop_child

from imagestudio.adapters.sandbox.config import SANDBOX_KEY

POLL_SECONDS = 0.1
CONNECTIONS = 200  # the adapter's pool: min(max(20, 4 × concurrent tasks), 200)
MODEL_ID = "wavespeed/flux-dev"
ROUTE = "wavespeed-ai/flux-dev"
SIZE = 256
WARM_UP = 1  # operations before anything is measured (lazy imports, first connection)
SANDBOX_START_SECONDS = 30.0
MEMORY_FLOOR = 1e6  # bytes: below this a memory ratio is noise


Totals = dict[float, dict[int, int]]
"""latency → operations in flight → operations in the timed run."""

FULL: Totals = {
    0.0: {1: 40, 64: 640, 1_000: 2_000},
    2.0: {1: 5, 64: 192, 1_000: 2_000},
}
QUICK: Totals = {  # 1 in flight at 2 s only waits: 2.1 s an operation, whatever the client
    0.0: {1: 10, 64: 192},
    2.0: {64: 64},
}
SMOKE: Totals = {0.0: {1: 2}, 0.2: {4: 4}}


@dataclass(frozen=True)
class Cell:
    path: str  # "adapter" or "bare"
    latency: float
    in_flight: int
    total: int
    traced_total: int
    base_url: str
    sandbox_pid: int


@dataclass
class Run:
    done: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(self.failures.values())


@dataclass(frozen=True)
class Figures:
    cell: Cell
    timed: Run
    traced: Run
    rss_growth: int  # bytes: peak RSS during the timed run above the RSS before it
    traced_peak: int  # bytes: tracemalloc peak over the traced run, above where it started
    client_cpu: float  # seconds of the client process over the timed run
    sandbox_cpu: float | None  # seconds of the sandbox process over the timed run
    stored: int  # bytes of assets the in-memory store kept during the timed run (adapter)
    requests: int  # HTTP requests the client sent during the timed run

    @property
    def rate(self) -> float:
        return self.timed.done / self.timed.seconds


# -- the sandbox, in its own process ----------------------------------------------------------

# RunningSandbox, not `serve`: `serve` logs every request at info level, which would cost the
# sandbox CPU (and flood the output) at a thousand operations in flight.
_SANDBOX = """
import sys
from decimal import Decimal
from imagestudio.adapters.sandbox.config import SandboxConfig, WaveSpeedLimits
from imagestudio.adapters.sandbox.runner import RunningSandbox

config = SandboxConfig(
    latency_seconds=float(sys.argv[1]),
    wavespeed=WaveSpeedLimits(
        submits_per_window=1_000_000, concurrent_tasks=5_000, window_seconds=60.0
    ),
    wavespeed_balance_usd=Decimal("1000000"),
)
with RunningSandbox(config) as sandbox:
    print(sandbox.base_url, flush=True)
    sys.stdin.read()  # until the benchmark closes our stdin
"""


class Sandbox:
    """`with Sandbox(latency) as sandbox:` a fresh sandbox process answering at `base_url`."""

    def __init__(self, latency: float) -> None:
        self._latency = latency
        self._process: subprocess.Popen[str] | None = None
        self.base_url = ""

    def __enter__(self) -> Sandbox:
        self._process = subprocess.Popen(
            [sys.executable, "-c", _SANDBOX, str(self._latency)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.base_url = first_line(self._process, SANDBOX_START_SECONDS, "the sandbox")
        _wait_until_answering(self.base_url, SANDBOX_START_SECONDS)
        return self

    def __exit__(self, *_: object) -> None:
        stop_child(self._process, 10)

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid


def _wait_until_answering(base_url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    headers = {"Authorization": f"Bearer {SANDBOX_KEY}"}
    while True:
        try:
            response = httpx.get(f"{base_url}/api/v3/balance", headers=headers, timeout=2)
            if response.status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the sandbox at {base_url} does not answer")
        time.sleep(0.05)


def _cpu_seconds_of(pid: int) -> float | None:
    """User + system CPU seconds of another process (Linux /proc), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- the two clients --------------------------------------------------------------------------

Operation = Callable[[int], Awaitable[str | None]]  # index → None, or why it failed


def _prompt(index: int) -> str:
    return f"a lighthouse at dusk, benchmark {index}"


def _body(index: int) -> dict[str, object]:
    """What the adapter sends for this job (adapters/wavespeed/requests.py)."""
    return {
        "prompt": _prompt(index),
        "size": f"{SIZE}*{SIZE}",
        "num_images": 1,
        "seed": -1,
        "output_format": "jpeg",
    }


class RequestCounter:
    """An httpx request hook counting what a client sends (the same hook on both paths)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.sent = 0
        hooks = client.event_hooks
        hooks["request"] = [*hooks.get("request", []), self._count]
        client.event_hooks = hooks

    async def _count(self, _: httpx.Request) -> None:
        self.sent += 1


class Bare:
    """Submit, poll on the adapter's schedule, download: nothing else."""

    def __init__(self, base_url: str) -> None:
        self.client = httpx.AsyncClient(
            base_url=base_url,
            headers={"Authorization": f"Bearer {SANDBOX_KEY}"},
            limits=httpx.Limits(
                max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS // 2
            ),
            timeout=httpx.Timeout(120.0, connect=10.0),
        )
        self.counter = RequestCounter(self.client)

    async def operation(self, index: int) -> str | None:
        return await bare_run(self.client, ROUTE, _body(index), POLL_SECONDS)

    async def close(self) -> None:
        await self.client.aclose()

    def stored_bytes(self) -> int:
        return 0


class Adapter:
    """`generate` through ImageStudio (test profile) and the real WaveSpeed adapter."""

    def __init__(self, base_url: str) -> None:
        from imagestudio.entrypoints.api import ImageStudio

        self.studio = ImageStudio.open(
            profile="test",
            wavespeed_api_key=SANDBOX_KEY,
            wavespeed_base_url=base_url,
            wavespeed_poll_seconds=POLL_SECONDS,
            wavespeed_concurrent_tasks=2_000,
            wavespeed_submits_per_minute=10_000_000,
            provider_deadline_seconds=600,
        )
        self._stored = 0
        self.counter = RequestCounter(self.studio.container.wavespeed_http())

    async def start(self) -> None:
        await self.studio.start()
        # `local` (the default user's plan) has no limits: nothing below queues on the quota.
        plans = await self.studio.list_plans.execute()
        local = next(plan for plan in plans if plan.name == "local")
        limits = (local.concurrent_operations, local.requests_per_minute, local.spend_cap)
        assert all(limit.is_unlimited for limit in limits), local

    async def operation(self, index: int) -> str | None:
        from returns.result import Failure

        from imagestudio.application.use_cases.generate import GenerateRequest
        from imagestudio.domain.operation import OperationStatus

        result = await self.studio.generate.execute(
            GenerateRequest(
                user_id="local",
                prompt=_prompt(index),
                model_id=MODEL_ID,
                width=SIZE,
                height=SIZE,
            )
        )
        if isinstance(result, Failure):
            return f"{type(result.failure()).__name__}: {result.failure()}"[:120]
        done = result.unwrap()
        if done.operation.status is not OperationStatus.SUCCEEDED or len(done.assets) != 1:
            return f"operation {done.operation.status}: {done.failed_outputs}"[:120]
        self._stored += done.assets[0].size_bytes
        return None

    async def close(self) -> None:
        await self.studio.aclose()

    def stored_bytes(self) -> int:
        return self._stored


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
        sandbox_before = _cpu_seconds_of(cell.sandbox_pid)
        timed = await drive(client.operation, cell.in_flight, cell.total, WARM_UP)
        sandbox_after = _cpu_seconds_of(cell.sandbox_pid)
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


# -- the run ----------------------------------------------------------------------------------


def run_all(totals: Totals) -> list[tuple[Figures, Figures]]:
    pairs = []
    for latency, levels in totals.items():
        for in_flight, total in levels.items():
            measured = {}
            for path in ("adapter", "bare"):
                figures = run_cell(path, latency, in_flight, total, in_flight)
                measured[path] = figures
                progress(
                    f"{latency:g} s latency, {in_flight} in flight, {path}: "
                    f"{figures.timed.done}/{total} ok in {figures.timed.seconds:.1f} s, "
                    f"{figures.rate:,.1f}/s"
                )
            pairs.append((measured["adapter"], measured["bare"]))
    return pairs


def _mb(value: float) -> str:
    return f"{value / 1e6:.1f}"


def _ratio(top: float, bottom: float, floor: float = 0.0) -> str:
    """adapter ÷ bare; "-" when either is at or below `floor` (noise, not a ratio)."""
    return f"**{top / bottom:.2f}×**" if min(top, bottom) > floor else "-"


def _ms(values: Sequence[float], percent: float) -> str:
    ordered = sorted(values)
    if not ordered:
        return "-"
    return f"{ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))] * 1000:.0f}"


def print_tables(pairs: Sequence[tuple[Figures, Figures]]) -> None:
    print("\n### operations per second and peak memory of the client process\n")
    print(
        "ok / failed: operations of the timed run; RSS: peak resident memory during the timed "
        "run above where it began (MB); heap: tracemalloc peak over a separate run of one wave "
        "(MB). Ratios are adapter ÷ bare; - where a figure is under 1 MB (page-sized noise).\n"
    )
    print(
        "| latency | in flight | ok / failed, adapter | ok / failed, bare | wall s, adapter / bare "
        "| ops/s, adapter | ops/s, bare | ops/s ratio | RSS, adapter | RSS, bare | RSS ratio "
        "| heap, adapter | heap, bare | heap ratio |"
    )
    print("|---" * 14 + "|")
    for adapter, bare in pairs:
        cell = adapter.cell
        print(
            f"| {cell.latency:g} s | {cell.in_flight:,} "
            f"| {adapter.timed.done:,} / {adapter.timed.failed} "
            f"| {bare.timed.done:,} / {bare.timed.failed} "
            f"| {adapter.timed.seconds:.1f} / {bare.timed.seconds:.1f} "
            f"| {adapter.rate:,.1f} | {bare.rate:,.1f} | {_ratio(adapter.rate, bare.rate)} "
            f"| {_mb(adapter.rss_growth)} | {_mb(bare.rss_growth)} "
            f"| {_ratio(adapter.rss_growth, bare.rss_growth, MEMORY_FLOOR)} "
            f"| {_mb(adapter.traced_peak)} | {_mb(bare.traced_peak)} "
            f"| {_ratio(adapter.traced_peak, bare.traced_peak, MEMORY_FLOOR)} |"
        )
    print("\n### where the time goes\n")
    print(
        "CPU ms per operation of the client process and of the sandbox process over the timed "
        "run; HTTP requests the client sent per operation (submit, polls, download); latency of "
        "one operation, median / p99 ms; assets: what the test profile's "
        "in-memory asset store kept during the timed run (MB, part of the adapter's RSS).\n"
    )
    print(
        "| latency | in flight | client CPU ms/op, adapter | client CPU ms/op, bare | CPU ratio "
        "| sandbox CPU ms/op, adapter / bare | requests/op, adapter / bare | op latency, adapter "
        "| op latency, bare | assets kept |"
    )
    print("|---" * 10 + "|")
    for adapter, bare in pairs:
        cell = adapter.cell
        cpu_a = adapter.client_cpu / max(1, adapter.timed.done)
        cpu_b = bare.client_cpu / max(1, bare.timed.done)
        print(
            f"| {cell.latency:g} s | {cell.in_flight:,} | {cpu_a * 1000:.2f} | {cpu_b * 1000:.2f} "
            f"| {_ratio(cpu_a, cpu_b)} | {_sandbox_cpu(adapter)} / {_sandbox_cpu(bare)} "
            f"| {_per_op(adapter.requests, adapter)} / {_per_op(bare.requests, bare)} "
            f"| {_ms(adapter.timed.latencies, 50)} / {_ms(adapter.timed.latencies, 99)} "
            f"| {_ms(bare.timed.latencies, 50)} / {_ms(bare.timed.latencies, 99)} "
            f"| {_mb(adapter.stored)} |"
        )
    failures = Counter[str]()
    for pair in pairs:
        for figures in pair:
            for why, count in (figures.timed.failures + figures.traced.failures).items():
                failures[f"{figures.cell.path}: {why}"] += count
    if failures:
        print("\nFailures (every one is counted above):\n")
        for why, count in failures.most_common(10):
            print(f"- {count} × {why}")
    else:
        print("\nNo operation failed (timed and traced runs, both paths).")
    sys.stdout.flush()


def _per_op(count: int, figures: Figures) -> str:
    return f"{count / max(1, figures.timed.done):.1f}"


def _sandbox_cpu(figures: Figures) -> str:
    if figures.sandbox_cpu is None:
        return "-"
    return f"{figures.sandbox_cpu / max(1, figures.timed.done) * 1000:.2f}"


def main(totals: Totals, mode: str) -> None:
    began = time.perf_counter()
    print(f"## Provider adapter vs bare httpx loop{mode_label(mode)}\n")
    print(f"- machine: {os.cpu_count()} cores, {cpu()}, {platform.platform()}")
    print(
        f"- Python {platform.python_version()}, httpx {version('httpx')}, "
        f"uvicorn {version('uvicorn')}"
    )
    print(f"- load average before the run: {load()} (others may share the machine)")
    print(
        f"- {MODEL_ID} at {SIZE}×{SIZE}, one output; sandbox in its own process, fresh for "
        f"every cell; first poll after {POLL_SECONDS:g} s, then ×{POLL_GROWTH:g} up to "
        f"{POLL_MAX:g} s; {CONNECTIONS} pooled connections on both paths"
    )
    runs = "; ".join(
        f"{latency:g} s: " + ", ".join(f"{total:,} at {n:,}" for n, total in levels.items())
        for latency, levels in totals.items()
    )
    print(f"- operations per timed run (at so many in flight): {runs}; one untimed warm-up first")
    sys.stdout.flush()
    print_tables(run_all(totals))
    print(f"\n(run took {time.perf_counter() - began:.0f} s; load average after: {load()})")


if __name__ == "__main__":
    mode = chosen_mode(__doc__.splitlines()[0], "fewer operations, no 1,000 in flight")
    main({"full": FULL, "quick": QUICK, "smoke": SMOKE}[mode], mode)
