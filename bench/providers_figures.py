"""What one cell of the provider benchmark is (path, latency, operations in flight) and the
figures measured for it: the timed and the traced run, memory, CPU, requests."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


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
