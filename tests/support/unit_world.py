"""A unit of work with the stores it spans, on memory, SQLite or PostgreSQL, for the contract
tests: units write through the port; the stores' own reads check what was kept."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
from returns.result import Failure, Result

from imagestudio.adapters.memory.asset_library import InMemoryAssetLibrary
from imagestudio.adapters.memory.idempotency import InMemoryIdempotencyStore
from imagestudio.adapters.memory.ledger import InMemoryLedger
from imagestudio.adapters.memory.operation_store import InMemoryOperationStore
from imagestudio.adapters.memory.quota_store import InMemoryQuotaStore
from imagestudio.adapters.memory.unit_of_work import InMemoryUnitOfWork
from imagestudio.adapters.sql import schema
from imagestudio.adapters.sql.asset_library import SqlAssetLibrary
from imagestudio.adapters.sql.engine import create_engine
from imagestudio.adapters.sql.ledger import SqlLedger
from imagestudio.adapters.sql.operation_store import SqlOperationStore
from imagestudio.adapters.sql.quota_store import SqlQuotaStore
from imagestudio.adapters.sql.unit_of_work import SqlUnitOfWork
from imagestudio.adapters.system.clock import FixedClock
from imagestudio.application.operation_ports import StoredOutcome
from imagestudio.application.ports.unit_of_work import Claim, Lease, Moved, UnitOfWork
from imagestudio.domain.asset import Asset
from imagestudio.domain.errors import (
    ProviderErrorKind,
    ProviderFailed,
    QuotaRefusal,
    StorageQuotaExceeded,
    UnknownUser,
)
from imagestudio.domain.limit import Limit
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.operation_kind import OperationKind, QuotaCategory
from imagestudio.domain.plan import Plan
from imagestudio.domain.quota import Counter, ReservationRequest, Settlement
from imagestudio.domain.reservation import Reservation
from imagestudio.domain.usage_record import Outcome, UsageRecord

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
PERIOD = "2026-11-01"
GEN = QuotaCategory.IMAGE_GENERATION
PLAN = Plan(
    name="small",
    calls={GEN: Limit.of(5)},
    spend_cap=Limit.of(1_000_000),
    concurrent_operations=Limit.of(3),
    requests_per_minute=Limit.of(4),
    storage_bytes=Limit.of(8192),  # two assets of `an_asset`'s size fill it
)
LEASE = Lease(holder="worker-1", until=NOW + timedelta(minutes=1))

Quota = InMemoryQuotaStore | SqlQuotaStore
Operations = InMemoryOperationStore | SqlOperationStore
Ledger = InMemoryLedger | SqlLedger
Library = InMemoryAssetLibrary | SqlAssetLibrary


@dataclass(frozen=True, slots=True)
class World:
    """A unit of work, and the stores it spans as the rest of the library reads them."""

    units: UnitOfWork
    quota: Quota
    ledger: Ledger
    operations: Operations
    library: Library


def memory_units(
    quota: InMemoryQuotaStore,
    ledger: InMemoryLedger | None = None,
    operations: InMemoryOperationStore | None = None,
    library: InMemoryAssetLibrary | None = None,
) -> InMemoryUnitOfWork:
    """A unit of work over `quota` and the other stores (fresh ones where not given)."""
    keys: InMemoryIdempotencyStore[StoredOutcome] = InMemoryIdempotencyStore()
    return InMemoryUnitOfWork(
        quota,
        InMemoryLedger() if ledger is None else ledger,
        InMemoryOperationStore() if operations is None else operations,
        keys,
        InMemoryAssetLibrary() if library is None else library,
    )


@asynccontextmanager
async def memory_world() -> AsyncIterator[World]:
    quota = InMemoryQuotaStore([PLAN], clock=FixedClock(NOW))
    ledger, operations, library = InMemoryLedger(), InMemoryOperationStore(), InMemoryAssetLibrary()
    units = memory_units(quota, ledger, operations, library)
    yield World(units, quota, ledger, operations, library)


@asynccontextmanager
async def sql_world(url: str, *, create: bool = True) -> AsyncIterator[World]:
    """`url`'s database, its schema made by the migrations unless `create` is False."""
    engine = create_engine(url)
    units = SqlUnitOfWork(url)
    try:
        if create:
            await schema.upgrade(engine)
        quota = SqlQuotaStore(engine, FixedClock(NOW))
        if create:
            await quota.define_plan(PLAN)
        yield World(
            units, quota, SqlLedger(engine), SqlOperationStore(engine), SqlAssetLibrary(engine)
        )
    finally:
        await units.aclose()
        await engine.dispose()


@asynccontextmanager
async def world_for(request: pytest.FixtureRequest) -> AsyncIterator[World]:
    """The world of a fixture parametrised by backend: memory, sqlite or postgresql."""
    url = None
    if request.param != "memory":
        fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
        url = str(request.getfixturevalue(fixture))
    async with world_on(request.param, url) as world:
        yield world


BACKENDS = ["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@asynccontextmanager
async def world_on(backend: str, url: str | None) -> AsyncIterator[World]:
    if backend == "memory":
        async with memory_world() as world:
            yield world
        return
    assert url is not None
    async with sql_world(url) as world:
        yield world


async def totals(world: World, user: str = "ada") -> dict[str, tuple[int, int]]:
    """The user's counters that are not zero, by name: (used, held)."""
    counters = await world.quota.counters(user, NOW)
    return {key.name: (c.used, c.held) for key, c in counters.items() if c != Counter()}


Granted = Result[Reservation, QuotaRefusal | UnknownUser | StorageQuotaExceeded]


async def reserve_alone(
    units: UnitOfWork, reservation_id: str, request: ReservationRequest
) -> Granted:
    """What a unit that only reserves answers; the unit is committed whatever the answer (a
    refusal holds nothing either way)."""
    async with units.begin() as unit:
        granted = await unit.quota.reserve(reservation_id, request)
        await unit.commit()
    return granted


async def settle_alone(
    units: UnitOfWork, reservation_id: str, settlement: Settlement | None
) -> Moved:
    """Commit (with `settlement`) or release (None) the reservation in a unit of its own; the
    commit's receipt (empty for a release)."""
    async with units.begin() as unit:
        if settlement is None:
            await unit.quota.release(reservation_id)
            moved = Moved()
        else:
            moved = await unit.quota.commit(reservation_id, settlement)
        await unit.commit()
    return moved


async def answer_of(units: UnitOfWork, user: str, key: str, request_hash: str) -> Claim:
    """What a claim of the key answers now, in a unit rolled back: the key's state."""
    async with units.begin() as unit:
        return await unit.idempotency.claim(user, key, request_hash, NOW, "op_probe")


def a_request(
    user: str = "ada", outputs: int = 1, amount: int = 100_000, *, needs_storage: bool = False
) -> ReservationRequest:
    return ReservationRequest(
        user_id=user,
        category=GEN,
        outputs=outputs,
        amount=amount,
        provider="acme",
        at=NOW,
        needs_storage=needs_storage,
    )


def an_operation(
    operation_id: str = "op_1",
    user: str = "ada",
    status: OperationStatus = OperationStatus.RESERVED,
    **changes: object,
) -> ImageOperation:
    operation = ImageOperation(
        id=operation_id,
        user_id=user,
        kind=OperationKind.TEXT_TO_IMAGE,
        model_id="flux-schnell",
        provider="acme",
        prompt="a lighthouse",
        input_digests=(),
        parameters={"seed": 7},
        outputs_requested=1,
        created_at=NOW,
        updated_at=NOW,
        status=status,
        reservation_id=f"res_{operation_id}",
    )
    return replace(operation, **changes)  # type: ignore[arg-type]


def a_line(operation_id: str = "op_1", user: str = "ada", charge: int = 40_000) -> UsageRecord:
    return UsageRecord(
        user_id=user,
        operation_id=operation_id,
        model_id="flux-schnell",
        provider="acme",
        kind=OperationKind.TEXT_TO_IMAGE,
        outputs=1,
        user_charge=charge,
        provider_cost=charge,
        outcome=Outcome.SUCCEEDED,
        output_bytes=4096,
        latency_ms=800,
        billing_period=PERIOD,
        started_at=NOW,
        finished_at=NOW + timedelta(seconds=1),
    )


def an_asset(asset_id: str = "ast_1", owner: str = "ada", operation_id: str = "op_1") -> Asset:
    return Asset(
        id=asset_id,
        owner=owner,
        operation_id=operation_id,
        model_id="flux-schnell",
        kind=OperationKind.TEXT_TO_IMAGE,
        media_type=MediaType.PNG,
        size_bytes=4096,
        created_at=NOW + timedelta(seconds=1),
        width=64,
        height=64,
        prompt="a lighthouse at night",
        cost=40_000,
    )


def a_failure() -> StoredOutcome:
    return Failure(ProviderFailed(provider="acme", kind=ProviderErrorKind.MODERATION, detail="no"))
