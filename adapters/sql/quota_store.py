"""The quota store on SQL: the plans, the reservations and counters as they stand (what an
operator changes is quota_administration.py's). Reserving and settling are the unit of work's
(unit_stores.py runs reserving.py's and settling.py's SQL in its transaction).
"""

from __future__ import annotations

from datetime import datetime

from returns.result import Failure, Result, Success
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.quota_administration import SqlQuotaAdministration
from imagestudio.adapters.sql.quota_codec import plan_from_json, reservation_from_columns
from imagestudio.adapters.sql.quota_counters import key_of
from imagestudio.adapters.sql.standing import read_standing
from imagestudio.adapters.sql.stored_text import unstorable
from imagestudio.domain.billing_period import period_containing
from imagestudio.domain.errors import UnknownUser
from imagestudio.domain.limit import Limit
from imagestudio.domain.plan import OperatorBudget, Plan
from imagestudio.domain.plan_fit import Standing
from imagestudio.domain.quota import (
    LIVE,
    Counter,
    DimensionKey,
    ReservationRequest,
    Scope,
)
from imagestudio.domain.reservation import Reservation


class SqlQuotaStore(SqlQuotaAdministration):
    """The `QuotaStore` port on SQL, and the `QuotaAdministration` one (quota_administration.py)."""

    async def plan_of(self, user_id: str) -> Result[Plan, UnknownUser]:
        if unstorable(user_id):
            return Failure(UnknownUser(user_id))
        async with self._reader.connect() as connection:
            return await _plan_of(connection, user_id)

    async def plans(self) -> tuple[Plan, ...]:
        async with self._reader.connect() as connection:
            rows = await connection.execute(select(t.plans).order_by(t.plans.c.name))
            return tuple(plan_from_json(row.name, row.definition) for row in rows)

    async def operator_budget(self, provider: str) -> OperatorBudget | None:
        async with self._reader.connect() as connection:
            return await _budget(connection, provider)

    async def reservation(self, reservation_id: str) -> Reservation | None:
        async with self._reader.connect() as connection:
            return await _reservation(connection, reservation_id)

    async def counters(self, user_id: str, at: datetime) -> dict[DimensionKey, Counter]:
        async with self._reader.connect() as connection:
            found = await _plan_of(connection, user_id)
            if isinstance(found, Failure):
                return {}
            period = period_containing(at, found.unwrap().anchor).key
            c = t.quota_counters.c
            rows = await connection.execute(
                select(t.quota_counters).where(
                    c.scope == Scope.USER.value, c.owner == user_id, c.period.in_([period, LIVE])
                )
            )
            return {key_of(row): Counter(used=row.used, held=row.held) for row in rows}

    async def standing(self, request: ReservationRequest) -> Result[Standing, UnknownUser]:
        async with self._reader.connect() as connection:
            return await read_standing(connection, request)

    async def operator_counter(self, provider: str, period: str) -> Counter:
        """The operator's spend at `provider` for a calendar-month period key (all stripes)."""
        async with self._reader.connect() as connection:
            c = t.quota_counters.c
            row = (
                await connection.execute(
                    select(
                        func.coalesce(func.sum(c.used), 0).label("used"),
                        func.coalesce(func.sum(c.held), 0).label("held"),
                    ).where(
                        c.scope == Scope.OPERATOR.value, c.owner == provider, c.period == period
                    )
                )
            ).one()
            return Counter(used=int(row.used), held=int(row.held))


async def _plan_of(connection: AsyncConnection, user_id: str) -> Result[Plan, UnknownUser]:
    query = (
        select(t.plans.c.name, t.plans.c.definition)
        .select_from(t.users.join(t.plans, t.users.c.plan_name == t.plans.c.name))
        .where(t.users.c.id == user_id)
    )
    row = (await connection.execute(query)).first()
    if row is None:
        return Failure(UnknownUser(user_id))
    return Success(plan_from_json(row.name, row.definition))


async def _budget(connection: AsyncConnection, provider: str) -> OperatorBudget | None:
    row = (
        await connection.execute(
            select(t.operator_budgets.c.monthly_micros).where(
                t.operator_budgets.c.provider == provider
            )
        )
    ).first()
    return (
        None
        if row is None
        else OperatorBudget(provider=provider, monthly=Limit(row.monthly_micros))
    )


async def _reservation(connection: AsyncConnection, reservation_id: str) -> Reservation | None:
    r = t.reservations.c
    row = (
        await connection.execute(
            select(r.request, r.demands, r.state, r.settlement).where(r.id == reservation_id)
        )
    ).first()
    if row is None:
        return None
    return reservation_from_columns(
        reservation_id, row.request, row.demands, row.state, row.settlement
    )
