"""Benchmark: what the money path costs on top of the provider call.

Prints a table of ratios (no timing thresholds here: `make bench` is for people to read):
- reserve+commit per second through the in-memory unit of work (a unit that reserves, then one
  that commits, as the money path's accept and settle do);
- one full offline operation (validate, price, reserve, call, store, commit, ledger) against
  the offline provider called directly with the same job, i.e. the bookkeeping overhead.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

from imagestudio.adapters.memory.asset_library import InMemoryAssetLibrary
from imagestudio.adapters.memory.idempotency import InMemoryIdempotencyStore
from imagestudio.adapters.memory.ledger import InMemoryLedger
from imagestudio.adapters.memory.operation_store import InMemoryOperationStore
from imagestudio.adapters.memory.quota_store import InMemoryQuotaStore
from imagestudio.adapters.memory.unit_of_work import InMemoryUnitOfWork
from imagestudio.application.operation_ports import StoredOutcome
from imagestudio.application.outcomes import split_into_calls
from imagestudio.application.preparation import prepare
from imagestudio.application.requests import OperationRequest
from imagestudio.domain.operation_kind import OperationKind, QuotaCategory
from imagestudio.domain.quota import ReservationRequest, Settlement
from imagestudio.domain.reference_plans import REFERENCE_PLANS
from imagestudio.entrypoints.api import ImageStudio, Profile

ROUNDS = 2_000
OPERATIONS = 40


async def reserve_commit_rate() -> float:
    units = InMemoryUnitOfWork(
        InMemoryQuotaStore(REFERENCE_PLANS, users={"u": "local"}),
        InMemoryLedger(),
        InMemoryOperationStore(),
        InMemoryIdempotencyStore[StoredOutcome](),
        InMemoryAssetLibrary(),
    )
    at = datetime(2026, 11, 25, tzinfo=UTC)
    start = time.perf_counter()
    for index in range(ROUNDS):
        request = ReservationRequest(
            user_id="u",
            category=QuotaCategory.IMAGE_GENERATION,
            outputs=1,
            amount=30_000,
            provider="wavespeed",
            at=at,
        )
        async with units.begin() as unit:
            (await unit.quota.reserve(f"r{index}", request)).unwrap()
            await unit.commit()
        async with units.begin() as unit:
            await unit.quota.commit(f"r{index}", Settlement(outputs=1, amount=30_000))
            await unit.commit()
    return ROUNDS / (time.perf_counter() - start)


async def overhead(size: int) -> tuple[float, float]:
    with TemporaryDirectory() as data:
        studio = ImageStudio.open(profile=Profile.OFFLINE, data_dir=Path(data))
        request = OperationRequest(
            user_id="local",
            kind=OperationKind.TEXT_TO_IMAGE,
            prompt="a benchmark",
            width=size,
            height=size,
            seed=1,
        )
        ports = studio.container.ports()
        job = split_into_calls((await prepare(ports, request)).unwrap())[0]
        provider = studio.container.offline_provider()

        class Unwatched:
            """A `SubmissionReport` that writes nothing down."""

            sent = False

            async def sending(self, task_id: str | None = None) -> None:

                del task_id  # told up front by the offline provider only; not what this records
                return

            async def accepted(self, task_id: str) -> None:
                del task_id

            def progressed(self, detail: str) -> None:
                del detail

        direct, full = [], []
        for _ in range(OPERATIONS):
            start = time.perf_counter()
            await provider.run(job, Unwatched())
            direct.append(time.perf_counter() - start)
            start = time.perf_counter()
            (await studio.container.run_operation().execute(request)).unwrap()
            full.append(time.perf_counter() - start)
        return statistics.median(direct), statistics.median(full)


async def main() -> None:
    rate = await reserve_commit_rate()
    print("| measure | value | ratio |")
    print("|---|---|---|")
    print(f"| in-memory reserve+commit (unit of work) | {rate:,.0f}/s | - |")
    for size in (256, 1024):
        direct, full = await overhead(size)
        print(
            f"| offline {size}x{size}: provider alone vs full money path (local files) "
            f"| {direct * 1000:.1f} ms vs {full * 1000:.1f} ms | {full / direct:.2f}x |"
        )


if __name__ == "__main__":
    asyncio.run(main())
