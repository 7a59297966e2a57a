"""The in-memory ledger, operation store and idempotency store."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from imagestudio.adapters.memory.idempotency import InMemoryIdempotencyStore
from imagestudio.adapters.memory.ledger import InMemoryLedger
from imagestudio.adapters.memory.operation_store import InMemoryOperationStore
from imagestudio.adapters.system.clock import FixedClock
from imagestudio.application.ports.idempotency import (
    Claimed,
    KeyReusedDifferently,
    Replay,
    StillRunning,
)
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.usage_record import Outcome, UsageRecord

T0 = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


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
        finished_at=T0 + timedelta(seconds=1),
    )
    return replace(record, **changes)  # type: ignore[arg-type]


# Ledger


async def test_ledger_gives_back_the_line_of_an_operation() -> None:
    ledger = InMemoryLedger()
    await ledger.append(a_record("op_1"))

    assert await ledger.for_operation("op_1") == a_record("op_1")


async def test_ledger_has_no_line_for_an_unfinished_operation() -> None:
    assert await InMemoryLedger().for_operation("op_1") is None


async def test_ledger_refuses_a_second_line_for_the_same_operation() -> None:
    ledger = InMemoryLedger()
    await ledger.append(a_record("op_1"))

    with pytest.raises(ValueError, match="op_1"):
        await ledger.append(a_record("op_1", user_charge=0))

    assert await ledger.for_operation("op_1") == a_record("op_1")
    assert await ledger.for_user("alice") == (a_record("op_1"),)


async def test_ledger_lists_a_users_lines_oldest_first() -> None:
    ledger = InMemoryLedger()
    for operation_id in ("op_1", "op_2", "op_3"):
        await ledger.append(a_record(operation_id))

    lines = await ledger.for_user("alice")

    assert [line.operation_id for line in lines] == ["op_1", "op_2", "op_3"]


async def test_ledger_lists_only_that_users_lines() -> None:
    ledger = InMemoryLedger()
    await ledger.append(a_record("op_1"))
    await ledger.append(a_record("op_2", user_id="bob"))

    assert await ledger.for_user("bob") == (a_record("op_2", user_id="bob"),)


async def test_ledger_lists_only_one_billing_period_when_asked() -> None:
    ledger = InMemoryLedger()
    await ledger.append(a_record("op_1"))
    await ledger.append(a_record("op_2", billing_period="2026-04-01"))

    lines = await ledger.for_user("alice", period="2026-04-01")

    assert [line.operation_id for line in lines] == ["op_2"]


# Operation store


def an_operation(operation_id: str = "op_1") -> ImageOperation:
    return ImageOperation(
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


async def test_operation_store_gives_back_a_saved_operation() -> None:
    store = InMemoryOperationStore()
    await store.save(an_operation())

    assert await store.get("op_1") == an_operation()


async def test_operation_store_has_nothing_for_an_unknown_id() -> None:
    assert await InMemoryOperationStore().get("op_404") is None


async def test_operation_store_keeps_the_latest_state() -> None:
    store = InMemoryOperationStore()
    await store.save(an_operation())
    reserved = an_operation().advance(OperationStatus.RESERVED, T0, reservation_id="res_1").unwrap()
    await store.save(reserved)

    assert await store.get("op_1") == reserved


# Idempotency store


async def test_a_fresh_key_is_claimed() -> None:
    keys = InMemoryIdempotencyStore[str]()

    assert await keys.claim("alice", "k1", "hash-a", T0) == Claimed()


async def test_the_same_request_while_the_first_runs_is_told_it_is_still_running() -> None:
    keys = InMemoryIdempotencyStore[str]()
    await keys.claim("alice", "k1", "hash-a", T0)

    assert await keys.claim("alice", "k1", "hash-a", T0) == StillRunning()


async def test_the_same_request_after_the_first_finished_replays_its_outcome() -> None:
    keys = InMemoryIdempotencyStore[str]()
    await keys.claim("alice", "k1", "hash-a", T0)
    await keys.finish("alice", "k1", "op_1 succeeded")

    assert await keys.claim("alice", "k1", "hash-a", T0) == Replay("op_1 succeeded")


async def test_a_none_outcome_is_replayed_too() -> None:
    keys = InMemoryIdempotencyStore[None]()
    await keys.claim("alice", "k1", "hash-a", T0)
    await keys.finish("alice", "k1", None)

    assert await keys.claim("alice", "k1", "hash-a", T0) == Replay(None)


async def test_a_key_reused_for_a_different_request_is_refused() -> None:
    keys = InMemoryIdempotencyStore[str]()
    await keys.claim("alice", "k1", "hash-a", T0)

    assert await keys.claim("alice", "k1", "hash-b", T0) == KeyReusedDifferently()


async def test_a_finished_key_reused_for_a_different_request_is_refused() -> None:
    keys = InMemoryIdempotencyStore[str]()
    await keys.claim("alice", "k1", "hash-a", T0)
    await keys.finish("alice", "k1", "op_1 succeeded")

    assert await keys.claim("alice", "k1", "hash-b", T0) == KeyReusedDifferently()


async def test_keys_belong_to_one_user() -> None:
    keys = InMemoryIdempotencyStore[str]()
    await keys.claim("alice", "k1", "hash-a", T0)

    assert await keys.claim("bob", "k1", "hash-b", T0) == Claimed()


async def test_a_forgotten_claim_can_be_claimed_again() -> None:
    keys = InMemoryIdempotencyStore[str]()
    await keys.claim("alice", "k1", "hash-a", T0)
    await keys.forget("alice", "k1")

    assert await keys.claim("alice", "k1", "hash-b", T0) == Claimed()


async def test_forgetting_a_finished_key_keeps_its_outcome() -> None:
    keys = InMemoryIdempotencyStore[str]()
    await keys.claim("alice", "k1", "hash-a", T0)
    await keys.finish("alice", "k1", "op_1 succeeded")
    await keys.forget("alice", "k1")

    assert await keys.claim("alice", "k1", "hash-a", T0) == Replay("op_1 succeeded")


async def test_forgetting_an_unknown_key_does_nothing() -> None:
    await InMemoryIdempotencyStore[str]().forget("alice", "k1")


async def test_finishing_an_unclaimed_key_is_refused() -> None:
    with pytest.raises(LookupError):
        await InMemoryIdempotencyStore[str]().finish("alice", "k1", "op_1 succeeded")


async def test_finishing_a_key_twice_is_refused() -> None:
    keys = InMemoryIdempotencyStore[str]()
    await keys.claim("alice", "k1", "hash-a", T0)
    await keys.finish("alice", "k1", "first")

    with pytest.raises(ValueError, match="already"):
        await keys.finish("alice", "k1", "second")

    assert await keys.claim("alice", "k1", "hash-a", T0) == Replay("first")


async def test_a_finished_key_replays_until_its_retention_ends() -> None:
    clock = FixedClock(T0)
    keys = InMemoryIdempotencyStore[str]()
    await keys.claim("alice", "k1", "hash-a", clock.now())
    await keys.finish("alice", "k1", "op_1 succeeded")

    clock.advance(timedelta(hours=24) - timedelta(microseconds=1))

    assert await keys.claim("alice", "k1", "hash-a", clock.now()) == Replay("op_1 succeeded")


async def test_an_expired_key_is_claimable_again_even_for_another_request() -> None:
    clock = FixedClock(T0)
    keys = InMemoryIdempotencyStore[str]()
    await keys.claim("alice", "k1", "hash-a", clock.now())
    await keys.finish("alice", "k1", "op_1 succeeded")

    clock.advance(timedelta(hours=24))

    assert await keys.claim("alice", "k1", "hash-b", clock.now()) == Claimed()


async def test_an_expired_running_claim_is_claimable_again() -> None:
    clock = FixedClock(T0)
    keys = InMemoryIdempotencyStore[str](retention=timedelta(minutes=5))
    await keys.claim("alice", "k1", "hash-a", clock.now())

    clock.advance(timedelta(minutes=5))

    assert await keys.claim("alice", "k1", "hash-a", clock.now()) == Claimed()


async def test_retention_is_counted_from_the_latest_claim() -> None:
    clock = FixedClock(T0)
    keys = InMemoryIdempotencyStore[str](retention=timedelta(minutes=5))
    await keys.claim("alice", "k1", "hash-a", clock.now())
    clock.advance(timedelta(minutes=5))
    await keys.claim("alice", "k1", "hash-b", clock.now())

    clock.advance(timedelta(minutes=4))

    assert await keys.claim("alice", "k1", "hash-a", clock.now()) == KeyReusedDifferently()


def test_a_retention_of_no_time_is_refused() -> None:
    with pytest.raises(ValueError, match="kept"):
        InMemoryIdempotencyStore[str](retention=timedelta(0))
