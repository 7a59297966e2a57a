"""The HTTP API benchmark's report: its markdown tables."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence

from http_api_runs import Run

Level = dict[str, Run]
"""path → its run at one number of requests in flight."""


def print_tables(levels: Sequence[Level]) -> None:
    print("\n### requests per second and latency\n")
    print(
        "ok / failed over the timed run; latency of one request from send to answer (ms); CPU "
        "ms per request of each process over the timed run. API: the client calls the API "
        "server, which calls the sandbox; in-process: the client runs `generate` itself, with "
        "the server's settings; bare: the client calls the sandbox.\n"
    )
    print(
        "| in flight | path | ok / failed | requests/s | p50 ms | p95 ms | p99 ms "
        "| client CPU ms | API server CPU ms | sandbox CPU ms |"
    )
    print("|---" * 10 + "|")
    for level in levels:
        for run in level.values():
            print(
                f"| {run.in_flight} | {run.path} | {run.done:,} / {run.failed} "
                f"| {run.rate:,.1f} | {run.percentile(50):.1f} | {run.percentile(95):.1f} "
                f"| {run.percentile(99):.1f} | {run.cpu_ms('client')} "
                f"| {run.cpu_ms('api') if run.path == 'API' else '-'} | {run.cpu_ms('sandbox')} |"
            )
    print("\n### what the API adds per request\n")
    print(
        "added latency: API − bare at the same percentile (ms), the figure a caller feels; of "
        "it, the HTTP layer (API − in-process, p50) and the money path with the adapter "
        "(in-process − bare, p50); rate: API ÷ bare requests/s. The split holds while no "
        "process is CPU-bound: at 128 in flight the in-process client does on one core what the "
        "API path spreads over two processes.\n"
    )
    print(
        "| in flight | added p50 ms | added p95 ms | added p99 ms | HTTP layer p50 ms "
        "| money path p50 ms | rate ratio |"
    )
    print("|---" * 7 + "|")
    for level in levels:
        api, own, bare = level["API"], level["in-process"], level["bare"]
        print(
            f"| {api.in_flight} | **{api.percentile(50) - bare.percentile(50):.1f}** "
            f"| {api.percentile(95) - bare.percentile(95):.1f} "
            f"| {api.percentile(99) - bare.percentile(99):.1f} "
            f"| {api.percentile(50) - own.percentile(50):.1f} "
            f"| {own.percentile(50) - bare.percentile(50):.1f} "
            f"| {api.rate / bare.rate:.2f}× |"
        )
    failures = Counter[str]()
    for level in levels:
        for run in level.values():
            for why, count in run.failures.items():
                failures[f"{run.path}, {run.in_flight} in flight: {why}"] += count
    if failures:
        print("\nFailures (every one is counted above):\n")
        for why, count in failures.most_common(10):
            print(f"- {count} × {why}")
    else:
        print("\nNo request failed (every path, every level).")
    sys.stdout.flush()
