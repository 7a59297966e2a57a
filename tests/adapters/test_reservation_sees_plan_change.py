"""A reservation decides on the plan the user has when it takes the user's lock (PostgreSQL).

Each test parks a reservation behind the user's lock (held by another unit's reservation),
changes the plan while it waits, and lets it go: what it decides must follow the plan as
committed when it got the lock — never the plan its statement saw before it waited. The three
changes are the three ways a plan changes: a new definition (`plans set`), a definition with
another billing anchor (which carries the users' counters), and moving the user to another
plan (`users set-plan`, the admin API, `assign_plan`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from dataclasses import replace

import psycopg
import pytest
from returns.result import Failure, Success
from support.unit_world import NOW, PLAN, World, a_request, reserve_alone, sql_world

from imagestudio.domain.billing_period import BillingAnchor, period_containing
from imagestudio.domain.errors import QuotaExceeded
from imagestudio.domain.limit import Limit
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.quota import LIVE
from imagestudio.domain.reservation import Reservation, ReservationState

pytestmark = pytest.mark.postgres

GEN = QuotaCategory.IMAGE_GENERATION
ROOMY = replace(PLAN, calls={GEN: Limit.of(5)}, requests_per_minute=Limit(None))
TIGHT = replace(ROOMY, calls={GEN: Limit.of(1)})
SHIFTED = replace(ROOMY, name="shifted", anchor=BillingAnchor(20), calls={GEN: Limit.of(2)})
OLD_PERIOD = period_containing(NOW).key
NEW_PERIOD = period_containing(NOW, SHIFTED.anchor).key
assert OLD_PERIOD != NEW_PERIOD


@pytest.fixture
async def world(postgres_url: str) -> AsyncIterator[World]:
    async with sql_world(postgres_url) as world:
        await world.quota.define_plan(ROOMY)
        await world.quota.assign("ada", ROOMY.name)
        yield world


async def lock_waits(url: str, count: int) -> None:
    """Until `count` sessions wait on a lock (the test's own steps, in the order it needs)."""
    with psycopg.connect(url, autocommit=True) as connection:
        for _ in range(2000):
            waiting = connection.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND datname = current_database()"
            ).fetchone()
            if waiting is not None and waiting[0] >= count:
                return
            await asyncio.sleep(0.005)
    raise AssertionError(f"{count} sessions never waited on a lock")


async def behind_a_held_user(
    world: World, url: str, change: Awaitable[None], *, change_waits: bool
) -> object:
    """Reserve `res_late` while another unit's reservation holds ada's lock, and `change` the
    plan meanwhile: when `change_waits` it needs the lock too and queues before the
    reservation; otherwise it commits while the reservation waits. What `res_late` answered."""
    async with world.units.begin() as holder:
        assert isinstance(await holder.quota.reserve("res_first", a_request()), Success)
        changing = asyncio.ensure_future(change)
        if change_waits:
            await lock_waits(url, 1)
        late = asyncio.ensure_future(reserve_alone(world.units, "res_late", a_request()))
        await lock_waits(url, 2 if change_waits else 1)
        if not change_waits:
            await changing
        await holder.commit()
    await changing
    return await late


async def test_a_new_definition_committed_while_the_reservation_waits_decides_it(
    world: World, postgres_url: str
) -> None:
    change = world.quota.define_plan(TIGHT)

    late = await behind_a_held_user(world, postgres_url, change, change_waits=False)

    assert isinstance(late, Failure)
    refusal = late.failure()
    assert isinstance(refusal, QuotaExceeded)
    assert (refusal.limit, refusal.used, refusal.held) == (1, 0, 1)
    assert await world.quota.reservation("res_late") is None


async def test_a_new_anchor_committed_while_the_reservation_waits_puts_it_in_the_new_period(
    world: World, postgres_url: str
) -> None:
    change = world.quota.define_plan(replace(SHIFTED, name=ROOMY.name))

    late = await behind_a_held_user(world, postgres_url, change, change_waits=True)

    assert isinstance(late, Success)
    assert periods(late.unwrap()) == {NEW_PERIOD}
    await held_only_in_the_new_period(world, postgres_url)


async def test_moving_the_user_while_the_reservation_waits_decides_it_on_the_new_plan(
    world: World, postgres_url: str
) -> None:
    await world.quota.define_plan(SHIFTED)
    change = world.quota.assign("ada", SHIFTED.name)

    late = await behind_a_held_user(world, postgres_url, change, change_waits=True)

    assert isinstance(late, Success), late  # it used to answer UnknownUser
    assert periods(late.unwrap()) == {NEW_PERIOD}
    await held_only_in_the_new_period(world, postgres_url)
    # The new plan's limit of 2 is full: a third is refused, though the old plan had room.
    third = await reserve_alone(world.units, "res_third", a_request())
    assert isinstance(third, Failure)
    assert isinstance(third.failure(), QuotaExceeded)


async def held_only_in_the_new_period(world: World, url: str) -> None:
    """Both reservations are held where the user's plan now counts them, and no counter is
    left in the period the old anchor gave."""
    for rid in ("res_first", "res_late"):
        reservation = await world.quota.reservation(rid)
        assert reservation is not None and reservation.state is ReservationState.HELD
        assert periods(reservation) == {NEW_PERIOD}
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT name, period, used, held FROM quota_counters"
            " WHERE owner = 'ada' AND held + used > 0 ORDER BY name"
        ).fetchall()
    assert {period for _, period, _, _ in rows} <= {NEW_PERIOD, LIVE}, rows
    assert ("calls:" + GEN.value, NEW_PERIOD, 0, 2) in rows, rows


def periods(reservation: Reservation) -> set[str]:
    """The billing periods the reservation holds in (the concurrency count is not per period)."""
    return {demand.key.period for demand in reservation.demands} - {LIVE}
