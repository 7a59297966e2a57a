"""What every ledger measurement works on: the plan, the users, the providers with and without an
operator budget, the price; a database prepared with them, and one reserve → commit as the money
path does it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from imagestudio.adapters.sql import schema
from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.quota_store import SqlQuotaStore
from imagestudio.adapters.sql.unit_of_work import SqlUnitOfWork
from imagestudio.adapters.system.clock import SystemClock
from imagestudio.domain.limit import Limit
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.plan import OperatorBudget, Plan
from imagestudio.domain.quota import ReservationRequest, Settlement

PLAN = Plan(
    name="bench",
    calls={category: Limit.of(10**12) for category in QuotaCategory},
    spend_cap=Limit.of(10**15),
    concurrent_operations=Limit.of(10**6),
    # A finite rate makes every reservation read the user's grants of the last minute: at most
    # 120 rows on the reference plans, but tens of thousands for a hot user at benchmark rates.
)
BUDGETED = "wavespeed"  # has an operator budget: every reservation locks its counter row
UNBUDGETED = "stability"  # no budget row: a reservation touches only its user's rows
STRIPES = tuple(f"{BUDGETED}-{index}" for index in range(8))  # 8 budget rows: striping's effect
BUDGETS = [OperatorBudget(provider=p, monthly=Limit.of(10**15)) for p in (BUDGETED, *STRIPES)]
PRICE = 30_000  # $0.03, in micro-dollars
SETTLEMENT = Settlement(outputs=1, amount=PRICE)
USERS = [f"u{index:04d}" for index in range(1_000)]
HOT = "hot"


def reservation_request(user: str, provider: str) -> ReservationRequest:
    return ReservationRequest(
        user_id=user,
        category=QuotaCategory.IMAGE_GENERATION,
        outputs=1,
        amount=PRICE,
        provider=provider,
        at=datetime.now(UTC),
    )


async def reserve_and_commit(
    units: SqlUnitOfWork, reservation: str, request: ReservationRequest
) -> None:
    """A unit that reserves, then one that commits, as the money path's accept and settle do."""
    async with units.begin() as unit:
        (await unit.quota.reserve(reservation, request)).unwrap()
        await unit.commit()
    async with units.begin() as unit:
        await unit.quota.commit(reservation, SETTLEMENT)
        await unit.commit()


async def prepare(engine: AsyncEngine) -> SqlQuotaStore:
    await schema.upgrade(engine)
    store = SqlQuotaStore(engine, SystemClock())
    await store.define_plan(PLAN)
    for budget in BUDGETS:
        await store.set_budget(budget)
    async with engine.begin() as connection:
        at = datetime.now(UTC)
        await connection.execute(
            insert(t.users),
            [{"id": user, "plan_name": PLAN.name, "created_at": at} for user in [HOT, *USERS]],
        )
    return store
