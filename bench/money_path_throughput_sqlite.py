"""Figure 3: reserve + commit per second on SQLite, one hot user in one process, through the
store and through raw `sqlite3` replaying the store's own statements, taking turns."""

from __future__ import annotations

import asyncio
import itertools
import tempfile
import uuid
from pathlib import Path

from money_path_replay import record, replay_sqlite, reserve_and_commit, sqlite_connection
from money_path_studio import NO_RATE, open_studio
from money_path_throughput import Throughput, phase_order, rates, timed

HOT = "bench-hot-user"
WARM_UP = 20


def sqlite_throughput(rounds: int, seconds: float) -> Throughput:
    """In a child process."""
    return asyncio.run(_sqlite(rounds, seconds))


async def _sqlite(rounds: int, seconds: float) -> Throughput:
    with tempfile.TemporaryDirectory(prefix="imagestudio-bench-") as folder:
        studio = await open_studio(NO_RATE, (HOT,), profile="local", data_dir=Path(folder))
        url = str(studio.container.settings().effective_database_url)
        raw = sqlite_connection(url.removeprefix("sqlite:///"))
        try:
            store = studio.container.unit_of_work()
            prefix = uuid.uuid4().hex[:8]
            for index in range(WARM_UP):
                await reserve_and_commit(store, f"warm-{prefix}-{index}", HOT)
            recording = await record(store, HOT)

            async def through_store(index: int) -> None:
                await reserve_and_commit(store, f"{prefix}-{index}", HOT)

            async def replayed(index: int) -> None:
                replay_sqlite(raw, recording, f"{prefix}-{index}")

            ids = itertools.count()
            for _ in range(WARM_UP):
                await replayed(next(ids))
            measured = []
            for kind in phase_order(rounds):
                operation = through_store if kind == "store" else replayed
                measured.append((kind, *await timed(seconds, operation, ids)))
        finally:
            raw.close()
            await studio.aclose()
    return Throughput(recording, *rates([measured]), processes=1, users=1)
