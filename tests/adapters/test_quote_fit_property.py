"""Property: for any plan, budget, history and request, the quote's fit says "refused by X"
exactly when reserving right then refuses with X — the same typed refusal, numbers and all —
and quoting changes nothing."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Literal

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from returns.result import Failure
from support.unit_world import NOW, World, an_asset, reserve_alone, settle_alone, world_on

from imagestudio.application.use_cases.quote import standing_for
from imagestudio.domain.limit import Limit
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.plan import OperatorBudget, Plan
from imagestudio.domain.plan_fit import plan_fit, refused_by
from imagestudio.domain.quota import Counter, ReservationRequest, Settlement

GEN = QuotaCategory.IMAGE_GENERATION
Ending = Literal["hold", "commit", "release"]


def _limit(most: int) -> st.SearchStrategy[Limit]:
    return st.one_of(st.none(), st.integers(0, most)).map(Limit)


@dataclass(frozen=True, slots=True)
class Past:
    """One earlier reservation, how long ago, and what became of it."""

    outputs: int
    amount: int
    seconds_ago: int
    ending: Ending


@dataclass(frozen=True, slots=True)
class Example:
    plan: Plan
    budget: Limit | None
    past: list[Past]
    assets: int
    outputs: int
    amount: int
    needs_storage: bool


EXAMPLES = st.builds(
    Example,
    plan=st.builds(
        Plan,
        name=st.just("p"),
        calls=st.fixed_dictionaries({GEN: _limit(6)}),
        spend_cap=_limit(900_000),
        concurrent_operations=_limit(3),
        requests_per_minute=_limit(4),
        storage_bytes=_limit(12_288),
    ),
    budget=st.one_of(st.none(), _limit(900_000)),
    past=st.lists(
        st.builds(
            Past,
            outputs=st.integers(1, 3),
            amount=st.sampled_from([0, 100_000, 300_000]),
            seconds_ago=st.sampled_from([0, 10, 59, 61, 120]),
            ending=st.sampled_from(["hold", "commit", "release"]),
        ),
        max_size=5,
    ),
    assets=st.integers(0, 3),  # 4096 bytes each
    outputs=st.integers(1, 3),
    amount=st.sampled_from([0, 100_000, 300_000, 900_001]),
    needs_storage=st.booleans(),
)


async def check(world: World, example: Example, prefix: str) -> None:
    user, provider = f"{prefix}ada", f"{prefix}acme"
    plan = replace(example.plan, name=f"{prefix}plan")
    await world.quota.define_plan(plan)
    await world.quota.assign(user, plan.name)
    if example.budget is not None:
        await world.quota.set_budget(OperatorBudget(provider=provider, monthly=example.budget))

    def asked(outputs: int, amount: int, seconds_ago: int = 0) -> ReservationRequest:
        return ReservationRequest(
            user_id=user,
            category=GEN,
            outputs=outputs,
            amount=amount,
            provider=provider,
            at=NOW - timedelta(seconds=seconds_ago),
            needs_storage=example.needs_storage,
        )

    for index, past in enumerate(example.past):
        rid = f"{prefix}r{index}"
        granted = await reserve_alone(
            world.units, rid, asked(past.outputs, past.amount, past.seconds_ago)
        )
        if isinstance(granted, Failure) or past.ending == "hold":
            continue
        settlement = Settlement(outputs=past.outputs, amount=past.amount)
        await settle_alone(world.units, rid, None if past.ending == "release" else settlement)
    for index in range(example.assets):
        async with world.units.begin() as unit:
            await unit.assets.add(an_asset(f"{prefix}a{index}", user, f"{prefix}o{index}"))
            await unit.commit()

    request = asked(example.outputs, example.amount)
    before = await world.quota.counters(user, NOW)
    standing = (await standing_for(world.quota, world.library, request)).unwrap()
    fit = plan_fit(request, standing)
    assert await world.quota.counters(user, NOW) == before  # quoting wrote nothing

    granted = await reserve_alone(world.units, f"{prefix}new", request)
    refused = granted.failure() if isinstance(granted, Failure) else None
    assert fit.refusal == refused
    event(type(refused).__name__)
    if refused is not None:
        assert fit.refused_by is refused_by(refused)
    # The dimensions say the same: refused only if one of them refuses, and the first refusal
    # in the rule's order is the one every dimension's figures lead to.
    assert (refused is None) == all(dimension.refusal is None for dimension in fit.dimensions)
    held = {d.name: d for d in fit.dimensions}
    if refused is None:
        after = await world.quota.counters(user, NOW)
        for key, counter in after.items():
            dimension = held[key.name]
            assert counter == Counter(dimension.used, dimension.held + (dimension.would_use or 0))


def run_examples(backend: str, url: str | None, examples: int) -> None:
    numbers = itertools.count()
    with asyncio.Runner() as runner:
        opened = world_on(backend, url)
        world = runner.run(opened.__aenter__())
        try:

            @settings(deadline=None, max_examples=examples)
            @given(EXAMPLES)
            def each(example: Example) -> None:
                runner.run(check(world, example, f"x{next(numbers)}_"))

            each()
        finally:
            runner.run(opened.__aexit__(None, None, None))


def test_a_quote_is_refused_exactly_when_reserving_is_in_memory() -> None:
    run_examples("memory", None, 150)


def test_a_quote_is_refused_exactly_when_reserving_is_on_sqlite(sqlite_url: str) -> None:
    run_examples("sqlite", sqlite_url, 15)


@pytest.mark.postgres
def test_a_quote_is_refused_exactly_when_reserving_is_on_postgresql(postgres_url: str) -> None:
    run_examples("postgresql", postgres_url, 10)
