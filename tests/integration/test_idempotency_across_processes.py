"""Processes racing on one idempotency key make one operation and one charge, on both databases."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from imagestudio.adapters.sql import schema
from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.engine import create_engine

WORKER = Path(__file__).resolve().parents[1] / "support" / "idempotent_worker.py"
PROCESSES, COPIES = 3, 3


async def upgrade(url: str) -> None:
    engine = create_engine(url)
    await schema.upgrade(engine)
    await engine.dispose()


async def count(url: str, table: str) -> int:
    engine = create_engine(url)
    async with engine.connect() as connection:
        found = await connection.scalar(select(func.count()).select_from(t.metadata.tables[table]))
    await engine.dispose()
    return int(found or 0)


def send_everywhere(url: str, data_dir: Path) -> list[str]:
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), url, str(data_dir), "key-1", str(COPIES)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    outcomes: list[str] = []
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        outcomes += json.loads(out.strip().splitlines()[-1])
    return outcomes


def check(url: str, outcomes: list[str]) -> None:
    successes = {outcome for outcome in outcomes if outcome.startswith("success:")}
    assert len(successes) == 1  # every success is the one operation, replayed
    assert set(outcomes) - successes <= {"IdempotencyInProgress"}
    assert asyncio.run(count(url, "ledger")) == 1
    assert asyncio.run(count(url, "reservations")) == 1


def test_processes_racing_on_one_key_on_sqlite_make_one_operation(
    sqlite_url: str, tmp_path: Path
) -> None:
    asyncio.run(upgrade(sqlite_url))
    check(sqlite_url, send_everywhere(sqlite_url, tmp_path))


def test_processes_racing_on_one_key_on_postgresql_make_one_operation(
    postgres_url: str, tmp_path: Path
) -> None:
    asyncio.run(upgrade(postgres_url))
    check(postgres_url, send_everywhere(postgres_url, tmp_path))
