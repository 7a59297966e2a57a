"""Figure 5: 1,000 `generate` calls in flight at once in one process on the `local` profile
(SQLite, asset files, the finite plan), through the real WaveSpeed adapter against a sandbox
whose tasks take a while, in a fresh process so that its peak RSS is this scenario's."""

from __future__ import annotations

import asyncio
import resource
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from money_path_studio import WAVESPEED_MODEL, generate, open_studio, sandbox_settings

POLL_SECONDS = 1.0  # the adapter's default first poll


@dataclass(frozen=True)
class Load:
    jobs: int
    latency: float
    outcomes: Counter[str]
    seconds: float
    rss_before: int  # bytes: peak RSS once started and warmed up
    rss_peak: int

    def count(self, outcome: str) -> int:
        return self.outcomes.get(outcome, 0)

    @property
    def failed(self) -> int:
        return self.jobs - self.count("succeeded") - self.count("unknown")


def in_flight(base_url: str, jobs: int, latency: float) -> Load:
    """In a child process."""
    return asyncio.run(_in_flight(base_url, jobs, latency))


async def _in_flight(base_url: str, jobs: int, latency: float) -> Load:
    with tempfile.TemporaryDirectory(prefix="imagestudio-bench-") as folder:
        settings = sandbox_settings(base_url, POLL_SECONDS)
        studio = await open_studio(profile="local", data_dir=Path(folder), **settings)
        try:
            outcome, _ = await generate(studio, 0, WAVESPEED_MODEL)
            assert outcome == "succeeded", outcome
            before = _peak_rss()
            began = time.perf_counter()
            ended = await asyncio.gather(
                *(generate(studio, index, WAVESPEED_MODEL) for index in range(1, jobs + 1))
            )
            seconds = time.perf_counter() - began
        finally:
            await studio.aclose()
    outcomes = Counter(outcome for outcome, _ in ended)
    return Load(jobs, latency, outcomes, seconds, before, _peak_rss())


def _peak_rss() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def print_load(load: Load) -> None:
    print(f"\n### 5. {load.jobs:,} jobs in flight in one process (SQLite)\n")
    print(
        f"{load.jobs:,} concurrent `generate` calls (`asyncio.gather`) of `{WAVESPEED_MODEL}` on "
        "the `local` profile with the finite plan, through the real WaveSpeed adapter against "
        f"the sandbox in its own process, each task taking {load.latency:g} s there; a fresh "
        "process, so its peak RSS (`ru_maxrss`) is this scenario's.\n"
    )
    print("| jobs | succeeded | unknown | failed | wall s | RSS before, MB | **peak RSS, MB** |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {load.jobs:,} | {load.count('succeeded'):,} | **{load.count('unknown'):,}** "
        f"| {load.failed:,} | {load.seconds:.1f} | {load.rss_before / 1e6:.0f} "
        f"| **{load.rss_peak / 1e6:.0f}** |"
    )
    others = [(why, n) for why, n in load.outcomes.most_common() if why != "succeeded"]
    if others:
        print()
    for why, count in others[:8]:
        print(f"- {count:,} × {why}")
