"""Every unit of work — in memory, SQLite, PostgreSQL — keeps the port's promises: a unit is
kept whole at its commit, or leaves no trace at all."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest
from returns.result import Failure, Success
from support.unit_world import (
    BACKENDS,
    LEASE,
    NOW,
    PERIOD,
    World,
    a_failure,
    a_line,
    a_request,
    an_asset,
    an_operation,
    answer_of,
    totals,
    world_for,
)

from imagestudio.application.ports.idempotency import (
    Claimed,
    KeyReusedDifferently,
    Replay,
    StillRunning,
)
from imagestudio.application.ports.unit_of_work import StaleOperation
from imagestudio.domain.errors import QuotaExceeded, RefundTooLarge
from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.quota import Counter, Settlement
from imagestudio.domain.reservation import ReservationState

S = OperationStatus


@pytest.fixture(params=BACKENDS)
async def world(request: pytest.FixtureRequest) -> AsyncIterator[World]:
    async with world_for(request) as world:
        await world.quota.assign("ada", "small")
        await world.quota.assign("bob", "small")
        yield world


async def everything(world: World, operation_id: str = "op_1") -> None:
    """Stage a whole operation's writes in the unit: the shape of an accept and a settle."""
    async with world.units.begin() as unit:
        assert await unit.idempotency.claim("ada", "k1", "h1", NOW, operation_id) == Claimed()
        reserved = await unit.quota.reserve(f"res_{operation_id}", a_request())
        assert isinstance(reserved, Success)
        await unit.operations.add(an_operation(operation_id), LEASE)
        await unit.commit()


async def kept_nothing(world: World) -> None:
    assert await totals(world) == {}
    assert await world.quota.reservation("res_op_1") is None
    assert await world.ledger.for_user("ada") == ()
    assert await world.operations.get("op_1") is None
    assert await world.library.get("ada", "ast_1") is None
    assert await answer_of(world.units, "ada", "k1", "h1") == Claimed()


async def test_a_unit_left_without_commit_leaves_no_trace(world: World) -> None:
    async with world.units.begin() as unit:
        await unit.idempotency.claim("ada", "k1", "h1", NOW, "op_1")
        await unit.quota.reserve("res_op_1", a_request())
        await unit.operations.add(an_operation(), LEASE)
        await unit.ledger.append(a_line())
        await unit.assets.add(an_asset())
        await unit.quota.adjust_spend("ada", PERIOD, 5_000)

    await kept_nothing(world)


async def test_an_exception_inside_the_block_rolls_everything_back(world: World) -> None:
    async def attempt() -> None:
        async with world.units.begin() as unit:
            await unit.quota.reserve("res_op_1", a_request())
            await unit.operations.add(an_operation(), LEASE)
            await unit.ledger.append(a_line())
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await attempt()

    await kept_nothing(world)


async def test_a_committed_unit_keeps_all_of_it(world: World) -> None:
    await everything(world)
    async with world.units.begin() as unit:
        await unit.operations.advance(S.RESERVED, an_operation(status=S.SUCCEEDED, charged=40_000))
        await unit.quota.commit("res_op_1", Settlement(outputs=1, amount=40_000))
        await unit.ledger.append(a_line())
        await unit.assets.add(an_asset())
        await unit.idempotency.finish("ada", "k1", a_failure())
        await unit.commit()

    assert await totals(world) == {"calls:image-generation": (1, 0), "spend": (40_000, 0)}
    reservation = await world.quota.reservation("res_op_1")
    assert reservation is not None and reservation.state is ReservationState.COMMITTED
    assert await world.ledger.for_user("ada") == (a_line(),)
    assert await world.operations.get("op_1") == an_operation(status=S.SUCCEEDED, charged=40_000)
    assert await world.library.get("ada", "ast_1") == an_asset()
    assert await world.library.bytes_used("ada") == 4096
    assert await answer_of(world.units, "ada", "k1", "h1") == Replay(a_failure())


async def test_an_operation_is_added_with_its_lease(world: World) -> None:
    await everything(world)

    assert await world.operations.take_expired(LEASE.until, "sweeper", NOW) == ()
    later = LEASE.until + timedelta(seconds=1)
    assert await world.operations.take_expired(later, "sweeper", later) == ("op_1",)


async def test_a_stale_advance_fails_the_commit_and_keeps_nothing_of_the_unit(
    world: World,
) -> None:
    await everything(world)

    async def attempt() -> None:
        async with world.units.begin() as unit:
            await unit.operations.advance(S.SUBMITTED, an_operation(status=S.SUCCEEDED))
            await unit.quota.commit("res_op_1", Settlement(outputs=1, amount=40_000))
            await unit.ledger.append(a_line())
            await unit.assets.add(an_asset())
            await unit.commit()

    with pytest.raises(StaleOperation):
        await attempt()

    assert await world.operations.get("op_1") == an_operation()
    assert await world.ledger.for_user("ada") == ()
    assert await world.library.get("ada", "ast_1") is None
    assert await totals(world) == {
        "calls:image-generation": (0, 1),
        "spend": (0, 100_000),
        "concurrency": (0, 1),
    }


async def test_adding_an_operation_that_exists_fails_the_commit(world: World) -> None:
    await everything(world)

    async def attempt() -> None:
        async with world.units.begin() as unit:
            await unit.ledger.append(a_line())
            await unit.operations.add(an_operation(status=S.FAILED), LEASE)
            await unit.commit()

    with pytest.raises(ValueError, match="op_1"):
        await attempt()

    assert await world.ledger.for_user("ada") == ()
    assert await world.operations.get("op_1") == an_operation()


async def test_a_second_ledger_line_for_one_operation_fails_the_unit(world: World) -> None:
    async with world.units.begin() as unit:
        await unit.ledger.append(a_line())
        await unit.commit()

    async def attempt() -> None:
        async with world.units.begin() as unit:
            await unit.assets.add(an_asset())
            await unit.ledger.append(a_line(charge=1))
            await unit.commit()

    with pytest.raises(ValueError, match="ledger line"):
        await attempt()

    assert await world.ledger.for_user("ada") == (a_line(),)
    assert await world.library.get("ada", "ast_1") is None


async def test_a_refused_reservation_holds_nothing_even_when_the_unit_commits(
    world: World,
) -> None:
    async with world.units.begin() as unit:
        refused = await unit.quota.reserve("res_1", a_request(outputs=6))
        await unit.commit()

    assert isinstance(refused, Failure) and isinstance(refused.failure(), QuotaExceeded)
    assert await totals(world) == {}
    assert await world.quota.reservation("res_1") is None


async def test_a_unit_reads_its_own_reservations(world: World) -> None:
    async with world.units.begin() as unit:
        results = [await unit.quota.reserve(f"res_{n}", a_request(outputs=2)) for n in range(3)]
        await unit.commit()

    assert [isinstance(result, Success) for result in results] == [True, True, False]
    assert await totals(world) == {
        "calls:image-generation": (0, 4),
        "spend": (0, 200_000),
        "concurrency": (0, 2),
    }


async def test_commit_and_release_settle_a_reservation_exactly_once(world: World) -> None:
    await everything(world)
    for settle_it in ("commit", "commit", "release"):
        async with world.units.begin() as unit:
            if settle_it == "commit":
                await unit.quota.commit("res_op_1", Settlement(outputs=1, amount=30_000))
            else:
                await unit.quota.release("res_op_1")
            await unit.commit()

    assert await totals(world) == {"calls:image-generation": (1, 0), "spend": (30_000, 0)}


async def test_a_release_frees_the_held_amounts(world: World) -> None:
    await everything(world)
    async with world.units.begin() as unit:
        await unit.quota.release("res_op_1")
        await unit.commit()

    assert await totals(world) == {}
    reservation = await world.quota.reservation("res_op_1")
    assert reservation is not None and reservation.state is ReservationState.RELEASED


async def test_spend_moves_by_charges_and_refunds_never_below_zero(world: World) -> None:
    async with world.units.begin() as unit:
        charged = await unit.quota.adjust_spend("ada", PERIOD, 5_000)
        refunded = await unit.quota.adjust_spend("ada", PERIOD, -2_000)
        too_much = await unit.quota.adjust_spend("ada", PERIOD, -4_000)
        await unit.commit()

    assert charged == Success(Counter(used=5_000))
    assert refunded == Success(Counter(used=3_000))
    assert too_much == Failure(
        RefundTooLarge(user_id="ada", period=PERIOD, used=3_000, refund=4_000)
    )
    assert await totals(world) == {"spend": (3_000, 0)}


async def test_claims_answer_by_what_holds_the_key(world: World) -> None:
    await everything(world)

    assert await answer_of(world.units, "ada", "k1", "h1") == StillRunning()
    assert await answer_of(world.units, "ada", "k1", "h2") == KeyReusedDifferently()
    assert await answer_of(world.units, "bob", "k1", "h2") == Claimed()


@pytest.mark.parametrize(
    ("status", "answer"),
    [
        (S.SUCCEEDED, Claimed()),
        (S.FAILED, Claimed()),
        (S.ABANDONED, Claimed()),
        (S.UNKNOWN, StillRunning()),  # still recoverable: reconcile may finish the key
        (S.SUBMITTED, StillRunning()),
    ],
)
async def test_a_key_running_for_a_settled_operation_is_stale_and_taken_over(
    world: World, status: OperationStatus, answer: object
) -> None:
    await everything(world)
    async with world.units.begin() as unit:
        await unit.operations.advance(S.RESERVED, an_operation(status=status))
        await unit.commit()

    async with world.units.begin() as unit:
        assert await unit.idempotency.claim("ada", "k1", "h1", NOW, "op_2") == answer
        await unit.operations.add(an_operation("op_2"), LEASE)
        await unit.commit()

    assert await answer_of(world.units, "ada", "k1", "h1") == StillRunning()


async def test_a_key_whose_operation_was_never_recorded_is_taken_over(world: World) -> None:
    async with world.units.begin() as unit:
        await unit.idempotency.claim("ada", "k1", "h1", NOW, "op_gone")
        await unit.commit()

    assert await answer_of(world.units, "ada", "k1", "h1") == Claimed()
    assert await answer_of(world.units, "ada", "k1", "h2") == KeyReusedDifferently()


async def test_a_handed_over_key_follows_its_new_operation(world: World) -> None:
    await everything(world)
    async with world.units.begin() as unit:
        await unit.operations.advance(S.RESERVED, an_operation(status=S.FAILED))
        await unit.idempotency.hand_over("ada", "k1", "op_2")
        await unit.operations.add(an_operation("op_2"), LEASE)
        await unit.commit()

    assert await answer_of(world.units, "ada", "k1", "h1") == StillRunning()


async def test_a_forgotten_key_is_free_and_a_finished_one_replays(world: World) -> None:
    await everything(world)
    async with world.units.begin() as unit:
        await unit.idempotency.forget("ada", "k1")
        await unit.commit()
    assert await answer_of(world.units, "ada", "k1", "h2") == Claimed()

    async with world.units.begin() as unit:
        await unit.idempotency.claim("ada", "k1", "h2", NOW, "op_1")
        await unit.idempotency.finish("ada", "k1", a_failure())
        await unit.idempotency.forget("ada", "k1")  # a finished key keeps its outcome
        await unit.commit()
    assert await answer_of(world.units, "ada", "k1", "h2") == Replay(a_failure())


async def test_finishing_a_key_nobody_claimed_fails_the_unit(world: World) -> None:
    async def attempt() -> None:
        async with world.units.begin() as unit:
            await unit.ledger.append(a_line())
            await unit.idempotency.finish("ada", "k9", a_failure())
            await unit.commit()

    with pytest.raises(LookupError):
        await attempt()

    assert await world.ledger.for_user("ada") == ()


async def test_an_expired_key_is_claimed_afresh(world: World) -> None:
    await everything(world)
    after = NOW + timedelta(hours=24)
    async with world.units.begin() as unit:
        assert await unit.idempotency.claim("ada", "k1", "h2", after, "op_2") == Claimed()


async def test_a_cancelled_unit_rolls_back_and_the_next_one_runs(world: World) -> None:
    reserving = asyncio.Event()

    async def stuck() -> None:
        async with world.units.begin() as unit:
            await unit.quota.reserve("res_op_1", a_request())
            await unit.ledger.append(a_line())
            reserving.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(stuck())
    await reserving.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    await kept_nothing(world)
    await everything(world)
    assert await world.operations.get("op_1") == an_operation()


async def test_assets_replace_by_id_and_keep_the_owners_total(world: World) -> None:
    for size in (4096, 1000):
        async with world.units.begin() as unit:
            await unit.assets.add(replace(an_asset(), size_bytes=size))
            await unit.commit()

    assert await world.library.bytes_used("ada") == 1000
    found = await world.library.get("ada", "ast_1")
    assert found is not None and found.size_bytes == 1000
