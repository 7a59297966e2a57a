"""Every quota store — in memory, SQLite, PostgreSQL — administers users and budgets alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from returns.result import Failure, Success
from support.sql_schema import engine_with_schema

from imagestudio.adapters.memory.quota_store import InMemoryQuotaStore
from imagestudio.adapters.sql.quota_store import SqlQuotaStore
from imagestudio.adapters.system.clock import FixedClock
from imagestudio.domain.errors import UnknownPlan, UserExists, plan_in_use
from imagestudio.domain.limit import UNLIMITED, Limit
from imagestudio.domain.plan import OperatorBudget, Plan, SpentBefore
from imagestudio.domain.quota import Counter

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
PLANS = (Plan(name="small", spend_cap=Limit.of(1_000_000)), Plan(name="large"))

Store = InMemoryQuotaStore | SqlQuotaStore


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    if request.param == "memory":
        yield InMemoryQuotaStore(PLANS)
        return
    url = str(
        request.getfixturevalue(f"{'sqlite' if request.param == 'sqlite' else 'postgres'}_url")
    )
    async with engine_with_schema(url) as engine:
        sql = SqlQuotaStore(engine, FixedClock(NOW))
        for plan in PLANS:
            await sql.define_plan(plan)
        yield sql


async def test_a_new_user_is_added_on_their_plan(store: Store) -> None:
    assert await store.add_user("ada", "small") == Success(None)

    assert (await store.plan_of("ada")).unwrap().name == "small"


async def test_adding_a_user_who_exists_is_refused_and_keeps_their_plan(store: Store) -> None:
    await store.add_user("ada", "small")

    assert await store.add_user("ada", "large") == Failure(UserExists("ada"))
    assert (await store.plan_of("ada")).unwrap().name == "small"


async def test_adding_a_user_on_an_unknown_plan_is_refused(store: Store) -> None:
    assert await store.add_user("ada", "gold") == Failure(UnknownPlan("gold"))
    assert isinstance(await store.plan_of("ada"), Failure)


async def test_budgets_are_listed_by_provider(store: Store) -> None:
    wavespeed = OperatorBudget(provider="wavespeed", monthly=Limit.of(500_000_000))
    stability = OperatorBudget(provider="stability", monthly=UNLIMITED)
    await store.set_budget(wavespeed)
    await store.set_budget(stability)

    assert await store.budgets() == (stability, wavespeed)


async def test_setting_a_budget_again_replaces_it(store: Store) -> None:
    await store.set_budget(OperatorBudget(provider="wavespeed", monthly=Limit.of(1)))
    await store.set_budget(OperatorBudget(provider="wavespeed", monthly=Limit.of(2)))

    assert await store.budgets() == (OperatorBudget(provider="wavespeed", monthly=Limit.of(2)),)


async def test_a_budget_created_counts_the_spend_before_it_once(store: Store) -> None:
    spent = SpentBefore("2026-11-01", 400)
    await store.set_budget(OperatorBudget(provider="wavespeed", monthly=Limit.of(500)), spent)

    assert await store.operator_counter("wavespeed", "2026-11-01") == Counter(used=400)

    await store.set_budget(OperatorBudget(provider="wavespeed", monthly=Limit.of(900)), spent)

    assert await store.operator_counter("wavespeed", "2026-11-01") == Counter(used=400)
    assert await store.operator_counter("wavespeed", "2026-10-01") == Counter()


async def test_users_are_listed_with_their_plans_by_id(store: Store) -> None:
    await store.add_user("grace", "large")
    await store.add_user("ada", "small")

    listed = await store.users()

    assert [(user.user_id, user.plan) for user in listed] == [("ada", "small"), ("grace", "large")]
    assert all(isinstance(user.created_at, datetime) for user in listed)


async def test_users_are_listed_a_page_at_a_time_by_id(store: Store) -> None:
    for user in ("dora", "ada", "carl", "bea"):
        await store.add_user(user, "small")

    first = await store.users(limit=2)
    second = await store.users(after=first[-1].user_id, limit=2)
    last = await store.users(after=second[-1].user_id, limit=2)

    assert [u.user_id for u in first + second] == ["ada", "bea", "carl", "dora"]
    assert last == () and await store.users(limit=0) == ()


async def test_a_plan_nobody_is_on_is_deleted_and_gone(store: Store) -> None:
    assert await store.delete_plan("large") == Success(PLANS[1])

    assert [plan.name for plan in await store.plans()] == ["small"]
    assert await store.add_user("ada", "large") == Failure(UnknownPlan("large"))


async def test_a_plan_with_users_is_refused_naming_them_and_stays(store: Store) -> None:
    await store.add_user("grace", "small")
    await store.add_user("ada", "small")

    assert await store.delete_plan("small") == Failure(plan_in_use("small", ("ada", "grace")))
    assert "small" in {plan.name for plan in await store.plans()}
    assert (await store.plan_of("ada")).unwrap().name == "small"


async def test_deleting_a_plan_that_does_not_exist_is_refused(store: Store) -> None:
    assert await store.delete_plan("gold") == Failure(UnknownPlan("gold"))
