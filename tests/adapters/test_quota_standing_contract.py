"""Every quota store — in memory, SQLite, PostgreSQL — reads a request's standing alike: the
plan, the provider's budget (all its stripes as one counter), the counters the request would
touch and the user's request window, as reserving would read them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest
from returns.result import Failure
from support.unit_world import NOW, PLAN, World, a_request, reserve_alone, settle_alone, world_for

from imagestudio.domain.errors import UnknownUser
from imagestudio.domain.limit import Limit
from imagestudio.domain.plan import OperatorBudget, Plan
from imagestudio.domain.quota import CONCURRENCY, SPEND, Counter, Scope, Settlement, demands_for

BUDGET = OperatorBudget(provider="acme", monthly=Limit.of(5_000_000))
OPEN = Plan(name="open")
"""Every limit unlimited."""


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def world(request: pytest.FixtureRequest) -> AsyncIterator[World]:
    async with world_for(request) as world:
        await world.quota.define_plan(OPEN)
        await world.quota.assign("ada", PLAN.name)
        await world.quota.assign("bob", OPEN.name)
        yield world


async def test_an_unknown_user_has_no_standing(world: World) -> None:
    found = await world.quota.standing(a_request("nobody"))

    assert found == Failure(UnknownUser("nobody"))


async def test_the_standing_holds_what_reserving_reads(world: World) -> None:
    await world.quota.set_budget(BUDGET)
    earlier = a_request(outputs=2, amount=300_000)
    await reserve_alone(world.units, "r1", replace(earlier, at=NOW - timedelta(seconds=20)))
    await reserve_alone(world.units, "r2", a_request(amount=100_000))
    await settle_alone(world.units, "r2", Settlement(outputs=1, amount=40_000))

    standing = (await world.quota.standing(a_request())).unwrap()

    assert (standing.plan, standing.budget) == (PLAN, BUDGET)
    by_name = {key.name: counter for key, counter in standing.counters.items()}
    assert by_name["calls:image-generation"] == Counter(used=1, held=2)
    assert by_name[SPEND] == Counter(used=40_000, held=300_000)
    assert by_name[CONCURRENCY] == Counter(used=0, held=1)
    assert by_name["budget"] == Counter(used=40_000, held=300_000)
    assert (standing.recent, standing.oldest) == (2, NOW - timedelta(seconds=20))
    assert standing.stored_bytes == 0  # the asset library's to tell
    wanted = {demand.key for demand in demands_for(a_request(), PLAN, BUDGET)}
    assert set(standing.counters) <= wanted


async def test_the_budget_is_one_counter_whatever_parts_it_is_held_in(world: World) -> None:
    await world.quota.set_budget(BUDGET)
    for number in range(12):  # ids spread over the budget's parts
        await reserve_alone(world.units, f"r{number}", a_request("bob", amount=10_000 + number))

    standing = (await world.quota.standing(a_request("bob"))).unwrap()

    budget = [c for key, c in standing.counters.items() if key.scope is Scope.OPERATOR]
    assert budget == [Counter(used=0, held=sum(10_000 + number for number in range(12)))]
    assert budget[0] == await world.quota.operator_counter("acme", "2026-11-01")


async def test_an_unlimited_plan_reads_no_window_and_no_budget(world: World) -> None:
    await reserve_alone(world.units, "r1", a_request("bob"))

    standing = (await world.quota.standing(a_request("bob"))).unwrap()

    assert (standing.plan, standing.budget) == (OPEN, None)
    assert (standing.recent, standing.oldest) == (0, None)  # an unlimited rate keeps no window
    assert {key.scope for key in standing.counters} == {Scope.USER}
