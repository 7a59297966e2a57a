"""The provider benchmark's tables: rates and peak memory, where the time goes, failures."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence

from providers_figures import Figures

MEMORY_FLOOR = 1e6  # bytes: below this a memory ratio is noise


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
