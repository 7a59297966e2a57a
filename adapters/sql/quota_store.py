"""The quota store on SQL: plans, users, operator budgets, and the reservations and counters as
they stand. Reserving and settling are the unit of work's (unit_stores.py runs reserving.py's
and settling.py's SQL in its transaction).
"""

from __future__ import annotations

from datetime import datetime

from returns.result import Failure, Result, Success
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.budget_stripes import clear_allotments
from imagestudio.adapters.sql.engine import reading
from imagestudio.adapters.sql.quota_codec import (
    plan_from_json,
    plan_to_json,
    reservation_from_columns,
)
from imagestudio.adapters.sql.quota_counters import key_of
from imagestudio.adapters.sql.standing import read_standing
from imagestudio.adapters.sql.stored_text import unstorable
from imagestudio.adapters.sql.upsert import insert_missing
from imagestudio.application.ports.clock import Clock
from imagestudio.domain.billing_period import period_containing
from imagestudio.domain.errors import (
    InvalidInput,
    UnknownPlan,
    UnknownUser,
    UserExists,
    plan_in_use,
)
from imagestudio.domain.limit import Limit
from imagestudio.domain.plan import OperatorBudget, Plan, Subscription
from imagestudio.domain.plan_fit import Standing
from imagestudio.domain.quota import (
    LIVE,
    Counter,
    DimensionKey,
    ReservationRequest,
    Scope,
)
from imagestudio.domain.reservation import Reservation


class SqlQuotaStore:
    """The `QuotaStore` and `QuotaAdministration` ports on SQL."""

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._reader = reading(engine)
        self._clock = clock

    # Administration.
    async def define_plan(self, plan: Plan) -> None:
        at = self._clock.now()
        async with self._engine.begin() as connection:
            await connection.run_sync(
                insert_missing, t.plans, [{"name": plan.name, "definition": "{}", "updated_at": at}]
            )
            await connection.execute(
                update(t.plans)
                .where(t.plans.c.name == plan.name)
                .values(definition=plan_to_json(plan), updated_at=at)
            )

    async def delete_plan(self, name: str) -> Result[Plan, UnknownPlan | InvalidInput]:
        if unstorable(name):
            return Failure(UnknownPlan(name))
        try:
            async with self._engine.begin() as connection:
                found = (
                    await connection.execute(select(t.plans).where(t.plans.c.name == name))
                ).first()
                if found is None:
                    return Failure(UnknownPlan(name))
                on_it = await _users_on(connection, name)
                if on_it:
                    return Failure(plan_in_use(name, on_it))
                await connection.execute(t.plans.delete().where(t.plans.c.name == name))
        except IntegrityError:
            # A user put on the plan by another process since it was looked at: the users'
            # foreign key refuses the delete, and the plan stays.
            async with self._reader.connect() as connection:
                return Failure(plan_in_use(name, await _users_on(connection, name)))
        return Success(plan_from_json(found.name, found.definition))

    async def users(
        self, *, after: str | None = None, limit: int | None = None
    ) -> tuple[Subscription, ...]:
        u = t.users.c
        query = select(u.id, u.plan_name, u.created_at).order_by(u.id)
        if after is not None:
            query = query.where(u.id > after)
        if limit is not None:
            query = query.limit(max(limit, 0))
        async with self._reader.connect() as connection:
            rows = await connection.execute(query)
            return tuple(
                Subscription(user_id=row.id, plan=row.plan_name, created_at=row.created_at)
                for row in rows
            )

    async def assign(self, user_id: str, plan_name: str) -> None:
        at = self._clock.now()
        async with self._engine.begin() as connection:
            known = await connection.scalar(
                select(t.plans.c.name).where(t.plans.c.name == plan_name)
            )
            if known is None:
                raise KeyError(f"no plan named {plan_name!r}")
            await connection.run_sync(
                insert_missing, t.users, [{"id": user_id, "plan_name": plan_name, "created_at": at}]
            )
            await connection.execute(
                update(t.users).where(t.users.c.id == user_id).values(plan_name=plan_name)
            )

    async def add_user(
        self, user_id: str, plan_name: str
    ) -> Result[None, UserExists | UnknownPlan]:
        if unstorable(plan_name):
            return Failure(UnknownPlan(plan_name))
        try:
            async with self._engine.begin() as connection:
                known = await connection.scalar(
                    select(t.plans.c.name).where(t.plans.c.name == plan_name)
                )
                if known is None:
                    return Failure(UnknownPlan(plan_name))
                await connection.execute(
                    t.users.insert().values(
                        id=user_id, plan_name=plan_name, created_at=self._clock.now()
                    )
                )
        except IntegrityError:
            return Failure(UserExists(user_id))  # the primary key: the user is there already
        return Success(None)

    async def add_user_if_missing(self, user_id: str, plan_name: str) -> None:
        """Create the user on `plan_name` unless the user exists (whose plan then stays)."""
        async with self._engine.begin() as connection:
            await connection.run_sync(
                insert_missing,
                t.users,
                [{"id": user_id, "plan_name": plan_name, "created_at": self._clock.now()}],
            )

    async def set_budget(self, budget: OperatorBudget) -> None:
        async with self._engine.begin() as connection:
            await connection.run_sync(
                insert_missing,
                t.operator_budgets,
                [{"provider": budget.provider, "monthly_micros": None}],
            )
            await connection.execute(
                update(t.operator_budgets)
                .where(t.operator_budgets.c.provider == budget.provider)
                .values(monthly_micros=budget.monthly.maximum)
            )
            await connection.run_sync(clear_allotments, budget.provider)

    async def budgets(self) -> tuple[OperatorBudget, ...]:
        b = t.operator_budgets.c
        async with self._reader.connect() as connection:
            rows = await connection.execute(
                select(b.provider, b.monthly_micros).order_by(b.provider)
            )
            return tuple(
                OperatorBudget(provider=row.provider, monthly=Limit(row.monthly_micros))
                for row in rows
            )

    # The port.
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


async def _users_on(connection: AsyncConnection, plan_name: str) -> tuple[str, ...]:
    u = t.users.c
    rows = await connection.execute(select(u.id).where(u.plan_name == plan_name).order_by(u.id))
    return tuple(row.id for row in rows)


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
