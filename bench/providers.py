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

The parts live in providers_sandbox.py, providers_clients.py (the adapter and the bare loop),
providers_measure.py (one cell, in fresh processes), providers_figures.py and
providers_report.py.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from importlib.metadata import version

from bare_wavespeed import POLL_GROWTH, POLL_MAX
from bench_support import chosen_mode, cpu, load, mode_label, progress
from providers_clients import CONNECTIONS, MODEL_ID, POLL_SECONDS, SIZE, Bare
from providers_figures import Figures
from providers_measure import run_cell
from providers_report import print_tables
from providers_sandbox import Sandbox

# Still importable from here, as they were before the modules above were split out.
__all__ = ["POLL_SECONDS", "Bare", "Sandbox"]

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
