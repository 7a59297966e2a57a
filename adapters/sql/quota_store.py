"""The quota store on SQL: the domain's reservation rule applied under row locks, in one
transaction, so concurrent requests in many processes can never overspend.

PostgreSQL: the user's row is locked first (serialising one user's reservations, not
everyone's), then the touched counter rows in key order (so two transactions never wait on
each other in a cycle). SQLite: every transaction is BEGIN IMMEDIATE (see engine.py), which
serialises writers across processes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from returns.result import Failure, Result, Success
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.budget_stripes import clear_allotments, hold_on_stripe
from imagestudio.adapters.sql.quota_codec import (
    demands_from_json,
    demands_to_json,
    plan_from_json,
    plan_to_json,
    request_from_json,
    request_to_json,
    settlement_from_json,
    settlement_to_json,
)
from imagestudio.adapters.sql.upsert import insert_missing
from imagestudio.application.ports.clock import Clock
from imagestudio.domain.billing_period import period_containing
from imagestudio.domain.errors import QuotaRefusal, UnknownPlan, UnknownUser, UserExists
from imagestudio.domain.limit import Limit
from imagestudio.domain.plan import OperatorBudget, Plan
from imagestudio.domain.quota import (
    LIVE,
    Counter,
    DimensionKey,
    ReservationRequest,
    Scope,
    Settlement,
    demands_for,
    refusal,
    settled_amount,
)
from imagestudio.domain.request_rate import WINDOW, rate_refusal
from imagestudio.domain.reservation import Reservation, ReservationState

_KEY = (
    t.quota_counters.c.scope,
    t.quota_counters.c.owner,
    t.quota_counters.c.name,
    t.quota_counters.c.period,
)


class SqlQuotaStore:
    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    # Administration.
    async def define_plan(self, plan: Plan) -> None:
        at = self._clock.now()
        async with self._engine.begin() as connection:
            await insert_missing(
                connection, t.plans, [{"name": plan.name, "definition": "{}", "updated_at": at}]
            )
            await connection.execute(
                update(t.plans)
                .where(t.plans.c.name == plan.name)
                .values(definition=plan_to_json(plan), updated_at=at)
            )

    async def define_plans_if_missing(self, plans: Iterable[Plan]) -> None:
        """Seed plans (the reference ones, at first start) without touching edited ones."""
        at = self._clock.now()
        async with self._engine.begin() as connection:
            await insert_missing(
                connection,
                t.plans,
                [{"name": p.name, "definition": plan_to_json(p), "updated_at": at} for p in plans],
            )

    async def assign(self, user_id: str, plan_name: str) -> None:
        at = self._clock.now()
        async with self._engine.begin() as connection:
            known = await connection.scalar(
                select(t.plans.c.name).where(t.plans.c.name == plan_name)
            )
            if known is None:
                raise KeyError(f"no plan named {plan_name!r}")
            await insert_missing(
                connection, t.users, [{"id": user_id, "plan_name": plan_name, "created_at": at}]
            )
            await connection.execute(
                update(t.users).where(t.users.c.id == user_id).values(plan_name=plan_name)
            )

    async def add_user(
        self, user_id: str, plan_name: str
    ) -> Result[None, UserExists | UnknownPlan]:
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
            await insert_missing(
                connection,
                t.users,
                [{"id": user_id, "plan_name": plan_name, "created_at": self._clock.now()}],
            )

    async def set_budget(self, budget: OperatorBudget) -> None:
        async with self._engine.begin() as connection:
            await insert_missing(
                connection,
                t.operator_budgets,
                [{"provider": budget.provider, "monthly_micros": None}],
            )
            await connection.execute(
                update(t.operator_budgets)
                .where(t.operator_budgets.c.provider == budget.provider)
                .values(monthly_micros=budget.monthly.maximum)
            )
            await clear_allotments(connection, budget.provider)

    async def budgets(self) -> tuple[OperatorBudget, ...]:
        b = t.operator_budgets.c
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                select(b.provider, b.monthly_micros).order_by(b.provider)
            )
            return tuple(
                OperatorBudget(provider=row.provider, monthly=Limit(row.monthly_micros))
                for row in rows
            )

    # The port.
    async def plan_of(self, user_id: str) -> Result[Plan, UnknownUser]:
        async with self._engine.connect() as connection:
            return await _plan_of(connection, user_id, lock=False)

    async def plans(self) -> tuple[Plan, ...]:
        async with self._engine.connect() as connection:
            rows = await connection.execute(select(t.plans).order_by(t.plans.c.name))
            return tuple(plan_from_json(row.name, row.definition) for row in rows)

    async def operator_budget(self, provider: str) -> OperatorBudget | None:
        async with self._engine.connect() as connection:
            return await _budget(connection, provider)

    async def reserve(
        self, reservation_id: str, request: ReservationRequest
    ) -> Result[Reservation, QuotaRefusal | UnknownUser]:
        async with self._engine.connect() as connection, connection.begin() as transaction:
            existing = await _reservation(connection, reservation_id, lock=False)
            if existing is not None:
                return Success(existing)
            found = await _plan_of(connection, request.user_id, lock=True)
            if isinstance(found, Failure):
                return Failure(found.failure())
            plan = found.unwrap()
            refused: QuotaRefusal | None = await _rate_refusal(
                connection, request, plan.requests_per_minute
            )
            demands = demands_for(request, plan, await _budget(connection, request.provider))
            own = [demand for demand in demands if demand.key.scope is Scope.USER]
            if refused is None:
                counters = await _locked_counters(connection, [demand.key for demand in own])
                refused = refusal(own, counters)
            if refused is not None:
                await transaction.rollback()  # a refusal writes nothing, not even empty counters
                return Failure(refused)
            for demand in own:
                await connection.execute(
                    update(t.quota_counters)
                    .where(_key_is(demand.key))
                    .values(held=t.quota_counters.c.held + demand.amount)
                )
            # The operator's budget is shared by every user of the provider: it is taken last,
            # on one of its stripes (budget_stripes.py), and held only until the commit.
            recorded = list(own)
            for demand in demands:
                if demand.key.scope is Scope.OPERATOR:
                    striped, refused = await hold_on_stripe(connection, demand, reservation_id)
                    recorded.append(striped)
            if refused is not None:
                await transaction.rollback()
                return Failure(refused)
            demands = tuple(recorded)
            await connection.execute(
                t.reservations.insert().values(
                    id=reservation_id,
                    user_id=request.user_id,
                    state=ReservationState.HELD.value,
                    request=request_to_json(request),
                    demands=demands_to_json(demands),
                    created_at=request.at,
                )
            )
            if not plan.requests_per_minute.is_unlimited:
                await connection.execute(
                    t.request_grants.insert().values(user_id=request.user_id, at=request.at)
                )
            return Success(Reservation(id=reservation_id, request=request, demands=demands))

    async def commit(self, reservation_id: str, settlement: Settlement) -> Reservation:
        return await self._settle(reservation_id, ReservationState.COMMITTED, settlement)

    async def release(self, reservation_id: str) -> Reservation:
        return await self._settle(reservation_id, ReservationState.RELEASED, None)

    async def reservation(self, reservation_id: str) -> Reservation | None:
        async with self._engine.connect() as connection:
            return await _reservation(connection, reservation_id, lock=False)

    async def counters(self, user_id: str, at: datetime) -> dict[DimensionKey, Counter]:
        async with self._engine.connect() as connection:
            found = await _plan_of(connection, user_id, lock=False)
            if isinstance(found, Failure):
                return {}
            period = period_containing(at, found.unwrap().anchor).key
            c = t.quota_counters.c
            rows = await connection.execute(
                select(t.quota_counters).where(
                    c.scope == Scope.USER.value, c.owner == user_id, c.period.in_([period, LIVE])
                )
            )
            return {_key_of(row): Counter(used=row.used, held=row.held) for row in rows}

    async def operator_counter(self, provider: str, period: str) -> Counter:
        """The operator's spend at `provider` for a calendar-month period key (all stripes)."""
        async with self._engine.connect() as connection:
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

    async def _settle(
        self, reservation_id: str, state: ReservationState, settlement: Settlement | None
    ) -> Reservation:
        async with self._engine.begin() as connection:
            reservation = await _reservation(connection, reservation_id, lock=True)
            if reservation is None:
                raise KeyError(f"no reservation {reservation_id!r}")
            if not reservation.is_open:
                return reservation  # exactly once: a second settle changes nothing
            moved = [
                (demand, settled_amount(demand, settlement) if settlement else 0)
                for demand in reservation.demands
            ]
            # The user's rows in the global order; the shared operator row last (see reserve).
            own = [(d, used) for d, used in moved if d.key.scope is Scope.USER]
            shared = [(d, used) for d, used in moved if d.key.scope is not Scope.USER]
            await _locked_counters(connection, [demand.key for demand, _ in own])
            await connection.execute(
                update(t.reservations)
                .where(t.reservations.c.id == reservation_id)
                .values(state=state.value, settlement=settlement_to_json(settlement))
            )
            for demand, used in (*own, *shared):
                c = t.quota_counters.c
                await connection.execute(
                    update(t.quota_counters)
                    .where(_key_is(demand.key))
                    .values(used=c.used + used, held=c.held - demand.amount)
                )
            return Reservation(
                id=reservation.id,
                request=reservation.request,
                demands=reservation.demands,
                state=state,
                settlement=settlement,
            )


async def _plan_of(
    connection: AsyncConnection, user_id: str, *, lock: bool
) -> Result[Plan, UnknownUser]:
    query = (
        select(t.plans.c.name, t.plans.c.definition)
        .select_from(t.users.join(t.plans, t.users.c.plan_name == t.plans.c.name))
        .where(t.users.c.id == user_id)
    )
    if lock:
        query = query.with_for_update(of=t.users)
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


async def _rate_refusal(
    connection: AsyncConnection, request: ReservationRequest, rate: Limit
) -> QuotaRefusal | None:
    if rate.is_unlimited:
        return None
    grants = t.request_grants.c
    await connection.execute(
        delete(t.request_grants).where(
            grants.user_id == request.user_id, grants.at <= request.at - WINDOW
        )
    )
    recent = await connection.execute(
        select(grants.at).where(grants.user_id == request.user_id, grants.at > request.at - WINDOW)
    )
    return rate_refusal(request.user_id, [row.at for row in recent], request.at, rate)


def _new_counter(key: DimensionKey) -> dict[str, object]:
    return {
        "scope": key.scope.value,
        "owner": key.owner,
        "name": key.name,
        "period": key.period,
        "used": 0,
        "held": 0,
    }


async def _locked_counters(
    connection: AsyncConnection, keys: list[DimensionKey]
) -> dict[DimensionKey, Counter]:
    """Lock the counter rows of `keys` (creating missing ones) in the one global order: the
    user's rows first, shared operator rows last, so no two transactions wait in a cycle."""
    ordered = sorted(set(keys), key=lambda key: (key.scope is Scope.OPERATOR, key))
    await insert_missing(connection, t.quota_counters, [_new_counter(k) for k in ordered])
    rows = await connection.execute(
        select(t.quota_counters)
        # OR'ed key equalities, not a row-value IN: SQLite answers the latter with a full scan.
        .where(or_(*(_key_is(k) for k in ordered)))
        .order_by(t.quota_counters.c.scope == Scope.OPERATOR.value, *_KEY)
        .with_for_update()
    )
    return {_key_of(row): Counter(used=row.used, held=row.held) for row in rows}


async def _reservation(
    connection: AsyncConnection, reservation_id: str, *, lock: bool
) -> Reservation | None:
    query = select(t.reservations).where(t.reservations.c.id == reservation_id)
    if lock:
        query = query.with_for_update()
    row = (await connection.execute(query)).first()
    if row is None:
        return None
    return Reservation(
        id=row.id,
        request=request_from_json(row.request),
        demands=demands_from_json(row.demands),
        state=ReservationState(row.state),
        settlement=settlement_from_json(row.settlement),
    )


def _key_is(key: DimensionKey) -> ColumnElement[bool]:
    c = t.quota_counters.c
    return and_(
        c.scope == key.scope.value, c.owner == key.owner, c.name == key.name, c.period == key.period
    )


def _key_of(row: Row[Any]) -> DimensionKey:
    return DimensionKey(Scope(row.scope), row.owner, row.name, row.period)
