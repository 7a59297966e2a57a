"""How big a ledger benchmark run is: its three sizes (full, `--quick`, `--smoke`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    seconds: float  # per cell of the throughput table
    ledger_sizes: tuple[int, int]
    operations: int  # timed per ledger size
    fill_deadline: float  # seconds a SQLite fill may take before it stops where it got
    past_counters: int  # counter rows of past periods in the third growth case
    processes: bool  # run the OS-process row
    contended_sqlite: bool  # run SQLite's process row (its 2 connections nap: seconds per cell)


FULL = Settings(
    seconds=3.0,
    ledger_sizes=(1_000, 1_000_000),
    operations=300,
    fill_deadline=60,
    past_counters=240_000,
    processes=True,
    contended_sqlite=True,
)
QUICK = Settings(
    seconds=0.6,
    ledger_sizes=(1_000, 100_000),
    operations=75,
    fill_deadline=20,
    past_counters=24_000,
    processes=True,
    contended_sqlite=False,
)
SMOKE = Settings(
    seconds=0.05,
    ledger_sizes=(100, 1_000),
    operations=25,
    fill_deadline=5,
    past_counters=100,
    processes=False,  # 2 processes started per cell: most of a smoke run's time
    contended_sqlite=False,
)
