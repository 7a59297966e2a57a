"""Property: whatever billing anchor changes happen mid-period — a user moved to a plan of
another anchor, or their plan redefined with one — what they used stays counted in the period
they are in, what is held settles into it, and the ledger and the counters still agree. On
every quota store: in memory, SQLite, PostgreSQL."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.result import Success
from support.unit_world import GEN, PLAN, World, a_line, memory_units

from imagestudio.adapters.memory.asset_library import InMemoryAssetLibrary
from imagestudio.adapters.memory.ledger import InMemoryLedger
from imagestudio.adapters.memory.operation_store import InMemoryOperationStore
from imagestudio.adapters.memory.quota_store import InMemoryQuotaStore
from imagestudio.adapters.sql import schema
from imagestudio.adapters.sql.asset_library import SqlAssetLibrary
from imagestudio.adapters.sql.engine import create_engine
from imagestudio.adapters.sql.ledger import SqlLedger
from imagestudio.adapters.sql.operation_store import SqlOperationStore
from imagestudio.adapters.sql.quota_store import SqlQuotaStore
from imagestudio.adapters.sql.unit_of_work import SqlUnitOfWork
from imagestudio.adapters.system.clock import FixedClock
from imagestudio.domain.billing_period import BillingAnchor, period_containing
from imagestudio.domain.limit import UNLIMITED, Limit
from imagestudio.domain.quota import SPEND, ReservationRequest, Settlement, calls_dimension

CALLS = calls_dimension(GEN)
LIMITED = replace(
    PLAN,
    calls={GEN: Limit.of(40)},
    spend_cap=Limit.of(4_000_000),
    requests_per_minute=UNLIMITED,
    concurrent_operations=UNLIMITED,
    storage_bytes=UNLIMITED,
)


@asynccontextmanager
async def world_with_clock(
    backend: str, url: str | None, clock: FixedClock
) -> AsyncIterator[World]:
    if backend == "memory":
        quota = InMemoryQuotaStore([], clock=clock)
        ledger, operations, library = (
            InMemoryLedger(),
            InMemoryOperationStore(),
            InMemoryAssetLibrary(),
        )
        yield World(
            memory_units(quota, ledger, operations, library), quota, ledger, operations, library
        )
        return
    assert url is not None
    engine = create_engine(url)
    units = SqlUnitOfWork(url)
    try:
        await schema.upgrade(engine)
        yield World(
            units,
            SqlQuotaStore(engine, clock),
            SqlLedger(engine),
            SqlOperationStore(engine),
            SqlAssetLibrary(engine),
        )
    finally:
        await units.aclose()
        await engine.dispose()


@dataclass
class Model:
    """What the user used and holds, whatever the anchors."""

    used_calls: int = 0
    used_spend: int = 0
    open: dict[str, tuple[int, int]] = field(default_factory=dict)


ANCHORS = st.sampled_from([1, 2, 5, 15, 27, 28, 29, 30, 31])
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("reserve"), st.integers(1, 3), st.sampled_from([0, 70_000, 250_000])),
        st.tuples(st.just("commit"), st.integers(0, 5), st.booleans()),
        st.tuples(st.just("release"), st.integers(0, 5), st.just(False)),
        st.tuples(st.just("move"), ANCHORS, st.just(False)),
        st.tuples(st.just("redefine"), ANCHORS, st.booleans()),
    ),
    min_size=1,
    max_size=14,
)
MOMENTS = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31, 23, 59)
).map(lambda moment: moment.replace(tzinfo=UTC))


async def check(
    world: World, clock: FixedClock, prefix: str, start: int, steps: list, moment: datetime
) -> None:
    clock.set(moment)
    user, plans = f"{prefix}u", {"p": f"{prefix}p", "q": f"{prefix}q"}
    anchors = {"p": start, "q": 1}
    for name, plan in plans.items():
        await world.quota.define_plan(
            replace(LIMITED, name=plan, anchor=BillingAnchor(anchors[name]))
        )
    await world.quota.assign(user, plans["p"])
    on, model, ids = "p", Model(), itertools.count()
    for verb, number, flag in steps:
        match verb:
            case "reserve":
                rid = f"{prefix}r{next(ids)}"
                request = ReservationRequest(
                    user_id=user, category=GEN, outputs=number, amount=flag * number,
                    provider="acme", at=moment,
                )  # fmt: skip
                async with world.units.begin() as unit:
                    granted = await unit.quota.reserve(rid, request)
                    await unit.commit()
                if isinstance(granted, Success):
                    model.open[rid] = (number, flag * number)
            case "commit" | "release" if model.open:
                rid = sorted(model.open)[number % len(model.open)]
                outputs, amount = model.open.pop(rid)
                if verb == "release":
                    async with world.units.begin() as unit:
                        await unit.quota.release(rid)
                        await unit.commit()
                    continue
                if flag:  # a partial success: one output, charged pro rata
                    amount, outputs = amount // outputs, 1
                held = await world.quota.reservation(rid)
                assert held is not None and held.is_open
                line = replace(
                    a_line(rid, user, amount),
                    outputs=outputs,
                    billing_period=held.period,
                    started_at=moment,
                    finished_at=moment,
                )
                async with world.units.begin() as unit:
                    await unit.quota.commit(rid, Settlement(outputs=outputs, amount=amount))
                    await unit.ledger.append(line)
                    await unit.commit()
                model.used_calls += outputs
                model.used_spend += amount
            case "move":
                on = "q" if on == "p" else "p"
                anchors[on] = number
                plan = replace(LIMITED, name=plans[on], anchor=BillingAnchor(number))
                await world.quota.define_plan(plan)  # the plan moved to, not yet the user's
                await world.quota.assign(user, plans[on])
            case "redefine":
                which = on if flag else ("q" if on == "p" else "p")
                anchors[which] = number
                plan = replace(LIMITED, name=plans[which], anchor=BillingAnchor(number))
                await world.quota.define_plan(plan)
        await agree(world, user, moment, anchors[on], model)


async def agree(world: World, user: str, moment: datetime, anchor: int, model: Model) -> None:
    period = period_containing(moment, BillingAnchor(anchor)).key
    counters = {
        key.name: counter
        for key, counter in (await world.quota.counters(user, moment)).items()
        if key.period == period
    }
    calls, spend = counters.get(CALLS), counters.get(SPEND)
    held_calls = sum(outputs for outputs, _ in model.open.values())
    held_spend = sum(amount for _, amount in model.open.values())
    assert (calls.used if calls else 0, calls.held if calls else 0) == (
        model.used_calls,
        held_calls,
    )
    assert (spend.used if spend else 0, spend.held if spend else 0) == (
        model.used_spend,
        held_spend,
    )
    lines = await world.ledger.for_user(user)
    assert sum(line.user_charge for line in lines) == model.used_spend
    assert sum(line.outputs for line in lines) == model.used_calls
    for line in lines:  # a period the user was in at `moment`, whichever anchor it was
        start = datetime.fromisoformat(line.billing_period).replace(tzinfo=UTC)
        assert moment - timedelta(days=31) < start <= moment


@pytest.mark.parametrize(
    "backend", ["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_what_was_used_stays_counted_whatever_the_anchor_changes(
    backend: str, request: pytest.FixtureRequest
) -> None:
    url = None
    if backend != "memory":
        url = str(request.getfixturevalue("sqlite_url" if backend == "sqlite" else "postgres_url"))
    examples = itertools.count()
    clock = FixedClock(datetime(2026, 11, 25, tzinfo=UTC))
    with asyncio.Runner() as runner:
        opened = world_with_clock(backend, url, clock)
        world = runner.run(opened.__aenter__())
        try:

            @settings(deadline=None, max_examples=60 if backend == "memory" else 30)
            @given(ANCHORS, STEPS, MOMENTS)
            def each(start: int, steps: list, moment: datetime) -> None:
                runner.run(check(world, clock, f"x{next(examples)}_", start, steps, moment))

            each()
        finally:
            runner.run(opened.__aexit__(None, None, None))
