"""The in-memory quota store: reserve, then commit or release exactly once, under one lock."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from returns.result import Failure, Result, Success

from imagestudio.adapters.memory.quota_store import InMemoryQuotaStore
from imagestudio.domain.errors import (
    OperatorBudgetExhausted,
    QuotaExceeded,
    QuotaRefusal,
    RateLimited,
    UnknownUser,
)
from imagestudio.domain.limit import Limit
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.plan import OperatorBudget, Plan
from imagestudio.domain.quota import (
    CONCURRENCY,
    LIVE,
    SPEND,
    Counter,
    DimensionKey,
    ReservationRequest,
    Scope,
    Settlement,
)
from imagestudio.domain.reservation import Reservation, ReservationState

AT = datetime(2025, 3, 20, 12, tzinfo=UTC)
NEXT_MONTH = datetime(2025, 4, 2, tzinfo=UTC)
MARCH = "2025-03-01"
GENERATION = QuotaCategory.IMAGE_GENERATION
PLAN = Plan(
    name="small",
    calls={GENERATION: Limit.of(10)},
    spend_cap=Limit.of(1_000_000),
    concurrent_operations=Limit.of(3),
)
CALLS = DimensionKey(Scope.USER, "ada", "calls:image-generation", MARCH)
SPEND_KEY = DimensionKey(Scope.USER, "ada", SPEND, MARCH)
CONCURRENCY_KEY = DimensionKey(Scope.USER, "ada", CONCURRENCY, LIVE)
RACES = 25
"""Rounds of the thread race: without the lock, one round in five or so oversells."""


def make_store(plan: Plan = PLAN) -> InMemoryQuotaStore:
    return InMemoryQuotaStore(
        [plan],
        users={"ada": plan.name},
        budgets=[OperatorBudget(provider="acme", monthly=Limit.of(5_000_000))],
    )


def request(
    *, user_id: str = "ada", outputs: int = 2, amount: int = 80_000, at: datetime = AT
) -> ReservationRequest:
    return ReservationRequest(
        user_id=user_id, category=GENERATION, outputs=outputs, amount=amount, provider="acme", at=at
    )


async def reserved(store: InMemoryQuotaStore, reservation_id: str = "r1") -> Reservation:
    return (await store.reserve(reservation_id, request())).unwrap()


async def test_a_reservation_holds_every_dimension() -> None:
    store = make_store()

    await reserved(store)

    assert await store.counters("ada", AT) == {
        CALLS: Counter(used=0, held=2),
        SPEND_KEY: Counter(used=0, held=80_000),
        CONCURRENCY_KEY: Counter(used=0, held=1),
    }


async def test_a_reservation_holds_the_operator_budget() -> None:
    store = make_store()

    await reserved(store)

    assert await store.operator_counter("acme", MARCH) == Counter(used=0, held=80_000)


async def test_a_granted_reservation_is_open_and_remembers_its_request() -> None:
    store = make_store()

    reservation = await reserved(store)

    assert reservation.is_open
    assert reservation.request == request()
    assert reservation.period == MARCH


async def test_a_commit_moves_the_actual_cost_from_held_to_used() -> None:
    store = make_store()
    await reserved(store)

    committed = await store.commit("r1", Settlement(outputs=1, amount=50_000))

    assert committed.state is ReservationState.COMMITTED
    assert await store.counters("ada", AT) == {
        CALLS: Counter(used=1, held=0),
        SPEND_KEY: Counter(used=50_000, held=0),
        CONCURRENCY_KEY: Counter(used=0, held=0),
    }
    assert await store.operator_counter("acme", MARCH) == Counter(used=50_000, held=0)


async def test_a_release_returns_everything_held() -> None:
    store = make_store()
    await reserved(store)

    released = await store.release("r1")

    assert released.state is ReservationState.RELEASED
    assert all(counter == Counter() for counter in (await store.counters("ada", AT)).values())
    assert await store.operator_counter("acme", MARCH) == Counter()


async def test_a_second_commit_changes_nothing() -> None:
    store = make_store()
    await reserved(store)
    first = await store.commit("r1", Settlement(outputs=2, amount=80_000))
    after_first = await store.counters("ada", AT)

    second = await store.commit("r1", Settlement(outputs=1, amount=10_000))

    assert second == first
    assert await store.counters("ada", AT) == after_first


async def test_a_second_release_changes_nothing() -> None:
    store = make_store()
    await reserved(store)
    await store.release("r1")
    after_first = await store.counters("ada", AT)

    second = await store.release("r1")

    assert second.state is ReservationState.RELEASED
    assert await store.counters("ada", AT) == after_first


async def test_a_release_after_a_commit_changes_nothing() -> None:
    store = make_store()
    await reserved(store)
    await store.commit("r1", Settlement(outputs=2, amount=80_000))
    after_commit = await store.counters("ada", AT)

    settled = await store.release("r1")

    assert settled.state is ReservationState.COMMITTED
    assert await store.counters("ada", AT) == after_commit


async def test_a_commit_after_a_release_changes_nothing() -> None:
    store = make_store()
    await reserved(store)
    await store.release("r1")

    settled = await store.commit("r1", Settlement(outputs=2, amount=80_000))

    assert settled.state is ReservationState.RELEASED
    assert all(counter == Counter() for counter in (await store.counters("ada", AT)).values())


async def test_reserving_the_same_id_twice_holds_once() -> None:
    store = make_store()
    first = await reserved(store)

    second = await reserved(store)

    assert second == first
    assert (await store.counters("ada", AT))[SPEND_KEY] == Counter(used=0, held=80_000)


async def test_an_unknown_user_is_refused_as_unknown() -> None:
    store = make_store()

    result = await store.reserve("r1", request(user_id="nobody"))

    assert result == Failure(UnknownUser("nobody"))


async def test_an_unknown_users_plan_is_unknown_user() -> None:
    assert await make_store().plan_of("nobody") == Failure(UnknownUser("nobody"))


async def test_a_refused_reservation_holds_nothing() -> None:
    store = make_store()
    await store.reserve("r1", request(amount=950_000))
    before = await store.counters("ada", AT)

    result = await store.reserve("r2", request(amount=50_001))

    assert isinstance(result, Failure)
    assert isinstance(result.failure(), QuotaExceeded)
    assert await store.counters("ada", AT) == before


async def test_a_refused_reservation_id_can_be_reserved_later() -> None:
    store = make_store()
    await store.reserve("r1", request(amount=1_000_000))
    await store.reserve("r2", request(amount=1))
    await store.release("r1")

    assert isinstance(await store.reserve("r2", request(amount=1)), Success)


async def test_committing_more_than_was_reserved_raises_and_changes_nothing() -> None:
    store = make_store()
    await reserved(store)
    before = await store.counters("ada", AT)

    with pytest.raises(ValueError, match="cannot commit"):
        await store.commit("r1", Settlement(outputs=2, amount=80_001))

    assert await store.counters("ada", AT) == before
    assert (await store.release("r1")).state is ReservationState.RELEASED


async def test_settling_an_unknown_reservation_raises_key_error() -> None:
    store = make_store()

    with pytest.raises(KeyError, match="nope"):
        await store.commit("nope", Settlement(outputs=1, amount=0))
    with pytest.raises(KeyError, match="nope"):
        await store.release("nope")


async def test_a_new_period_starts_with_nothing_used_or_held() -> None:
    store = make_store()
    await reserved(store)
    await store.commit("r1", Settlement(outputs=2, amount=80_000))

    counters = await store.counters("ada", NEXT_MONTH)

    assert counters == {CONCURRENCY_KEY: Counter()}


async def test_a_reservation_granted_in_a_new_period_does_not_touch_the_old_one() -> None:
    store = make_store()
    await reserved(store)
    await store.commit("r1", Settlement(outputs=2, amount=80_000))
    march = await store.counters("ada", AT)

    await store.reserve("r2", request(at=NEXT_MONTH))

    after = await store.counters("ada", AT)
    assert (after[CALLS], after[SPEND_KEY]) == (march[CALLS], march[SPEND_KEY])
    assert await store.operator_counter("acme", MARCH) == Counter(used=80_000, held=0)


async def test_concurrent_operations_are_counted_across_periods() -> None:
    store = make_store()
    await reserved(store)

    await store.reserve("r2", request(at=NEXT_MONTH))

    assert (await store.counters("ada", NEXT_MONTH))[CONCURRENCY_KEY] == Counter(used=0, held=2)


async def test_the_operator_budget_is_shared_by_all_users() -> None:
    store = make_store()
    await store.assign("bob", PLAN.name)
    await store.set_budget(OperatorBudget(provider="acme", monthly=Limit.of(100_000)))
    await store.reserve("r1", request(amount=60_000))

    result = await store.reserve("r2", request(user_id="bob", amount=60_000))

    assert isinstance(result, Failure)
    assert isinstance(result.failure(), OperatorBudgetExhausted)


async def test_an_operator_budget_counter_is_per_calendar_month() -> None:
    store = make_store()
    await reserved(store)

    assert await store.operator_counter("acme", "2025-04-01") == Counter()
    assert (await store.operator_counter("acme", MARCH)).held == 80_000


async def test_what_the_provider_billed_counts_against_the_operator_budget() -> None:
    store = make_store()
    await reserved(store)

    await store.commit("r1", Settlement(outputs=0, amount=0, provider_cost=70_000))

    assert await store.operator_counter("acme", MARCH) == Counter(used=70_000, held=0)
    assert (await store.counters("ada", AT))[SPEND_KEY] == Counter(used=0, held=0)


async def test_a_user_is_held_to_the_plans_requests_per_minute() -> None:
    store = make_store(Plan(name="slow", requests_per_minute=Limit.of(2)))
    for index in range(2):
        await store.reserve(f"r{index}", request(at=AT + timedelta(seconds=index)))

    refused = await store.reserve("r2", request(at=AT + timedelta(seconds=30)))

    assert refused == Failure(
        RateLimited(
            user_id="ada", limit_name="requests per minute", limit=2, retry_after_seconds=30
        )
    )


async def test_a_request_a_minute_after_the_oldest_is_granted_again() -> None:
    store = make_store(Plan(name="slow", requests_per_minute=Limit.of(2)))
    for index in range(2):
        await store.reserve(f"r{index}", request(at=AT + timedelta(seconds=index)))

    granted = await store.reserve("r2", request(at=AT + timedelta(seconds=60)))

    assert isinstance(granted, Success)


async def test_a_request_refused_on_quota_does_not_use_up_the_request_rate() -> None:
    plan = Plan(name="slow", spend_cap=Limit.of(100_000), requests_per_minute=Limit.of(1))
    store = make_store(plan)
    await store.reserve("too-dear", request(amount=100_001))

    granted = await store.reserve("r1", request(amount=100_000, at=AT + timedelta(seconds=1)))

    assert isinstance(granted, Success)


async def test_requests_arriving_out_of_timestamp_order_still_respect_the_rate() -> None:
    store = make_store(Plan(name="slow", requests_per_minute=Limit.of(1)))
    await store.reserve("later", request(at=AT + timedelta(seconds=1)))

    earlier = await store.reserve("earlier", request(at=AT))

    assert isinstance(earlier, Failure)


def reserve_many(
    store: InMemoryQuotaStore, prefix: str, count: int, start: threading.Barrier
) -> list[Result[Reservation, QuotaRefusal | UnknownUser]]:
    """`count` reserves in a row on this thread's own event loop, once both racers are ready."""

    async def reserve_all() -> list[Result[Reservation, QuotaRefusal | UnknownUser]]:
        return [
            await store.reserve(f"{prefix}-{index}", request(outputs=1, amount=0))
            for index in range(count)
        ]

    loop = asyncio.new_event_loop()
    try:
        start.wait()
        return loop.run_until_complete(reserve_all())
    finally:
        loop.close()


def race_two_threads(store: InMemoryQuotaStore, each: int) -> int:
    """How many of the two threads' reserves were granted."""
    start = threading.Barrier(2)
    results: dict[str, list[Result[Reservation, QuotaRefusal | UnknownUser]]] = {}

    def racer(prefix: str) -> None:
        results[prefix] = reserve_many(store, prefix, each, start)

    threads = [threading.Thread(target=racer, args=(prefix,)) for prefix in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcomes = [result for racer_results in results.values() for result in racer_results]
    return sum(isinstance(result, Success) for result in outcomes)


@pytest.fixture
def eager_thread_switching() -> Iterator[None]:
    """Switch threads every microsecond, so the racers really interleave inside `reserve`."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


@pytest.mark.usefixtures("eager_thread_switching")
def test_two_threads_racing_for_a_limit_of_ten_get_exactly_ten_reservations() -> None:
    for _ in range(RACES):
        store = make_store(Plan(name="ten", calls={GENERATION: Limit.of(10)}))

        granted = race_two_threads(store, each=50)

        assert granted == 10
        assert asyncio.run(store.counters("ada", AT))[CALLS] == Counter(used=0, held=10)
