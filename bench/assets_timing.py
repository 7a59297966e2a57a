"""Timing the calls: each on both sizes in alternating rounds, and a cell of the samples (median /
p95, and how the median grows from the small size to the large)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from assets_calls import FINDS, OTHER_CALLS, Filled
from assets_settings import AT_LEAST, AT_MOST, Settings
from bench_support import percentile, progress


async def timed(call: Callable[[], Awaitable[object]], seconds: float) -> list[float]:
    samples: list[float] = []
    deadline = time.perf_counter() + seconds
    while len(samples) < AT_LEAST or (len(samples) < AT_MOST and time.perf_counter() < deadline):
        began = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - began)
    return samples


@dataclass(frozen=True)
class Cell:
    samples: tuple[list[float], ...]  # seconds per call, small and large

    def shown(self, size: int) -> str:
        values = self.samples[size]
        return f"{statistics.median(values) * 1000:.2f} / {percentile(values, 95) * 1000:.2f}"

    def growth(self) -> float:
        small, large = (statistics.median(values) for values in self.samples)
        return large / small


async def measure(name: str, filled: Sequence[Filled], settings: Settings) -> dict[str, Cell]:
    """Each call on both sizes in alternating rounds; relabel() and add() last (they write)."""
    cells = {}
    per_round = settings.seconds / settings.rounds / len(filled)
    for label in [find.label for find in FINDS] + list(OTHER_CALLS):
        calls = [one.call(label) for one in filled]
        for call in calls:  # warm up
            await call()
        samples: tuple[list[float], ...] = tuple([] for _ in filled)
        for _ in range(settings.rounds):
            for call, kept in zip(calls, samples, strict=True):
                kept.extend(await timed(call, per_round))
        cells[label] = Cell(samples)
    progress(f"{name}: calls timed")
    return cells
