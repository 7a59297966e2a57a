"""Benchmark: what the money path costs, every figure of issue 11's Benchmarks section in one run.

    .venv/bin/python bench/money_path.py [--quick | --smoke] [--only FIGURE ...]

Prints markdown (no thresholds: this is for people to read, not a test); about 2.5 minutes on 2
cores, `--quick` about one (fewer blocks and phases; 100 jobs in flight, not 1,000, taking 1 s),
`--smoke` seconds (each figure once at a toy size, to show it runs); `--only 3` (repeatable)
measures only the figures named, PostgreSQL started only for 1 or 4.
Each figure is measured in a fresh process (the sandbox in one more), side by side with its
baseline in the same run:

1. the SQL of one `generate` (one output, no idempotency key, a plan with every limit finite,
   the `local` profile with the offline provider) on SQLite and on PostgreSQL: statements,
   write and read-only transactions, and the statements in order (money_path_count.py);
2. the client CPU and median latency `generate` adds to a bare httpx submit → poll → download
   of the zero-latency sandbox, on the `local` and the all-in-memory `test` profile, and what
   storing the output's file costs, fsyncs apart (money_path_cpu.py); and the Python bytecodes
   each runs per operation, a count the load does not move (money_path_bytecodes.py);
3. reserve + commit per second through the SQLite unit of work (the money path's store), one
   hot user, against raw `sqlite3` replaying its own statements in the same transactions;
4. the same on PostgreSQL with 1,000 users over 8 processes, against raw psycopg
   (money_path_throughput*.py, money_path_replay.py);
5. 1,000 `generate` calls in flight in one process on SQLite against a sandbox whose tasks take
   1.5 s each: how many succeed, end unknown or fail, and the process's peak RSS
   (money_path_load.py).

PostgreSQL is a throwaway server from Debian's binaries (tests/support/postgres_server.py), with
fsync and synchronous_commit off; without it, its figures are skipped (said on stderr).
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psycopg
from bench_support import (
    chosen_mode,
    load,
    mode_label,
    postgres_version,
    print_machine_facts,
    progress,
    start_postgres,
)
from money_path_bytecodes import count_bytecodes, print_bytecodes
from money_path_count import count_one, print_counts
from money_path_cpu import measure_cpu, print_cpu
from money_path_load import in_flight, print_load
from money_path_studio import Sandbox, in_child, upgrade_schema
from money_path_throughput_postgres import postgres_throughput, prepare_postgres
from money_path_throughput_report import print_throughput
from money_path_throughput_sqlite import sqlite_throughput

import imagestudio.entrypoints.api


@dataclass(frozen=True)
class Settings:
    warm_up: int  # `generate` calls before the one counted
    cpu_rounds: int  # rounds of one block per path
    cpu_block: int  # operations per block
    phases: int  # pairs of timed phases, store and raw driver
    phase_seconds: float
    jobs: int  # in flight at once
    latency: float  # seconds a sandbox task takes, with the jobs in flight
    traced: int  # operations whose bytecodes are counted, per client


FULL = Settings(3, 10, 10, 4, 2.0, 1_000, 1.5, 30)
QUICK = Settings(3, 3, 5, 1, 1.0, 100, 1.0, 10)
SMOKE = Settings(1, 1, 2, 1, 0.2, 10, 0.1, 1)


def filesystem_of(path: Path) -> str:
    """The file system type holding `path` (Linux /proc/mounts), e.g. "ext4"."""
    best, kind = "", "unknown file system"
    with contextlib.suppress(OSError):
        for line in Path("/proc/mounts").read_text().splitlines():
            _, mount, fstype, *_ = line.split()
            if str(path.resolve()).startswith(mount) and len(mount) > len(best):
                best, kind = mount, fstype
    return kind


def source() -> str:
    """Where the imagestudio being measured comes from, and its commit when a git checkout."""
    root = Path(imagestudio.entrypoints.api.__file__).resolve().parents[1]
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return str(root)
    return f"{root} (git {commit})"


def sql_per_operation(server: Any, data: Path, settings: Settings) -> None:
    counted = [in_child(count_one, None, str(data / "count-sqlite"), None, settings.warm_up)]
    progress("1: SQLite counted")
    if server:
        url = server.create_database("count")
        with psycopg.connect(server.url, autocommit=True) as connection:
            connection.execute("ALTER DATABASE count SET log_statement = 'all'")
        upgrade_schema(url, data)
        log = str(server.directory / "server.log")
        counted.append(in_child(count_one, url, str(data / "count-pg"), log, settings.warm_up))
        progress("1: PostgreSQL counted")
    print_counts(counted)


def client_cpu(data: Path, settings: Settings) -> None:
    rounds, block = settings.cpu_rounds, settings.cpu_block
    with Sandbox(0.0) as sandbox:
        figures = in_child(measure_cpu, sandbox.base_url, sandbox.pid, rounds, block)
        progress("2: CPU measured")
        counted = in_child(count_bytecodes, sandbox.base_url, settings.traced)
    progress("2: bytecodes counted")
    print_cpu(figures, filesystem_of(data))
    print_bytecodes(counted)


def store_against_driver(
    server: Any, data: Path, settings: Settings, figures: frozenset[int] = frozenset({3, 4})
) -> None:
    rounds, seconds = settings.phases, settings.phase_seconds
    sqlite = None
    if 3 in figures:
        sqlite = in_child(sqlite_throughput, rounds, seconds)
        progress("3: SQLite store vs sqlite3 measured")
    postgres = None
    if server and 4 in figures:
        url = server.create_database("throughput")
        upgrade_schema(url, data)
        recording = in_child(prepare_postgres, url, str(data / "throughput"))
        postgres = postgres_throughput(url, recording, rounds, seconds)
        progress("4: PostgreSQL store vs psycopg measured")
    print_throughput(sqlite, postgres, f"{rounds * 2} phases of {seconds:g} s")


def jobs_in_flight(settings: Settings) -> None:
    with Sandbox(settings.latency) as sandbox:
        loaded = in_child(in_flight, sandbox.base_url, settings.jobs, settings.latency)
    progress("5: jobs in flight done")
    print_load(loaded)


ALL = frozenset(range(1, 6))


def chosen_figures() -> frozenset[int]:
    """The figures named by `--only` (all when none is), taken off the command line."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--only", action="append", type=int, choices=sorted(ALL))
    given, rest = parser.parse_known_args(sys.argv[1:])
    sys.argv[1:] = rest
    return frozenset(given.only) if given.only else ALL


def main(settings: Settings, mode: str, figures: frozenset[int] = ALL) -> None:
    began = time.perf_counter()
    server = start_postgres() if figures & {1, 4} else None
    with tempfile.TemporaryDirectory(prefix="imagestudio-bench-") as folder:
        data = Path(folder)
        try:
            print(f"## The money path's cost{mode_label(mode)}\n")
            print_machine_facts(postgres_version(server.url) if server else "not available")
            print(f"- httpx {version('httpx')}, uvicorn {version('uvicorn')}")
            print(f"- imagestudio from {source()}")
            print(f"- data directories in {tempfile.gettempdir()} ({filesystem_of(data)})")
            sys.stdout.flush()
            if 1 in figures:
                sql_per_operation(server, data, settings)
                sys.stdout.flush()
            if 2 in figures:
                client_cpu(data, settings)
                sys.stdout.flush()
            if figures & {3, 4}:
                store_against_driver(server, data, settings, figures)
                sys.stdout.flush()
            if 5 in figures:
                jobs_in_flight(settings)
        finally:
            if server:
                server.stop()
    print(f"\n(run took {time.perf_counter() - began:.0f} s; load average after: {load()})")


if __name__ == "__main__":
    figures = chosen_figures()
    mode = chosen_mode((__doc__ or "").splitlines()[0], "about a minute: fewer of each")
    main({"full": FULL, "quick": QUICK, "smoke": SMOKE}[mode], mode, figures)
