"""kill -9 between reservation and commit: after the sweeper, nothing is held and the operation
is abandoned with a zero-cost ledger line (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dependency_injector import providers

from imagestudio.adapters.sql import schema
from imagestudio.adapters.sql.engine import create_engine
from imagestudio.adapters.system.clock import FixedClock
from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.usage_record import Outcome
from imagestudio.entrypoints.api import ImageStudio, Profile, Settings
from imagestudio.entrypoints.container import build_container

WORKER = Path(__file__).resolve().parents[1] / "support" / "dying_worker.py"
LEASE_SECONDS = 1.0


async def upgrade(url: str) -> None:
    engine = create_engine(url)
    await schema.upgrade(engine)
    await engine.dispose()


def kill_while_reserved(url: str, data_dir: Path) -> None:
    worker = subprocess.Popen(
        [sys.executable, str(WORKER), url, str(data_dir), str(LEASE_SECONDS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None
    line = worker.stdout.readline()
    assert line.strip() == "reserved", worker.stderr.read() if worker.stderr else line
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)


async def studio_at(url: str, data_dir: Path, ahead: timedelta) -> ImageStudio:
    """A studio whose clock runs `ahead` of now (a sweeper looking back after the lease)."""
    settings = Settings(
        profile=Profile.OFFLINE, database_url=url, data_dir=data_dir, lease_seconds=LEASE_SECONDS
    )
    container = build_container(settings)
    container.clock.override(providers.Object(FixedClock(datetime.now(UTC) + ahead)))
    return await ImageStudio(container).start()


async def sweep_after_the_lease(url: str, data_dir: Path) -> None:
    now = await studio_at(url, data_dir, timedelta(0))
    assert (await now.sweep.execute()).abandoned == ()  # the dead worker's lease still runs
    await now.aclose()
    studio = await studio_at(url, data_dir, timedelta(seconds=LEASE_SECONDS * 10))

    report = await studio.sweep.execute()

    assert len(report.abandoned) == 1
    operation = await studio.container.operations().get(report.abandoned[0])
    assert operation.status is OperationStatus.ABANDONED
    line = await studio.container.ledger().for_operation(operation.id)
    assert (line.outcome, line.user_charge) == (Outcome.ABANDONED, 0)
    usage = (await studio.usage.execute("local")).unwrap()
    assert all(row.held == 0 for row in usage.rows)
    await studio.aclose()


def test_a_killed_worker_is_swept_on_sqlite(sqlite_url: str, tmp_path: Path) -> None:
    asyncio.run(upgrade(sqlite_url))
    kill_while_reserved(sqlite_url, tmp_path)
    asyncio.run(sweep_after_the_lease(sqlite_url, tmp_path))


def test_a_killed_worker_is_swept_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    asyncio.run(upgrade(postgres_url))
    kill_while_reserved(postgres_url, tmp_path)
    asyncio.run(sweep_after_the_lease(postgres_url, tmp_path))
