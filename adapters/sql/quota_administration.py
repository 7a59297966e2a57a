"""What an operator changes on SQL: plans, which plan each user is on, the provider budgets. A
change of a user's billing anchor carries what they used this period into the period the new
anchor gives, in the same transaction (period_carry.py)."""

from __future__ import annotations

from returns.result import Failure, Result, Success
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.budget_stripes import (
    clear_allotments,
    count_spent_before,
    create_budget,
)
from imagestudio.adapters.sql.engine import reading
from imagestudio.adapters.sql.period_carry import carry_over
from imagestudio.adapters.sql.quota_codec import plan_from_json, plan_to_json
from imagestudio.adapters.sql.stored_text import unstorable
from imagestudio.adapters.sql.upsert import insert_missing
from imagestudio.application.ports.clock import Clock
from imagestudio.domain.anchor_move import anchor_move
from imagestudio.domain.errors import InvalidInput, UnknownPlan, UserExists, plan_in_use
from imagestudio.domain.limit import Limit
from imagestudio.domain.plan import OperatorBudget, Plan, SpentBefore, Subscription


class SqlQuotaAdministration:
    """The `QuotaAdministration` port on SQL (the quota store, quota_store.py, is one)."""

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._reader = reading(engine)
        self._clock = clock

    async def define_plan(self, plan: Plan) -> None:
        at = self._clock.now()
        async with self._engine.begin() as connection:
            before = await _plan_named(connection, plan.name, lock=True)
            await connection.run_sync(
                insert_missing, t.plans, [{"name": plan.name, "definition": "{}", "updated_at": at}]
            )
            await connection.execute(
                update(t.plans)
                .where(t.plans.c.name == plan.name)
                .values(definition=plan_to_json(plan), updated_at=at)
            )
            move = None if before is None else anchor_move(at, before.anchor, plan.anchor)
            if move is not None:
                users = await _users_on(connection, plan.name, lock=True)
                await connection.run_sync(carry_over, users, move)

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
            after = await _plan_named(connection, plan_name)
            if after is None:
                raise KeyError(f"no plan named {plan_name!r}")
            # The user's row first, locked: the order reserving takes (reserving.py).
            was_on = await connection.scalar(
                select(t.users.c.plan_name).where(t.users.c.id == user_id).with_for_update()
            )
            await connection.run_sync(
                insert_missing, t.users, [{"id": user_id, "plan_name": plan_name, "created_at": at}]
            )
            await connection.execute(
                update(t.users).where(t.users.c.id == user_id).values(plan_name=plan_name)
            )
            before = None if was_on is None else await _plan_named(connection, was_on)
            move = None if before is None else anchor_move(at, before.anchor, after.anchor)
            if move is not None:
                await connection.run_sync(carry_over, (user_id,), move)

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

    async def set_budget(self, budget: OperatorBudget, spent: SpentBefore | None = None) -> None:
        async with self._engine.begin() as connection:
            created = await connection.run_sync(create_budget, budget.provider)
            if created and spent is not None:
                await connection.run_sync(count_spent_before, budget.provider, spent)
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


async def _plan_named(connection: AsyncConnection, name: str, *, lock: bool = False) -> Plan | None:
    query = select(t.plans.c.name, t.plans.c.definition).where(t.plans.c.name == name)
    row = (await connection.execute(query.with_for_update() if lock else query)).first()
    return None if row is None else plan_from_json(row.name, row.definition)


async def _users_on(
    connection: AsyncConnection, plan_name: str, *, lock: bool = False
) -> tuple[str, ...]:
    u = t.users.c
    query = select(u.id).where(u.plan_name == plan_name).order_by(u.id)
    rows = await connection.execute(query.with_for_update() if lock else query)
    return tuple(row.id for row in rows)
