"""Reservations racing a plan change, on every quota store: each reservation decides on one
plan — the old or the new — and holds where that plan counts, never on a plan the change had
replaced by the time it took the user's lock.

Every round gives a fresh user a plan with a calendar-month anchor, fires reservations at
once (each unit keeps its lock a little while, so they queue) and, at a random moment among
them, changes the plan: a new definition with another billing anchor (`plans set`), or a move
to another plan with that anchor (`users set-plan`). Both plans allow LIMIT calls, so whatever
the order, at most LIMIT are granted; and once the change has carried the user's counters to
the new anchor's period, every granted reservation must be held there — a reservation decided
on the old plan after the carry would hold in a period no one counts any more.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from returns.result import Failure, Success
from support.unit_world import BACKENDS, NOW, World, a_request, world_for

from imagestudio.application.ports.unit_of_work import UnitOfWork
from imagestudio.domain.billing_period import BillingAnchor, period_containing
from imagestudio.domain.errors import QuotaExceeded
from imagestudio.domain.limit import Limit
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.plan import Plan
from imagestudio.domain.quota import LIVE
from imagestudio.domain.reservation import ReservationState

GEN = QuotaCategory.IMAGE_GENERATION
LIMIT = 3
RESERVATIONS = 6
ROUNDS = 12
OLD = Plan(name="old", calls={GEN: Limit.of(LIMIT)})
NEW_ANCHOR = BillingAnchor(20)
NEW_PERIOD = period_containing(NOW, NEW_ANCHOR).key
assert period_containing(NOW, OLD.anchor).key != NEW_PERIOD


@pytest.fixture(params=BACKENDS)
async def world(request: pytest.FixtureRequest) -> AsyncIterator[World]:
    async with world_for(request) as world:
        yield world


async def reserving(units: UnitOfWork, rid: str, user: str, keep: float) -> object:
    """Reserve in a unit that keeps the user's lock `keep` seconds before committing."""
    async with units.begin() as unit:
        granted = await unit.quota.reserve(rid, a_request(user))
        await asyncio.sleep(keep)
        await unit.commit()
    return granted


async def one_round(world: World, number: int, rng: random.Random) -> None:
    user, old = f"user{number}", replace(OLD, name=f"old{number}")
    await world.quota.define_plan(old)
    await world.quota.assign(user, old.name)
    moved = replace(old, name=f"new{number}", anchor=NEW_ANCHOR)
    if number % 2:  # the user is moved to another plan
        await world.quota.define_plan(moved)
        change = world.quota.assign(user, moved.name)
    else:  # the user's plan is redefined
        change = world.quota.define_plan(replace(moved, name=old.name))
    rids = [f"res_{number}_{index}" for index in range(RESERVATIONS)]

    async def changing() -> None:
        await asyncio.sleep(rng.uniform(0, 0.03))
        await change

    answers = (
        await asyncio.gather(
            changing(), *(reserving(world.units, rid, user, rng.uniform(0, 0.01)) for rid in rids)
        )
    )[1:]

    granted = [
        rid for rid, answer in zip(rids, answers, strict=True) if isinstance(answer, Success)
    ]
    refused = [answer.failure() for answer in answers if isinstance(answer, Failure)]
    assert all(isinstance(refusal, QuotaExceeded) for refusal in refused), refused
    assert len(granted) == LIMIT, answers
    for rid in granted:
        reservation = await world.quota.reservation(rid)
        assert reservation is not None and reservation.state is ReservationState.HELD
        periods = {demand.key.period for demand in reservation.demands} - {LIVE}
        assert periods == {NEW_PERIOD}, (rid, periods)
    counters = await world.quota.counters(user, NOW)
    held = {key.name: (c.used, c.held) for key, c in counters.items() if key.period == NEW_PERIOD}
    assert held[f"calls:{GEN.value}"] == (0, LIMIT), counters


async def test_reservations_racing_a_plan_change_hold_on_one_plan_in_its_period(
    world: World,
) -> None:
    rng = random.Random(20261207)
    for number in range(ROUNDS):
        await one_round(world, number, rng)
