"""What reserving a request would decide on, read without locking or writing (for a quote):
the same plan, budget, counters and request window reserving.py reads, in one read."""

from __future__ import annotations

from returns.result import Failure, Result, Success
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.quota_codec import plan_from_json
from imagestudio.adapters.sql.quota_counters import key_of
from imagestudio.adapters.sql.reserving import GRANTED
from imagestudio.domain.errors import UnknownUser
from imagestudio.domain.limit import Limit
from imagestudio.domain.plan import OperatorBudget
from imagestudio.domain.plan_fit import Standing
from imagestudio.domain.quota import Counter, DimensionKey, ReservationRequest, Scope, demands_for
from imagestudio.domain.request_rate import WINDOW

_u, _p, _b, _c = t.users.c, t.plans.c, t.operator_budgets.c, t.quota_counters.c


async def read_standing(
    connection: AsyncConnection, request: ReservationRequest
) -> Result[Standing, UnknownUser]:
    """The port's `QuotaStore.standing` on one connection (see there)."""
    found = (
        await connection.execute(
            select(_p.name, _p.definition, _b.provider.label("budgeted"), _b.monthly_micros)
            .select_from(
                t.users.join(t.plans, _u.plan_name == _p.name).outerjoin(
                    t.operator_budgets, _b.provider == request.provider
                )
            )
            .where(_u.id == request.user_id)
        )
    ).first()
    if found is None:
        return Failure(UnknownUser(request.user_id))
    plan = plan_from_json(found.name, found.definition)
    budget = None
    if found.budgeted is not None:
        budget = OperatorBudget(provider=request.provider, monthly=Limit(found.monthly_micros))
    counters: dict[DimensionKey, Counter] = {}
    for demand in demands_for(request, plan, budget):
        key = demand.key
        if key.scope is Scope.OPERATOR:
            counters[key] = await _budget_total(connection, key)
            continue
        rows = await connection.execute(
            select(t.quota_counters).where(
                _c.scope == key.scope.value,
                _c.owner == key.owner,
                _c.name == key.name,
                _c.period == key.period,
            )
        )
        counters.update({key_of(row): Counter(used=row.used, held=row.held) for row in rows})
    recent, oldest = 0, None
    if not plan.requests_per_minute.is_unlimited:
        params = {"user_id": request.user_id, "since": request.at - WINDOW}
        recent, oldest, _stale = (await connection.execute(GRANTED, params)).one()
    return Success(
        Standing(plan=plan, budget=budget, counters=counters, recent=int(recent), oldest=oldest)
    )


async def _budget_total(connection: AsyncConnection, key: DimensionKey) -> Counter:
    """The budget as one counter: every stripe of it summed (budget_stripes.py)."""
    row = (
        await connection.execute(
            select(
                func.coalesce(func.sum(_c.used), 0).label("used"),
                func.coalesce(func.sum(_c.held), 0).label("held"),
            ).where(
                _c.scope == Scope.OPERATOR.value,
                _c.owner == key.owner,
                _c.period == key.period,
                _c.name.like(f"{key.name}:%"),
            )
        )
    ).one()
    return Counter(used=int(row.used), held=int(row.held))
