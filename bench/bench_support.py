"""What the benchmarks share: percentiles, the machine's facts, progress lines, and a throwaway
PostgreSQL server from Debian's binaries (the one the tests start)."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import platform
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

TESTS_DIR = Path(__file__).resolve().parents[1] / "tests"
STARTED = time.perf_counter()


def percentile(values: Sequence[float], percent: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]


def cpu() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def progress(message: str) -> None:
    """A line on stderr with the seconds since the benchmark started."""
    print(f"  [{time.perf_counter() - STARTED:5.0f} s] {message}", file=sys.stderr, flush=True)


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def start_postgres() -> Any:
    """A running `ThrowawayPostgres`, or None (said on stderr) where PostgreSQL is missing."""
    sys.path.insert(0, str(TESTS_DIR))
    # Imported by name at run time: `support` lives under tests/, not in the package.
    support = importlib.import_module("support.postgres_server")
    try:
        return support.ThrowawayPostgres().start()
    except (support.PostgresUnavailable, RuntimeError) as missing:
        print(f"PostgreSQL skipped: {missing}", file=sys.stderr)
        return None


def print_machine_facts(pg_version: str) -> None:
    """The lines every database benchmark starts with: machine, versions, load, both servers."""
    print(f"- machine: {os.cpu_count()} cores, {cpu()}, {platform.platform()}")
    print(
        f"- Python {platform.python_version()}, SQLAlchemy {version('sqlalchemy')}, "
        f"aiosqlite {version('aiosqlite')}, psycopg {version('psycopg')}"
    )
    print(f"- load average before the run: {load()} (others may share the machine)")
    print(f"- SQLite {sqlite3.sqlite_version} (temp file, WAL, synchronous=NORMAL)")
    print(f"- PostgreSQL {pg_version} (throwaway, loopback TCP, fsync and sync commit off)")


SMOKE_HELP = (
    "seconds: every step once at a toy size, to show the benchmark still runs (the figures mean "
    "nothing; the tests run every README benchmark this way)"
)


def chosen_mode(description: str, quick_help: str) -> str:
    """ "full", "quick" or "smoke", from the command line (`--quick`, `--smoke`)."""
    parser = argparse.ArgumentParser(description=description)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help=quick_help)
    size.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    given = parser.parse_args()
    return "smoke" if given.smoke else "quick" if given.quick else "full"


def mode_label(mode: str) -> str:
    """What a report's heading says of its mode: nothing for a full run."""
    return "" if mode == "full" else f" (--{mode})"


def first_line(process: subprocess.Popen[str], timeout: float, what: str) -> str:
    """The URL a child server prints first; kills it if none comes within `timeout`."""
    found: list[str] = []
    reader = threading.Thread(
        target=lambda: found.append(process.stdout.readline() if process.stdout else ""),
        daemon=True,
    )
    reader.start()
    reader.join(timeout)
    if not found or not found[0].startswith("http"):
        process.kill()
        raise RuntimeError(f"{what} did not start (its traceback is above)")
    return found[0].strip()


def stop_child(process: subprocess.Popen[str] | None, grace: float) -> None:
    """Close a child server's stdin (its signal to stop), then kill it after `grace` seconds."""
    if process is None:
        return
    assert process.stdin is not None
    with contextlib.suppress(OSError):
        process.stdin.close()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def cpu_seconds_of(pid: int) -> float | None:
    """User + system CPU seconds of another process (Linux /proc), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_version(url: str) -> str:
    """The server's version, as it reports it."""
    import psycopg  # only the runs with PostgreSQL need it

    with psycopg.connect(url) as connection:
        row = connection.execute("show server_version").fetchone()
    return str(row[0]) if row else "unknown"
