"""Every unit of work's quota — in memory, SQLite, PostgreSQL — answers what the money path asks
besides the counters: whether the plan's storage has room (checked in the reservation), and
the user's counters as a commit left them (its receipt)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from returns.result import Failure, Success
from support.unit_world import (
    BACKENDS,
    NOW,
    PERIOD,
    PLAN,
    World,
    a_request,
    an_asset,
    totals,
    world_for,
)

from imagestudio.application.ports.unit_of_work import Moved
from imagestudio.domain.errors import StorageQuotaExceeded
from imagestudio.domain.limit import Limit
from imagestudio.domain.plan import OperatorBudget
from imagestudio.domain.quota import CONCURRENCY, SPEND, Settlement

SIZE = an_asset().size_bytes
FULL = PLAN.storage_bytes.maximum
assert FULL == 2 * SIZE


@pytest.fixture(params=BACKENDS)
async def world(request: pytest.FixtureRequest) -> AsyncIterator[World]:
    async with world_for(request) as world:
        await world.quota.assign("ada", "small")
        yield world


async def store(world: World, *sizes: int) -> None:
    """Assets of these sizes for ada, in a unit of their own."""
    async with world.units.begin() as unit:
        for number, size in enumerate(sizes):
            await unit.assets.add(replace(an_asset(f"ast_{number}"), size_bytes=size))
        await unit.commit()


async def reserving(world: World, *, needs_storage: bool = True, rid: str = "res_op_1") -> object:
    """What a committed unit's reservation answered."""
    async with world.units.begin() as unit:
        granted = await unit.quota.reserve(rid, a_request(needs_storage=needs_storage))
        await unit.commit()
    return granted


async def test_a_reservation_needing_storage_is_refused_when_the_plan_has_no_room_left(
    world: World,
) -> None:
    await store(world, SIZE, SIZE)

    refused = await reserving(world)

    assert refused == Failure(StorageQuotaExceeded(user_id="ada", used=FULL, limit=FULL))
    assert await totals(world) == {}
    assert await world.quota.reservation("res_op_1") is None


async def test_a_user_below_the_storage_limit_may_run_one_more(world: World) -> None:
    await store(world, SIZE, SIZE - 1)

    assert isinstance(await reserving(world), Success)
    assert await totals(world) == {
        "calls:image-generation": (0, 1),
        "spend": (0, 100_000),
        "concurrency": (0, 1),
    }


async def test_a_reservation_not_needing_storage_ignores_the_storage_limit(world: World) -> None:
    await store(world, SIZE, SIZE, SIZE)

    assert isinstance(await reserving(world, needs_storage=False), Success)


async def test_a_plan_without_a_storage_limit_never_refuses_for_storage(world: World) -> None:
    await world.quota.define_plan(replace(PLAN, name="boundless", storage_bytes=Limit(None)))
    await world.quota.assign("ada", "boundless")
    await store(world, SIZE, SIZE, SIZE)

    assert isinstance(await reserving(world), Success)


async def test_the_storage_check_counts_the_assets_of_the_unit_itself(world: World) -> None:
    async with world.units.begin() as unit:
        await unit.assets.add(replace(an_asset(), size_bytes=FULL))
        refused = await unit.quota.reserve("res_op_1", a_request(needs_storage=True))

    assert isinstance(refused, Failure)
    assert isinstance(refused.failure(), StorageQuotaExceeded)


async def test_a_reservation_made_already_is_given_back_whatever_is_stored_since(
    world: World,
) -> None:
    granted = await reserving(world)
    await store(world, SIZE, SIZE)

    assert await reserving(world) == granted


async def settling(world: World, settlement: Settlement | None) -> Moved | None:
    """A committed unit's settlement of res_op_1 (None: released), and its receipt."""
    async with world.units.begin() as unit:
        if settlement is None:
            await unit.quota.release("res_op_1")
            moved = None
        else:
            moved = await unit.quota.commit("res_op_1", settlement)
            assert moved == Moved()  # not before the unit commits
        await unit.commit()
    return moved


async def test_a_commits_receipt_holds_the_users_counters_as_the_settlement_left_them(
    world: World,
) -> None:
    await world.quota.set_budget(OperatorBudget(provider="acme", monthly=Limit.of(10**9)))
    await reserving(world)

    moved = await settling(world, Settlement(outputs=1, amount=40_000))

    assert moved is not None
    counters = await world.quota.counters("ada", NOW)
    names = {key.name for key in moved.counters}
    assert names == {"calls:image-generation", SPEND, CONCURRENCY}  # no operator's budget
    assert moved.counters == {key: counters[key] for key in moved.counters}


async def test_a_receipt_stays_empty_when_the_unit_is_rolled_back(world: World) -> None:
    await reserving(world)

    async with world.units.begin() as unit:
        moved = await unit.quota.commit("res_op_1", Settlement(outputs=1, amount=40_000))
        await unit.quota.adjust_spend("ada", PERIOD, 1)  # a read: the commit is sent first

    assert moved == Moved()
    assert await totals(world) == {
        "calls:image-generation": (0, 1),
        "spend": (0, 100_000),
        "concurrency": (0, 1),
    }


@pytest.mark.parametrize("first", ["commit", "release"])
async def test_a_receipt_stays_empty_for_a_reservation_settled_already(
    world: World, first: str
) -> None:
    await reserving(world)
    await settling(world, Settlement(outputs=1, amount=40_000) if first == "commit" else None)

    assert await settling(world, Settlement(outputs=1, amount=30_000)) == Moved()
