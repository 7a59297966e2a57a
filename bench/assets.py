"""Benchmark: the asset library (`SqlAssetLibrary`) on SQLite and PostgreSQL, memory alongside.

    .venv/bin/python bench/assets.py [--quick | --smoke]

Prints markdown tables (no timing thresholds: this is for people to read, not a test); about
2 minutes on 2 cores, `--quick` (owners of 1,000 and 20,000 assets, shorter cells) under one,
`--smoke` (owners of 200 and 1,000, one short round) seconds, to show it runs.

One owner holds N assets (1,000 and 100,000) among 10 owners; the 9 others share another N, so
the owner's rows are half the table. Prompts are 8–20 words drawn from a vocabulary of 2,000
(Zipf: the commonest words appear in most prompts, the rarest in a handful); each asset has 0–3
of 30 tags, 0–2 of 20 collections, a quarter are favourites, an operation makes 1–4 assets at
one instant, and derived kinds (edits, upscales, videos …) name an earlier asset as their input.

1. add(): the first 1,000 assets (all owners, oldest first) go through `add` one by one, timed;
   the rest are inserted in batches of rows exactly as `add` writes them (the adapter's own row
   encoding, labels, lineage and, on SQLite, the FTS5 rows), then every query below is checked
   against `AssetQuery.matches` over the generated assets, with a sample of other words.
2. One call, median and p95 ms, at both sizes, timed in alternating rounds so that drift in
   the machine's speed cancels out; and how it grows: the ratio of the medians, large ÷ small.
   The finds are pages of 50 newest first: the first page, a deep page (a cursor 90% of the way
   down), a tag, a collection, favourite + a kind, a date range (5% of the owner's span), and
   prompt search for a common word, a rare word and two words. Then bytes_used(), relabel()
   (adds or removes one tag) and add() into the full library.

SQLite is a temp file in WAL mode, set up as the application sets it up (no ANALYZE: the
application never runs it); PostgreSQL is a throwaway server from Debian's binaries
(tests/support/postgres_server.py, fsync and synchronous_commit off), ANALYZEd after the fill as
autovacuum would soon do. Both schemas come from the migrations (`schema.upgrade`). The memory
library scans every asset on each call: the reference for what a missing index looks like.

The parts live in assets_words.py and assets_data.py (the data), assets_calls.py (what is
timed), assets_fill.py and assets_expected.py (filling, checked), assets_timing.py,
assets_report.py, and assets_settings.py (the run's sizes).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time

from assets_data import dataset
from assets_fill import Opener, fill
from assets_report import print_calls, print_fill, print_growth
from assets_settings import FULL, QUICK, SMOKE, Settings
from assets_timing import measure
from assets_words import RARE_RANK, WORDS
from bench_support import (
    chosen_mode,
    load,
    mode_label,
    postgres_version,
    print_machine_facts,
    progress,
    start_postgres,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from imagestudio.adapters.memory.asset_library import InMemoryAssetLibrary
from imagestudio.adapters.sql import schema
from imagestudio.adapters.sql.asset_library import SqlAssetLibrary
from imagestudio.adapters.sql.engine import create_engine
from imagestudio.application.ports.asset_library import AssetLibrary


async def main(settings: Settings, mode: str) -> None:
    began = time.perf_counter()
    datasets = [dataset(size, WORDS) for size in settings.sizes]
    progress(f"generated {sum(len(data.assets) for data in datasets):,} assets")
    server = start_postgres()
    with tempfile.TemporaryDirectory(prefix="imagestudio-bench-") as folder:
        try:
            pg_version = postgres_version(server.url) if server else "not available"
            print(f"## Asset library benchmark{mode_label(mode)}\n")
            print_machine_facts(pg_version)
            print(
                f"- one owner of N assets among 10 owners, the other 9 sharing another N; "
                f"prompts of 8–20 words from {len(WORDS):,} (Zipf); a rare word is rank "
                f"{RARE_RANK:,} (`{WORDS[RARE_RANK - 1]}`); {settings.seconds:g} s per cell "
                f"over {settings.rounds} alternating rounds"
            )
            sys.stdout.flush()

            async def memory(_: str) -> tuple[AssetLibrary, AsyncEngine | None]:
                return InMemoryAssetLibrary(), None

            async def sqlite_library(name: str) -> tuple[AssetLibrary, AsyncEngine | None]:
                engine = create_engine(f"sqlite:///{folder}/{name}.db")
                await schema.upgrade(engine)
                return SqlAssetLibrary(engine), engine

            async def postgres_library(name: str) -> tuple[AssetLibrary, AsyncEngine | None]:
                engine = create_engine(server.create_database(name))
                await schema.upgrade(engine)
                return SqlAssetLibrary(engine), engine

            openers: list[tuple[str, Opener]] = [("memory", memory), ("SQLite", sqlite_library)]
            if server:
                openers.append(("PostgreSQL", postgres_library))
            fills, timings = [], []
            for name, opener in openers:
                pairs = [await fill(name, opener, data) for data in datasets]
                filled = [one for one, _ in pairs]
                cells = await measure(name, filled, settings)
                for _, engine in pairs:
                    if engine is not None:
                        await engine.dispose()
                fills.append((name, filled))
                timings.append((name, cells))
            print_fill(fills)
            for (name, filled), (_, cells) in zip(fills, timings, strict=True):
                print_calls(name, filled, cells)
            print_growth(timings, settings.sizes)
        finally:
            if server:
                server.stop()
    print(f"\n(run took {time.perf_counter() - began:.0f} s; load average after: {load()})")


if __name__ == "__main__":
    mode = chosen_mode(__doc__.splitlines()[0], "owners of 1k and 20k, short cells")
    asyncio.run(main({"full": FULL, "quick": QUICK, "smoke": SMOKE}[mode], mode))
