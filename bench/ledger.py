"""Benchmark: the SQL quota and ledger on SQLite and PostgreSQL (issue 3), written through the
unit of work (`SqlUnitOfWork`), as the money path writes them.

    .venv/bin/python bench/ledger.py [--quick | --smoke]

Prints markdown tables (no timing thresholds: this is for people to read, not a test); about
4 minutes on 2 cores, `--quick` under one (shorter cells, 100k rows, no SQLite process row),
`--smoke` seconds (every table at a toy size, to show it runs).

1. reserve → commit per second (a unit that reserves, then one that commits, as the money
   path's accept and settle do: each a real transaction) for 1, 8 and 64 concurrent workers
   (asyncio tasks sharing one unit of work, and 64 as 2 OS processes × 32 tasks), with one hot
   user and with 1,000 users spread over the workers, with and without an operator budget on
   the provider. With a budget every reservation and commit also touches the provider's shared
   budget rows; comparing the columns shows whether they serialise users. "8 budget rows" deals
   the users out over 8 budgeted providers. On PostgreSQL a sampler counts the sessions waiting
   on a lock. On SQLite a unit of work is one connection, so one process's tasks take turns on
   it; only the 2 processes' connections contend (napping in SQLite's busy handler).
2. The cost of one operation (a reserving unit, a unit that commits and appends the ledger
   line, reading usage) at 1k and 1M ledger rows (100k with `--quick`), and with counter rows
   of past periods, each case in its own database, timed in alternating blocks so that drift in
   the machine's speed cancels out.

SQLite is a temp file in WAL mode (as the `local` profile sets it up); PostgreSQL is a throwaway
server from Debian's binaries (tests/support/postgres_server.py), which runs with fsync and
synchronous_commit off: commits there cost no disk flush, unlike a production server.

The parts live in ledger_plan.py (the plan, users and providers), ledger_workers.py and
ledger_processes.py (the workers), ledger_throughput.py (part 1), ledger_fill.py and
ledger_growth.py (part 2), ledger_settings.py (the run's sizes).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from bench_support import (
    chosen_mode,
    load,
    mode_label,
    postgres_version,
    print_machine_facts,
    start_postgres,
)
from ledger_fill import Case, fill_postgres, fill_sqlite
from ledger_growth import growth, print_growth
from ledger_plan import BUDGETED
from ledger_settings import FULL, QUICK, SMOKE, Settings
from ledger_throughput import throughput
from sqlalchemy.ext.asyncio import AsyncEngine


async def main(settings: Settings, mode: str) -> None:
    began = time.perf_counter()
    server = start_postgres()
    with tempfile.TemporaryDirectory(prefix="imagestudio-bench-") as folder:
        try:
            pg_version = postgres_version(server.url) if server else "not available"
            print(f"## SQL quota and ledger benchmark (unit of work){mode_label(mode)}\n")
            print_machine_facts(pg_version)
            print(
                f"- {settings.seconds:g} s per throughput cell; plan limits finite but never "
                f"reached; budget = an operator budget on the provider ({BUDGETED})"
            )
            sys.stdout.flush()

            sqlite_path = Path(folder) / "throughput.db"
            await throughput("SQLite", f"sqlite:///{sqlite_path}", settings)
            if server:
                await throughput("PostgreSQL", server.create_database("throughput"), settings)

            results = []

            async def sqlite_fill(url: str, _: AsyncEngine, case: Case, period: str) -> Case:
                path = url.removeprefix("sqlite:///")
                return await asyncio.to_thread(
                    fill_sqlite, path, case, period, settings.fill_deadline
                )

            urls = [f"sqlite:///{folder}/growth{index}.db" for index in range(3)]
            results.append(("SQLite", await growth("SQLite", urls, sqlite_fill, settings)))
            if server:

                async def postgres_fill(_: str, engine: AsyncEngine, case: Case, at: str) -> Case:
                    return await fill_postgres(engine, case, at)

                urls = [server.create_database(f"growth{index}") for index in range(3)]
                results.append(
                    ("PostgreSQL", await growth("PostgreSQL", urls, postgres_fill, settings))
                )
            print_growth(results)
        finally:
            if server:
                server.stop()
    print(f"\n(run took {time.perf_counter() - began:.0f} s; load average after: {load()})")


if __name__ == "__main__":
    mode = chosen_mode(__doc__.splitlines()[0], "short cells, 1k and 100k rows")
    asyncio.run(main({"full": FULL, "quick": QUICK, "smoke": SMOKE}[mode], mode))
