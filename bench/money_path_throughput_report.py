"""The table of figures 3 and 4: the store against the bare driver, rates and client CPU."""

from __future__ import annotations

from money_path_throughput import Throughput


def print_throughput(sqlite: Throughput | None, postgres: Throughput | None, seconds: str) -> None:
    print("\n### 3–4. Reserve + commit through the unit of work vs the bare driver\n")
    print(
        "The bare driver (raw `sqlite3`, raw psycopg) replays the statements the store sent for "
        "one reserve + commit, recorded in this run, with the same parameters and in the same "
        "transactions (BEGIN … COMMIT as sent; the pool's pre-pings left out); the store and "
        f"the replay take turns in timed phases ({seconds}). The plan's limits are finite but "
        "without a per-minute rate (which would read the user's grants of the last minute). "
        "Each process works sequentially on one connection; on PostgreSQL the replay runs "
        "from a worker thread, as the store's SQL does. The client's CPU per operation "
        "(the measuring processes' own, the database server's not counted) is steadier than "
        "the rates on a loaded machine.\n"
    )
    print(
        "| database | users | processes | statements / transactions per reserve + commit "
        "| store, per s | raw driver, per s | **store ÷ raw** "
        "| client CPU per op, store / raw (ms) | raw ÷ store, CPU |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, figures in (("SQLite", sqlite), ("PostgreSQL", postgres)):
        if figures is None:
            print(f"| {name} | - | - | - | not run | - | - | - | - |")
            continue
        print(
            f"| {name} | {figures.users:,} | {figures.processes} "
            f"| {len(figures.recording.steps)} / {figures.recording.transactions} "
            f"| **{figures.store:,.0f}** "
            f"| {figures.raw:,.0f} | **{figures.store / figures.raw:.1%}** "
            f"| {figures.store_cpu * 1e3:.3f} / {figures.raw_cpu * 1e3:.3f} "
            f"| {figures.raw_cpu / figures.store_cpu:.1%} |"
        )
