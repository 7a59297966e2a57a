"""One contract for every ledger, operation store and idempotency store: what the money path
may rely on, whether the state lives in memory, in SQLite or in PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from returns.result import Failure, Success

from imagestudio.adapters.memory.idempotency import InMemoryIdempotencyStore
from imagestudio.adapters.memory.ledger import InMemoryLedger
from imagestudio.adapters.memory.operation_store import InMemoryOperationStore
from imagestudio.adapters.sql import tables
from imagestudio.adapters.sql.engine import create_engine
from imagestudio.adapters.sql.idempotency import SqlIdempotencyStore
from imagestudio.adapters.sql.ledger import SqlLedger
from imagestudio.adapters.sql.operation_store import SqlOperationStore
from imagestudio.adapters.system.clock import FixedClock
from imagestudio.application.operation_ports import StoredOutcome
from imagestudio.application.ports.idempotency import (
    DEFAULT_RETENTION,
    Claimed,
    IdempotencyStore,
    KeyReusedDifferently,
    Replay,
    StillRunning,
)
from imagestudio.application.ports.ledger import Ledger
from imagestudio.application.ports.operation_store import OperationStore
from imagestudio.application.requests import OperationResult
from imagestudio.domain.asset import Asset
from imagestudio.domain.errors import ProviderErrorKind, ProviderFailed, QuotaExceeded
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.usage_record import Outcome, UsageRecord

T0 = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


# -- what the tests store -----------------------------------------------------------------------


def a_record(operation_id: str = "op_1", **changes: object) -> UsageRecord:
    record = UsageRecord(
        user_id="alice",
        operation_id=operation_id,
        model_id="flux-schnell",
        provider="fal",
        kind=OperationKind.TEXT_TO_IMAGE,
        outputs=1,
        user_charge=3_000,
        provider_cost=3_000,
        outcome=Outcome.SUCCEEDED,
        output_bytes=1234,
        latency_ms=800,
        billing_period="2026-03-01",
        started_at=T0,
        finished_at=T0 + timedelta(seconds=1, microseconds=123_456),
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def an_operation(operation_id: str = "op_1", **changes: object) -> ImageOperation:
    operation = ImageOperation(
        id=operation_id,
        user_id="alice",
        kind=OperationKind.TEXT_TO_IMAGE,
        model_id="flux-schnell",
        provider="fal",
        prompt="a lighthouse",
        input_digests=(),
        parameters={"seed": 7},
        outputs_requested=1,
        created_at=T0,
        updated_at=T0,
    )
    return replace(operation, **changes)  # type: ignore[arg-type]


def a_finished_operation(operation_id: str = "op_1") -> ImageOperation:
    """An operation with every field set to something other than its default."""
    return an_operation(
        operation_id,
        kind=OperationKind.IMAGE_EDIT,
        prompt="turn the sky to night — «nuit» \u2603",
        input_digests=("a" * 64, "b" * 64),
        parameters={"seed": 7, "strength": 0.35, "mode": "general", "safe": True},
        outputs_requested=2,
        updated_at=T0 + timedelta(seconds=3, microseconds=5),
        status=OperationStatus.SUCCEEDED,
        reservation_id="res_1",
        provider_task_ids=("task_1", "task_2"),
        asset_ids=("ast_1", "ast_2"),
        charged=55_000,
        error="one output was filtered",
        idempotency_key="key-1",
        input_asset_ids=("ast_0",),
        output_size=(1536, 640),
    )


def an_asset(asset_id: str = "ast_1", **changes: object) -> Asset:
    asset = Asset(
        id=asset_id,
        owner="alice",
        operation_id="op_1",
        model_id="flux-schnell",
        kind=OperationKind.IMAGE_EDIT,
        media_type=MediaType.PNG,
        size_bytes=4096,
        created_at=T0 + timedelta(seconds=2),
        width=1024,
        height=768,
        prompt="turn the sky to night",
        cost=27_500,
    )
    return replace(asset, **changes)  # type: ignore[arg-type]


def a_success(operation_id: str = "op_1") -> StoredOutcome:
    return Success(
        OperationResult(
            operation=a_finished_operation(operation_id),
            assets=(
                an_asset("ast_1"),
                an_asset("ast_2", media_type=MediaType.MP4, duration_seconds=5.0, width=None),
            ),
            charged=55_000,
            failed_outputs=("output 3: filtered",),
        )
    )


def a_failure() -> StoredOutcome:
    return Failure(ProviderFailed(provider="fal", kind=ProviderErrorKind.MODERATION, detail="no"))


# -- the implementations ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stores:
    ledger: Ledger
    operations: OperationStore
    keys: Callable[[timedelta], IdempotencyStore[StoredOutcome]]
    """An idempotency store keeping keys for the given retention."""


@pytest.fixture(
    params=[
        pytest.param("memory", id="memory"),
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
async def stores(request: pytest.FixtureRequest) -> AsyncIterator[Stores]:
    if request.param == "memory":
        yield Stores(
            ledger=InMemoryLedger(),
            operations=InMemoryOperationStore(),
            keys=InMemoryIdempotencyStore[StoredOutcome],
        )
        return
    url = str(
        request.getfixturevalue(f"{'sqlite' if request.param == 'sqlite' else 'postgres'}_url")
    )
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(tables.metadata.create_all)
        yield Stores(
            ledger=SqlLedger(engine),
            operations=SqlOperationStore(engine),
            keys=lambda retention: SqlIdempotencyStore(engine, retention),
        )
    finally:
        await engine.dispose()


# -- ledger -------------------------------------------------------------------------------------


async def test_ledger_gives_back_the_line_of_an_operation(stores: Stores) -> None:
    await stores.ledger.append(a_record("op_1", idempotency_key="k1", reason="why"))

    assert await stores.ledger.for_operation("op_1") == a_record(
        "op_1", idempotency_key="k1", reason="why"
    )


async def test_ledger_has_no_line_for_an_unfinished_operation(stores: Stores) -> None:
    assert await stores.ledger.for_operation("op_1") is None


async def test_ledger_refuses_a_second_line_for_the_same_operation(stores: Stores) -> None:
    await stores.ledger.append(a_record("op_1"))

    with pytest.raises(ValueError, match="op_1"):
        await stores.ledger.append(a_record("op_1", user_charge=0))

    assert await stores.ledger.for_operation("op_1") == a_record("op_1")
    assert await stores.ledger.for_user("alice") == (a_record("op_1"),)


async def test_ledger_takes_more_lines_after_refusing_one(stores: Stores) -> None:
    await stores.ledger.append(a_record("op_1"))
    with pytest.raises(ValueError, match="op_1"):
        await stores.ledger.append(a_record("op_1"))

    await stores.ledger.append(a_record("op_2"))

    assert [line.operation_id for line in await stores.ledger.for_user("alice")] == [
        "op_1",
        "op_2",
    ]


async def test_ledger_lists_a_users_lines_oldest_first(stores: Stores) -> None:
    for operation_id in ("op_3", "op_1", "op_2"):
        await stores.ledger.append(a_record(operation_id))

    lines = await stores.ledger.for_user("alice")

    assert [line.operation_id for line in lines] == ["op_3", "op_1", "op_2"]


async def test_ledger_lists_only_that_users_lines(stores: Stores) -> None:
    await stores.ledger.append(a_record("op_1"))
    await stores.ledger.append(a_record("op_2", user_id="bob"))

    assert await stores.ledger.for_user("bob") == (a_record("op_2", user_id="bob"),)
    assert await stores.ledger.for_user("carol") == ()


async def test_ledger_lists_only_one_billing_period_when_asked(stores: Stores) -> None:
    await stores.ledger.append(a_record("op_1"))
    await stores.ledger.append(a_record("op_2", billing_period="2026-04-01"))
    await stores.ledger.append(a_record("op_3"))

    in_april = await stores.ledger.for_user("alice", period="2026-04-01")
    in_march = await stores.ledger.for_user("alice", period="2026-03-01")

    assert [line.operation_id for line in in_april] == ["op_2"]
    assert [line.operation_id for line in in_march] == ["op_1", "op_3"]


async def test_ledger_keeps_every_outcome_and_kind(stores: Stores) -> None:
    lines = [
        a_record(f"op_{outcome.value}_{kind.value}", outcome=outcome, kind=kind)
        for outcome in Outcome
        for kind in OperationKind
    ]
    for line in lines:
        await stores.ledger.append(line)

    assert await stores.ledger.for_user("alice") == tuple(lines)


# -- operation store ----------------------------------------------------------------------------


async def test_operation_store_gives_back_a_saved_operation(stores: Stores) -> None:
    await stores.operations.save(an_operation())

    assert await stores.operations.get("op_1") == an_operation()


async def test_operation_store_gives_back_every_field(stores: Stores) -> None:
    await stores.operations.save(a_finished_operation())

    assert await stores.operations.get("op_1") == a_finished_operation()


async def test_operation_store_has_nothing_for_an_unknown_id(stores: Stores) -> None:
    assert await stores.operations.get("op_404") is None


async def test_operation_store_keeps_the_latest_state(stores: Stores) -> None:
    await stores.operations.save(an_operation())
    reserved = an_operation().advance(OperationStatus.RESERVED, T0, reservation_id="res_1").unwrap()
    await stores.operations.save(reserved)

    assert await stores.operations.get("op_1") == reserved


async def test_operation_store_keeps_operations_apart(stores: Stores) -> None:
    await stores.operations.save(an_operation("op_1"))
    await stores.operations.save(an_operation("op_2", prompt="another"))
    await stores.operations.save(replace(an_operation("op_1"), charged=9))

    assert await stores.operations.get("op_2") == an_operation("op_2", prompt="another")
    assert await stores.operations.get("op_1") == an_operation("op_1", charged=9)


# -- unknown operations, taken for reconciliation --------------------------------------------


def an_unknown_operation(operation_id: str) -> ImageOperation:
    return replace(an_operation(operation_id), status=OperationStatus.UNKNOWN)


async def test_an_unknown_operation_without_a_lease_is_taken_once(stores: Stores) -> None:
    leases = stores.operations
    assert isinstance(leases, InMemoryOperationStore | SqlOperationStore)
    await stores.operations.save(an_unknown_operation("op_1"))
    await stores.operations.save(replace(an_operation("op_2"), status=OperationStatus.SUBMITTED))
    until = T0 + timedelta(seconds=30)

    assert await leases.take_unknown(T0, "r1", until) == ("op_1",)
    assert await leases.take_unknown(T0 + timedelta(seconds=1), "r2", until) == ()
    # Still unknown once the first reconciler's lease ran out: taken again.
    assert await leases.take_unknown(until + timedelta(seconds=1), "r2", until) == ("op_1",)


async def test_an_unknown_operation_leased_by_a_live_process_is_not_taken(stores: Stores) -> None:
    leases = stores.operations
    assert isinstance(leases, InMemoryOperationStore | SqlOperationStore)
    await stores.operations.save(an_unknown_operation("op_1"))
    await leases.hold("op_1", "worker", T0 + timedelta(seconds=60))

    assert await leases.take_unknown(T0, "r1", T0 + timedelta(seconds=30)) == ()
    assert await leases.take_unknown(T0 + timedelta(seconds=61), "r1", T0) == ("op_1",)


async def test_only_unknown_operations_are_taken_for_reconciliation(stores: Stores) -> None:
    leases = stores.operations
    assert isinstance(leases, InMemoryOperationStore | SqlOperationStore)
    for number, status in enumerate(OperationStatus):
        await stores.operations.save(replace(an_operation(f"op_{number}"), status=status))

    taken = await leases.take_unknown(T0, "r1", T0 + timedelta(seconds=30), limit=100)

    assert [(await stores.operations.get(i)).status for i in taken] == [OperationStatus.UNKNOWN]  # type: ignore[union-attr]


# -- idempotency store --------------------------------------------------------------------------


async def test_a_fresh_key_is_claimed(stores: Stores) -> None:
    keys = stores.keys(DEFAULT_RETENTION)

    assert await keys.claim("alice", "k1", "hash-a", T0) == Claimed()


async def test_the_same_request_while_the_first_runs_is_told_it_is_still_running(
    stores: Stores,
) -> None:
    keys = stores.keys(DEFAULT_RETENTION)
    await keys.claim("alice", "k1", "hash-a", T0)

    assert await keys.claim("alice", "k1", "hash-a", T0) == StillRunning()


@pytest.mark.parametrize("outcome", [a_success(), a_failure()], ids=["success", "failure"])
async def test_the_same_request_after_the_first_finished_replays_its_outcome(
    stores: Stores, outcome: StoredOutcome
) -> None:
    keys = stores.keys(DEFAULT_RETENTION)
    await keys.claim("alice", "k1", "hash-a", T0)
    await keys.finish("alice", "k1", outcome)

    assert await keys.claim("alice", "k1", "hash-a", T0) == Replay(outcome)
    assert await keys.claim("alice", "k1", "hash-a", T0 + timedelta(hours=1)) == Replay(outcome)


async def test_a_refusal_with_its_numbers_is_replayed(stores: Stores) -> None:
    refused: StoredOutcome = Failure(
        QuotaExceeded(
            user_id="alice",
            limit_name="spend",
            used=1_900_000,
            held=50_000,
            limit=2_000_000,
            requested=80_000,
            resets_at=datetime(2026, 4, 1, tzinfo=UTC),
        )
    )
    keys = stores.keys(DEFAULT_RETENTION)
    await keys.claim("alice", "k1", "hash-a", T0)
    await keys.finish("alice", "k1", refused)

    assert await keys.claim("alice", "k1", "hash-a", T0) == Replay(refused)


async def test_a_key_reused_for_a_different_request_is_refused(stores: Stores) -> None:
    keys = stores.keys(DEFAULT_RETENTION)
    await keys.claim("alice", "k1", "hash-a", T0)

    assert await keys.claim("alice", "k1", "hash-b", T0) == KeyReusedDifferently()


async def test_a_finished_key_reused_for_a_different_request_is_refused(stores: Stores) -> None:
    keys = stores.keys(DEFAULT_RETENTION)
    await keys.claim("alice", "k1", "hash-a", T0)
    await keys.finish("alice", "k1", a_success())

    assert await keys.claim("alice", "k1", "hash-b", T0) == KeyReusedDifferently()


async def test_keys_belong_to_one_user(stores: Stores) -> None:
    keys = stores.keys(DEFAULT_RETENTION)
    await keys.claim("alice", "k1", "hash-a", T0)

    assert await keys.claim("bob", "k1", "hash-b", T0) == Claimed()
    assert await keys.claim("alice", "k2", "hash-b", T0) == Claimed()


async def test_a_forgotten_claim_can_be_claimed_again(stores: Stores) -> None:
    keys = stores.keys(DEFAULT_RETENTION)
    await keys.claim("alice", "k1", "hash-a", T0)
    await keys.forget("alice", "k1")

    assert await keys.claim("alice", "k1", "hash-b", T0) == Claimed()


async def test_forgetting_a_finished_key_keeps_its_outcome(stores: Stores) -> None:
    keys = stores.keys(DEFAULT_RETENTION)
    await keys.claim("alice", "k1", "hash-a", T0)
    await keys.finish("alice", "k1", a_success())
    await keys.forget("alice", "k1")

    assert await keys.claim("alice", "k1", "hash-a", T0) == Replay(a_success())


async def test_forgetting_an_unknown_key_does_nothing(stores: Stores) -> None:
    await stores.keys(DEFAULT_RETENTION).forget("alice", "k1")


async def test_forgetting_one_users_key_leaves_anothers(stores: Stores) -> None:
    keys = stores.keys(DEFAULT_RETENTION)
    await keys.claim("alice", "k1", "hash-a", T0)
    await keys.claim("bob", "k1", "hash-a", T0)

    await keys.forget("alice", "k1")

    assert await keys.claim("bob", "k1", "hash-a", T0) == StillRunning()


async def test_finishing_an_unclaimed_key_is_refused(stores: Stores) -> None:
    with pytest.raises(LookupError):
        await stores.keys(DEFAULT_RETENTION).finish("alice", "k1", a_success())


async def test_finishing_a_key_twice_is_refused(stores: Stores) -> None:
    keys = stores.keys(DEFAULT_RETENTION)
    await keys.claim("alice", "k1", "hash-a", T0)
    await keys.finish("alice", "k1", a_success())

    with pytest.raises(ValueError, match="already"):
        await keys.finish("alice", "k1", a_failure())

    assert await keys.claim("alice", "k1", "hash-a", T0) == Replay(a_success())


async def test_a_finished_key_replays_until_its_retention_ends(stores: Stores) -> None:
    clock = FixedClock(T0)
    keys = stores.keys(DEFAULT_RETENTION)
    await keys.claim("alice", "k1", "hash-a", clock.now())
    await keys.finish("alice", "k1", a_success())

    clock.advance(timedelta(hours=24) - timedelta(microseconds=1))

    assert await keys.claim("alice", "k1", "hash-a", clock.now()) == Replay(a_success())


async def test_an_expired_key_is_claimable_again_even_for_another_request(stores: Stores) -> None:
    clock = FixedClock(T0)
    keys = stores.keys(DEFAULT_RETENTION)
    await keys.claim("alice", "k1", "hash-a", clock.now())
    await keys.finish("alice", "k1", a_success())

    clock.advance(timedelta(hours=24))

    assert await keys.claim("alice", "k1", "hash-b", clock.now()) == Claimed()
    assert await keys.claim("alice", "k1", "hash-b", clock.now()) == StillRunning()


async def test_an_expired_running_claim_is_claimable_again(stores: Stores) -> None:
    clock = FixedClock(T0)
    keys = stores.keys(timedelta(minutes=5))
    await keys.claim("alice", "k1", "hash-a", clock.now())

    clock.advance(timedelta(minutes=5))

    assert await keys.claim("alice", "k1", "hash-a", clock.now()) == Claimed()


async def test_a_reclaimed_key_replays_its_new_outcome(stores: Stores) -> None:
    clock = FixedClock(T0)
    keys = stores.keys(timedelta(minutes=5))
    await keys.claim("alice", "k1", "hash-a", clock.now())
    await keys.finish("alice", "k1", a_failure())
    clock.advance(timedelta(minutes=5))
    await keys.claim("alice", "k1", "hash-a", clock.now())

    await keys.finish("alice", "k1", a_success())

    assert await keys.claim("alice", "k1", "hash-a", clock.now()) == Replay(a_success())


async def test_retention_is_counted_from_the_latest_claim(stores: Stores) -> None:
    clock = FixedClock(T0)
    keys = stores.keys(timedelta(minutes=5))
    await keys.claim("alice", "k1", "hash-a", clock.now())
    clock.advance(timedelta(minutes=5))
    await keys.claim("alice", "k1", "hash-b", clock.now())

    clock.advance(timedelta(minutes=4))

    assert await keys.claim("alice", "k1", "hash-a", clock.now()) == KeyReusedDifferently()


async def test_claim_times_in_any_offset_count_the_same(stores: Stores) -> None:
    keys = stores.keys(timedelta(minutes=5))
    paris = T0.astimezone(timezone(timedelta(hours=1)))
    await keys.claim("alice", "k1", "hash-a", paris)

    assert await keys.claim("alice", "k1", "hash-a", T0 + timedelta(minutes=4)) == StillRunning()
    assert await keys.claim("alice", "k1", "hash-a", T0 + timedelta(minutes=5)) == Claimed()


async def test_a_retention_of_no_time_is_refused(stores: Stores) -> None:
    with pytest.raises(ValueError, match="kept"):
        stores.keys(timedelta(0))
