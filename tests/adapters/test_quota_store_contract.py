"""Every quota — in memory, SQLite, PostgreSQL — keeps the same promises: reserved and settled
through the unit of work (each call in a unit of its own, as the money path's accept and
settle do), read back through the quota store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from returns.result import Failure, Success
from support.unit_world import (
    BACKENDS,
    Granted,
    World,
    reserve_alone,
    settle_alone,
    world_for,
)

from imagestudio.application.ports.unit_of_work import Moved
from imagestudio.domain.errors import (
    OperatorBudgetExhausted,
    QuotaExceeded,
    RateLimited,
    UnknownUser,
)
from imagestudio.domain.limit import Limit
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.plan import OperatorBudget, Plan
from imagestudio.domain.quota import Counter, ReservationRequest, Settlement
from imagestudio.domain.reservation import ReservationState

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
NOVEMBER, DECEMBER = "2026-11-01", "2026-12-01"
GEN = QuotaCategory.IMAGE_GENERATION
PLAN = Plan(
    name="small",
    calls={GEN: Limit.of(5)},
    spend_cap=Limit.of(1_000_000),
    concurrent_operations=Limit.of(3),
    requests_per_minute=Limit.of(4),
)
ROOMY = Plan(name="roomy", calls={GEN: Limit.of(1_000)})


@pytest.fixture(params=BACKENDS)
async def world(request: pytest.FixtureRequest) -> AsyncIterator[World]:
    async with world_for(request) as world:
        for plan in (PLAN, ROOMY):
            await world.quota.define_plan(plan)
        await world.quota.assign("ada", "small")
        await world.quota.assign("bob", "small")
        yield world


def ask(
    user: str = "ada",
    outputs: int = 1,
    amount: int = 100_000,
    at: datetime = NOW,
    provider: str = "acme",
) -> ReservationRequest:
    return ReservationRequest(
        user_id=user, category=GEN, outputs=outputs, amount=amount, provider=provider, at=at
    )


async def reserve(world: World, reservation_id: str, request: ReservationRequest) -> Granted:
    return await reserve_alone(world.units, reservation_id, request)


async def commit(world: World, reservation_id: str, settlement: Settlement) -> Moved:
    return await settle_alone(world.units, reservation_id, settlement)


async def release(world: World, reservation_id: str) -> None:
    await settle_alone(world.units, reservation_id, None)


async def totals(world: World, user: str = "ada", at: datetime = NOW) -> dict[str, tuple[int, int]]:
    counters = await world.quota.counters(user, at)
    return {key.name: (c.used, c.held) for key, c in counters.items()}


async def state_of(world: World, reservation_id: str) -> ReservationState | None:
    reservation = await world.quota.reservation(reservation_id)
    return None if reservation is None else reservation.state


async def test_a_reservation_holds_every_dimension(world: World) -> None:
    granted = await reserve(world, "r1", ask(outputs=2, amount=300_000))

    assert isinstance(granted, Success)
    assert await totals(world) == {
        "calls:image-generation": (0, 2),
        "spend": (0, 300_000),
        "concurrency": (0, 1),
    }


async def test_a_commit_moves_the_actual_amounts_into_used_once(world: World) -> None:
    await reserve(world, "r1", ask(outputs=2, amount=300_000))

    await commit(world, "r1", Settlement(outputs=1, amount=150_000))
    again = await commit(world, "r1", Settlement(outputs=2, amount=300_000))

    committed = await world.quota.reservation("r1")
    assert committed is not None and committed.state is ReservationState.COMMITTED
    assert committed.settlement == Settlement(outputs=1, amount=150_000)
    assert again == Moved()
    assert await totals(world) == {
        "calls:image-generation": (1, 0),
        "spend": (150_000, 0),
        "concurrency": (0, 0),
    }


async def test_a_reservation_can_be_read_back_as_it_stands(world: World) -> None:
    assert await world.quota.reservation("r1") is None
    granted = (await reserve(world, "r1", ask(outputs=2, amount=300_000))).unwrap()

    held = await world.quota.reservation("r1")
    await commit(world, "r1", Settlement(outputs=1, amount=150_000))
    committed = await world.quota.reservation("r1")

    assert granted.is_open and granted.request == ask(outputs=2, amount=300_000)
    assert granted.period == NOVEMBER
    assert held is not None and held.is_open
    assert held.request.amount == 300_000
    assert committed is not None and committed.state is ReservationState.COMMITTED
    assert committed.settlement == Settlement(outputs=1, amount=150_000)


async def test_a_release_frees_everything_and_a_later_settlement_changes_nothing(
    world: World,
) -> None:
    await world.quota.set_budget(OperatorBudget(provider="acme", monthly=Limit.of(5_000_000)))
    await reserve(world, "r1", ask())

    await release(world, "r1")
    await release(world, "r1")
    after = await commit(world, "r1", Settlement(outputs=1, amount=100_000))

    assert after == Moved()
    assert await state_of(world, "r1") is ReservationState.RELEASED
    assert all(pair == (0, 0) for pair in (await totals(world)).values())
    assert await world.quota.operator_counter("acme", NOVEMBER) == Counter()


async def test_settling_a_reservation_never_made_changes_nothing(world: World) -> None:
    moved = await commit(world, "nope", Settlement(outputs=1, amount=0))
    await release(world, "nope")

    assert moved == Moved()
    assert await world.quota.reservation("nope") is None
    assert await totals(world) == {}


async def test_committing_more_than_was_reserved_fails_the_unit_and_keeps_nothing(
    world: World,
) -> None:
    await reserve(world, "r1", ask(outputs=2, amount=80_000))
    before = await totals(world)

    with pytest.raises(ValueError, match="cannot commit"):
        await commit(world, "r1", Settlement(outputs=2, amount=80_001))

    assert await totals(world) == before
    assert await state_of(world, "r1") is ReservationState.HELD
    await release(world, "r1")
    assert await state_of(world, "r1") is ReservationState.RELEASED


async def test_reserving_the_same_id_twice_holds_once(world: World) -> None:
    await reserve(world, "r1", ask())
    await reserve(world, "r1", ask())

    assert (await totals(world))["calls:image-generation"] == (0, 1)


async def test_a_refusal_names_the_limit_and_holds_nothing(world: World) -> None:
    await reserve(world, "r1", ask(outputs=4))

    refused = await reserve(world, "r2", ask(outputs=2))

    assert isinstance(refused, Failure)
    error = refused.failure()
    assert isinstance(error, QuotaExceeded)
    assert (error.limit_name, error.held, error.limit, error.requested) == (
        "calls:image-generation",
        4,
        5,
        2,
    )
    assert error.resets_at == datetime(2026, 12, 1, tzinfo=UTC)
    assert (await totals(world))["calls:image-generation"] == (0, 4)
    assert await world.quota.reservation("r2") is None


async def test_a_refused_reservation_id_can_be_reserved_later(world: World) -> None:
    await reserve(world, "r1", ask(amount=1_000_000))
    assert isinstance(await reserve(world, "r2", ask(amount=1)), Failure)

    await release(world, "r1")

    assert isinstance(await reserve(world, "r2", ask(amount=1)), Success)


async def test_an_unknown_user_is_refused(world: World) -> None:
    refused = await reserve(world, "r1", ask(user="nobody"))

    assert refused.failure() == UnknownUser("nobody")
    assert await world.quota.plan_of("nobody") == Failure(UnknownUser("nobody"))


async def test_the_operator_budget_is_shared_by_every_user(world: World) -> None:
    await world.quota.set_budget(OperatorBudget(provider="acme", monthly=Limit.of(150_000)))
    await reserve(world, "r1", ask(user="ada"))

    refused = await reserve(world, "r2", ask(user="bob"))

    assert isinstance(refused.failure(), OperatorBudgetExhausted)


async def test_concurrent_operations_are_limited_until_one_settles(world: World) -> None:
    for index in range(3):
        await reserve(world, f"r{index}", ask(amount=1))
    assert isinstance((await reserve(world, "r9", ask(amount=1))).failure(), RateLimited)

    await release(world, "r0")

    assert isinstance(await reserve(world, "r9", ask(amount=1)), Success)


async def test_concurrent_operations_are_counted_across_periods(world: World) -> None:
    await reserve(world, "r1", ask())

    await reserve(world, "r2", ask(at=datetime(2026, 12, 2, tzinfo=UTC)))

    assert (await totals(world, at=datetime(2026, 12, 2, tzinfo=UTC)))["concurrency"] == (0, 2)


async def test_the_request_rate_is_a_sliding_minute(world: World) -> None:
    for index in range(4):
        reservation = f"r{index}"
        await reserve(world, reservation, ask(amount=1, at=NOW + timedelta(seconds=index)))
        await release(world, reservation)

    refused = await reserve(world, "r8", ask(amount=1, at=NOW + timedelta(seconds=30)))
    # The oldest grant, at NOW, leaves the window exactly a minute later.
    later = await reserve(world, "r9", ask(amount=1, at=NOW + timedelta(seconds=60)))

    assert refused == Failure(
        RateLimited(
            user_id="ada", limit_name="requests per minute", limit=4, retry_after_seconds=30
        )
    )
    assert isinstance(later, Success)


async def test_a_request_refused_on_quota_does_not_use_up_the_request_rate(world: World) -> None:
    await world.quota.define_plan(
        Plan(name="small", spend_cap=Limit.of(100_000), requests_per_minute=Limit.of(1))
    )
    assert isinstance(await reserve(world, "too-dear", ask(amount=100_001)), Failure)

    granted = await reserve(world, "r1", ask(amount=100_000, at=NOW + timedelta(seconds=1)))

    assert isinstance(granted, Success)


async def test_requests_arriving_out_of_timestamp_order_still_respect_the_rate(
    world: World,
) -> None:
    await world.quota.define_plan(Plan(name="small", requests_per_minute=Limit.of(1)))
    await reserve(world, "later", ask(at=NOW + timedelta(seconds=1)))

    earlier = await reserve(world, "earlier", ask(at=NOW))

    assert isinstance(earlier.failure(), RateLimited)


async def test_a_new_period_starts_from_zero_and_keeps_the_old_one(world: World) -> None:
    await reserve(world, "r1", ask(outputs=5))
    await commit(world, "r1", Settlement(outputs=5, amount=100_000))
    december = datetime(2026, 12, 2, tzinfo=UTC)
    assert await totals(world, at=december) == {"concurrency": (0, 0)}

    granted = await reserve(world, "r2", ask(outputs=5, at=december))

    assert isinstance(granted, Success)
    assert (await totals(world, at=NOW))["calls:image-generation"] == (5, 0)
    assert (await totals(world, at=december))["calls:image-generation"] == (0, 5)


async def test_moving_a_user_to_another_plan_applies_at_once_and_keeps_what_was_used(
    world: World,
) -> None:
    await reserve(world, "r1", ask(outputs=5))
    await commit(world, "r1", Settlement(outputs=5, amount=100_000))

    await world.quota.assign("ada", "roomy")

    assert (await world.quota.plan_of("ada")).unwrap().name == "roomy"
    assert isinstance(await reserve(world, "r2", ask(outputs=5)), Success)
    assert (await totals(world))["calls:image-generation"] == (5, 5)


async def test_redefining_a_plan_changes_its_users_limits(world: World) -> None:
    await world.quota.define_plan(Plan(name="small", calls={GEN: Limit.of(1)}))

    refused = await reserve(world, "r1", ask(outputs=2))

    assert refused.failure().limit == 1  # type: ignore[union-attr]
    names = [plan.name for plan in await world.quota.plans()]
    # Redefined in place, not added twice (a new SQL schema also holds the reference plans).
    assert names.count("small") == 1 and "roomy" in names
    assert names == sorted(names)


async def test_racing_reservations_never_pass_the_limit(world: World) -> None:
    await world.quota.define_plan(Plan(name="small", calls={GEN: Limit.of(5)}))
    results = await asyncio.gather(
        *(reserve(world, f"r{index}", ask(amount=1)) for index in range(20))
    )

    assert sum(isinstance(result, Success) for result in results) == 5
    assert (await totals(world))["calls:image-generation"] == (0, 5)


async def test_the_budget_is_spent_to_the_last_micro_dollar_and_no_further(world: World) -> None:
    await world.quota.define_plan(Plan(name="small"))  # the user's own limits out of the way
    await world.quota.set_budget(OperatorBudget(provider="acme", monthly=Limit.of(40)))

    granted = [await reserve(world, f"r{index}", ask(amount=1)) for index in range(40)]
    refused = await reserve(world, "r-last", ask(amount=1))

    assert all(isinstance(result, Success) for result in granted)
    assert isinstance(refused.failure(), OperatorBudgetExhausted)
    assert refused.failure().held == 40  # type: ignore[union-attr]


async def test_lowering_the_budget_applies_to_the_next_reservation(world: World) -> None:
    await world.quota.define_plan(Plan(name="small"))
    await world.quota.set_budget(OperatorBudget(provider="acme", monthly=Limit.of(1_000)))
    await reserve(world, "r1", ask(amount=300))

    await world.quota.set_budget(OperatorBudget(provider="acme", monthly=Limit.of(400)))

    assert isinstance(
        (await reserve(world, "r2", ask(amount=200))).failure(), OperatorBudgetExhausted
    )
    assert isinstance(await reserve(world, "r3", ask(amount=100)), Success)


async def test_settling_a_striped_budget_reservation_moves_it_into_used(world: World) -> None:
    await world.quota.define_plan(Plan(name="small"))
    await world.quota.set_budget(OperatorBudget(provider="acme", monthly=Limit.of(1_000)))
    await reserve(world, "r1", ask(amount=300))
    assert await world.quota.operator_counter("acme", NOVEMBER) == Counter(used=0, held=300)

    await commit(world, "r1", Settlement(outputs=1, amount=250))

    assert await world.quota.operator_counter("acme", NOVEMBER) == Counter(used=250, held=0)
    assert await world.quota.operator_counter("acme", DECEMBER) == Counter()


async def test_what_the_provider_billed_counts_against_the_operator_budget(world: World) -> None:
    await world.quota.set_budget(OperatorBudget(provider="acme", monthly=Limit.of(5_000_000)))
    await reserve(world, "r1", ask(outputs=2, amount=80_000))

    await commit(world, "r1", Settlement(outputs=0, amount=0, provider_cost=70_000))

    assert await world.quota.operator_counter("acme", NOVEMBER) == Counter(used=70_000, held=0)
    assert (await totals(world))["spend"] == (0, 0)
