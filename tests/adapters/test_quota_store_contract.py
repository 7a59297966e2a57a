"""Every quota store — in memory, SQLite, PostgreSQL — keeps the same promises."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from returns.result import Failure, Success
from support.sql_schema import engine_with_schema

from imagestudio.adapters.memory.quota_store import InMemoryQuotaStore
from imagestudio.adapters.sql.quota_store import SqlQuotaStore
from imagestudio.adapters.system.clock import FixedClock
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
GEN = QuotaCategory.IMAGE_GENERATION
PLAN = Plan(
    name="small",
    calls={GEN: Limit.of(5)},
    spend_cap=Limit.of(1_000_000),
    concurrent_operations=Limit.of(3),
    requests_per_minute=Limit.of(4),
)
ROOMY = Plan(name="roomy", calls={GEN: Limit.of(1_000)})

Store = InMemoryQuotaStore | SqlQuotaStore


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    if request.param == "memory":
        memory = InMemoryQuotaStore([PLAN, ROOMY], users={"ada": "small", "bob": "small"})
        yield memory
        return
    url = str(
        request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    )
    async with engine_with_schema(url) as engine:
        sql = SqlQuotaStore(engine, FixedClock(NOW))
        for plan in (PLAN, ROOMY):
            await sql.define_plan(plan)
        await sql.assign("ada", "small")
        await sql.assign("bob", "small")
        yield sql


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


async def totals(store: Store, user: str = "ada", at: datetime = NOW) -> dict[str, tuple[int, int]]:
    return {key.name: (c.used, c.held) for key, c in (await store.counters(user, at)).items()}


async def test_a_reservation_holds_every_dimension(store: Store) -> None:
    granted = await store.reserve("r1", ask(outputs=2, amount=300_000))

    assert isinstance(granted, Success)
    assert await totals(store) == {
        "calls:image-generation": (0, 2),
        "spend": (0, 300_000),
        "concurrency": (0, 1),
    }


async def test_a_commit_moves_the_actual_amounts_into_used_once(store: Store) -> None:
    await store.reserve("r1", ask(outputs=2, amount=300_000))

    first = await store.commit("r1", Settlement(outputs=1, amount=150_000))
    again = await store.commit("r1", Settlement(outputs=2, amount=300_000))

    assert first.state is ReservationState.COMMITTED
    assert again.settlement == Settlement(outputs=1, amount=150_000)
    assert await totals(store) == {
        "calls:image-generation": (1, 0),
        "spend": (150_000, 0),
        "concurrency": (0, 0),
    }


async def test_a_reservation_can_be_read_back_as_it_stands(store: Store) -> None:
    assert await store.reservation("r1") is None
    await store.reserve("r1", ask(outputs=2, amount=300_000))

    held = await store.reservation("r1")
    await store.commit("r1", Settlement(outputs=1, amount=150_000))
    committed = await store.reservation("r1")

    assert held is not None and held.is_open
    assert held.request.amount == 300_000
    assert committed is not None and committed.state is ReservationState.COMMITTED
    assert committed.settlement == Settlement(outputs=1, amount=150_000)


async def test_a_release_frees_everything_and_a_later_commit_changes_nothing(store: Store) -> None:
    await store.reserve("r1", ask())

    await store.release("r1")
    after = await store.commit("r1", Settlement(outputs=1, amount=100_000))

    assert after.state is ReservationState.RELEASED
    assert all(pair == (0, 0) for pair in (await totals(store)).values())


async def test_reserving_the_same_id_twice_holds_once(store: Store) -> None:
    await store.reserve("r1", ask())
    await store.reserve("r1", ask())

    assert (await totals(store))["calls:image-generation"] == (0, 1)


async def test_a_refusal_names_the_limit_and_holds_nothing(store: Store) -> None:
    await store.reserve("r1", ask(outputs=4))

    refused = await store.reserve("r2", ask(outputs=2))

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
    assert (await totals(store))["calls:image-generation"] == (0, 4)


async def test_an_unknown_user_is_refused(store: Store) -> None:
    refused = await store.reserve("r1", ask(user="nobody"))

    assert refused.failure() == UnknownUser("nobody")
    assert isinstance(await store.plan_of("nobody"), Failure)


async def test_the_operator_budget_is_shared_by_every_user(store: Store) -> None:
    await store.set_budget(OperatorBudget(provider="acme", monthly=Limit.of(150_000)))
    await store.reserve("r1", ask(user="ada"))

    refused = await store.reserve("r2", ask(user="bob"))

    assert isinstance(refused.failure(), OperatorBudgetExhausted)


async def test_concurrent_operations_are_limited_until_one_settles(store: Store) -> None:
    for index in range(3):
        await store.reserve(f"r{index}", ask(amount=1))
    assert isinstance((await store.reserve("r9", ask(amount=1))).failure(), RateLimited)

    await store.release("r0")

    assert isinstance(await store.reserve("r9", ask(amount=1)), Success)


async def test_the_request_rate_is_a_sliding_minute(store: Store) -> None:
    for index in range(4):
        reservation = f"r{index}"
        await store.reserve(reservation, ask(amount=1, at=NOW + timedelta(seconds=index)))
        await store.release(reservation)

    refused = await store.reserve("r8", ask(amount=1, at=NOW + timedelta(seconds=30)))
    later = await store.reserve("r9", ask(amount=1, at=NOW + timedelta(seconds=61)))

    assert isinstance(refused.failure(), RateLimited)
    assert isinstance(later, Success)


async def test_a_new_period_starts_from_zero_and_keeps_the_old_one(store: Store) -> None:
    await store.reserve("r1", ask(outputs=5))
    await store.commit("r1", Settlement(outputs=5, amount=100_000))
    december = datetime(2026, 12, 2, tzinfo=UTC)

    granted = await store.reserve("r2", ask(outputs=5, at=december))

    assert isinstance(granted, Success)
    assert (await totals(store, at=NOW))["calls:image-generation"] == (5, 0)
    assert (await totals(store, at=december))["calls:image-generation"] == (0, 5)


async def test_moving_a_user_to_another_plan_applies_at_once_and_keeps_what_was_used(
    store: Store,
) -> None:
    await store.reserve("r1", ask(outputs=5))
    await store.commit("r1", Settlement(outputs=5, amount=100_000))

    await store.assign("ada", "roomy")

    assert (await store.plan_of("ada")).unwrap().name == "roomy"
    assert isinstance(await store.reserve("r2", ask(outputs=5)), Success)
    assert (await totals(store))["calls:image-generation"] == (5, 5)


async def test_redefining_a_plan_changes_its_users_limits(store: Store) -> None:
    await store.define_plan(Plan(name="small", calls={GEN: Limit.of(1)}))

    refused = await store.reserve("r1", ask(outputs=2))

    assert refused.failure().limit == 1  # type: ignore[union-attr]
    assert [plan.name for plan in await store.plans()] == ["roomy", "small"]


async def test_racing_reservations_never_pass_the_limit(store: Store) -> None:
    await store.define_plan(Plan(name="small", calls={GEN: Limit.of(5)}))
    results = await asyncio.gather(
        *(store.reserve(f"r{index}", ask(amount=1)) for index in range(20))
    )

    assert sum(isinstance(result, Success) for result in results) == 5
    assert (await totals(store))["calls:image-generation"] == (0, 5)


async def test_the_budget_is_spent_to_the_last_micro_dollar_and_no_further(store: Store) -> None:
    await store.define_plan(Plan(name="small"))  # the user's own limits out of the way
    await store.set_budget(OperatorBudget(provider="acme", monthly=Limit.of(40)))

    granted = [await store.reserve(f"r{index}", ask(amount=1)) for index in range(40)]
    refused = await store.reserve("r-last", ask(amount=1))

    assert all(isinstance(result, Success) for result in granted)
    assert isinstance(refused.failure(), OperatorBudgetExhausted)
    assert refused.failure().held == 40  # type: ignore[union-attr]


async def test_lowering_the_budget_applies_to_the_next_reservation(store: Store) -> None:
    await store.define_plan(Plan(name="small"))
    await store.set_budget(OperatorBudget(provider="acme", monthly=Limit.of(1_000)))
    await store.reserve("r1", ask(amount=300))

    await store.set_budget(OperatorBudget(provider="acme", monthly=Limit.of(400)))

    assert isinstance(
        (await store.reserve("r2", ask(amount=200))).failure(), OperatorBudgetExhausted
    )
    assert isinstance(await store.reserve("r3", ask(amount=100)), Success)


async def test_settling_a_striped_budget_reservation_moves_it_into_used(store: Store) -> None:
    await store.define_plan(Plan(name="small"))
    await store.set_budget(OperatorBudget(provider="acme", monthly=Limit.of(1_000)))
    await store.reserve("r1", ask(amount=300))

    await store.commit("r1", Settlement(outputs=1, amount=250))

    assert await store.operator_counter("acme", "2026-11-01") == Counter(used=250, held=0)
