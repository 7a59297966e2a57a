"""An in-process quota store: plans, users, budgets, counters and reservations under one lock.

A real, complete implementation of the QuotaStore port, used by tests and the offline profile.
Reserving and settling are the memory unit of work's: it runs the reservation rule
(quota_book.py) on a draft of this store (`draft`) and merges it under the same lock; the SQL
adapters apply the same domain rule in one transaction.

The units run one at a time under `units_lock`, and so do the changes made here to what a unit
decides on (plans, who is on which, budgets, spend): a unit that read a plan never merges its
decision after the plan changed, say after a new anchor carried the counters to another period
(on SQL, the database's locks give the same order).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime

from returns.result import Failure, Result, Success

from imagestudio.adapters.memory.quota_book import QuotaBook, adjust, carry_over, standing_in
from imagestudio.adapters.memory.quota_draft import QuotaDraft
from imagestudio.adapters.system.clock import SystemClock
from imagestudio.application.ports.clock import Clock
from imagestudio.domain.anchor_move import anchor_move
from imagestudio.domain.billing_period import period_containing
from imagestudio.domain.errors import (
    InvalidInput,
    RefundTooLarge,
    UnknownPlan,
    UnknownUser,
    UserExists,
    plan_in_use,
)
from imagestudio.domain.plan import OperatorBudget, Plan, SpentBefore, Subscription
from imagestudio.domain.plan_fit import Standing
from imagestudio.domain.quota import (
    BUDGET,
    LIVE,
    Counter,
    DimensionKey,
    ReservationRequest,
    Scope,
    demands_for,
    dimension_key,
)
from imagestudio.domain.reservation import Reservation


class InMemoryQuotaStore:
    def __init__(
        self,
        plans: Iterable[Plan],
        users: dict[str, str] | None = None,
        budgets: Iterable[OperatorBudget] = (),
        clock: Clock | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self.units_lock = asyncio.Lock()
        """Held by each unit of work for its whole life (unit_of_work.py) and by each change of
        a plan, an assignment, a budget or a spend here."""
        self._clock = clock or SystemClock()
        self._plans = {plan.name: plan for plan in plans}
        self._users: dict[str, str] = {}
        self._created: dict[str, datetime] = {}
        self._budgets = {budget.provider: budget for budget in budgets}
        self._counters: dict[DimensionKey, Counter] = {}
        self._reservations: dict[str, Reservation] = {}
        self._granted: dict[str, list[datetime]] = {}
        self._book = QuotaBook(self._counters, self._reservations, self._granted)
        for user_id, plan_name in (users or {}).items():
            self._assign(user_id, plan_name)

    # Administration (the QuotaAdministration port).
    async def define_plan(self, plan: Plan) -> None:
        async with self._changing():
            before = self._plans.get(plan.name)
            self._plans[plan.name] = plan
            if before is not None:
                on_it = {user for user, on in self._users.items() if on == plan.name}
                self._carry(on_it, before, plan)

    async def delete_plan(self, name: str) -> Result[Plan, UnknownPlan | InvalidInput]:
        async with self._changing():
            plan = self._plans.get(name)
            if plan is None:
                return Failure(UnknownPlan(name))
            on_it = tuple(sorted(user for user, on in self._users.items() if on == name))
            if on_it:
                return Failure(plan_in_use(name, on_it))
            del self._plans[name]
            return Success(plan)

    async def users(
        self, *, after: str | None = None, limit: int | None = None
    ) -> tuple[Subscription, ...]:
        with self._lock:
            found = [
                Subscription(user_id=user, plan=plan, created_at=self._created.get(user))
                for user, plan in sorted(self._users.items())
                if after is None or user > after
            ]
        return tuple(found if limit is None else found[: max(limit, 0)])

    async def add_user(
        self, user_id: str, plan_name: str
    ) -> Result[None, UserExists | UnknownPlan]:
        with self._lock:
            if plan_name not in self._plans:
                return Failure(UnknownPlan(plan_name))
            if user_id in self._users:
                return Failure(UserExists(user_id))
            self._assign(user_id, plan_name)
            return Success(None)

    async def assign(self, user_id: str, plan_name: str) -> None:
        async with self._changing():
            self._assign(user_id, plan_name)

    async def set_budget(self, budget: OperatorBudget, spent: SpentBefore | None = None) -> None:
        async with self._changing():
            if spent is not None and budget.provider not in self._budgets:
                key = dimension_key(Scope.OPERATOR, budget.provider, BUDGET, spent.period)
                counter = self._counters.get(key, Counter())
                self._counters[key] = replace(counter, used=counter.used + spent.amount)
            self._budgets[budget.provider] = budget

    async def adjust_spend(
        self, user_id: str, period: str, amount: int
    ) -> Result[Counter, RefundTooLarge]:
        """Move the user's spend for `period` by `amount` (negative: a refund), never below 0."""
        async with self._changing():
            return adjust(self._book, user_id, period, amount)

    async def budgets(self) -> tuple[OperatorBudget, ...]:
        with self._lock:
            return tuple(self._budgets[provider] for provider in sorted(self._budgets))

    @asynccontextmanager
    async def _changing(self) -> AsyncIterator[None]:
        """A change of what units decide on: after the unit in progress, before the next."""
        async with self.units_lock:
            with self._lock:
                yield

    def _assign(self, user_id: str, plan_name: str) -> None:
        if plan_name not in self._plans:
            raise KeyError(f"no plan named {plan_name!r}")
        before = self._users.get(user_id)
        self._users[user_id] = plan_name
        if before is not None:
            self._carry({user_id}, self._plans[before], self._plans[plan_name])
        self._created.setdefault(user_id, datetime.now(UTC))

    def _carry(self, users: set[str], before: Plan, after: Plan) -> None:
        """A new anchor: what the users used this period stays counted (quota_book.py)."""
        move = anchor_move(self._clock.now(), before.anchor, after.anchor)
        if move is not None and users:
            carry_over(self._book, users, move)

    # The port.
    async def plan_of(self, user_id: str) -> Result[Plan, UnknownUser]:
        with self._lock:
            return self._plan_of(user_id)

    async def plans(self) -> tuple[Plan, ...]:
        with self._lock:
            return tuple(sorted(self._plans.values(), key=lambda plan: plan.name))

    async def operator_budget(self, provider: str) -> OperatorBudget | None:
        with self._lock:
            return self._budgets.get(provider)

    def draft(self) -> QuotaDraft:
        """A unit of work's draft of this store: changes kept aside until it merges them."""
        return QuotaDraft(self._book, self._plan_of, self._budgets.get, self._lock)

    async def reservation(self, reservation_id: str) -> Reservation | None:
        with self._lock:
            return self._reservations.get(reservation_id)

    async def counters(self, user_id: str, at: datetime) -> dict[DimensionKey, Counter]:
        with self._lock:
            plan = self._plan_of(user_id)
            anchor = plan.unwrap().anchor if isinstance(plan, Success) else None
            period = period_containing(at, anchor).key if anchor else None
            return {
                key: counter
                for key, counter in self._counters.items()
                if key.scope is Scope.USER and key.owner == user_id and key.period in (period, LIVE)
            }

    async def standing(self, request: ReservationRequest) -> Result[Standing, UnknownUser]:
        with self._lock:
            found = self._plan_of(request.user_id)
            if isinstance(found, Failure):
                return Failure(found.failure())
            plan, budget = found.unwrap(), self._budgets.get(request.provider)
            read = standing_in(self._book, request, plan, budget, lambda _: 0)
            keys = [demand.key for demand in demands_for(request, plan, budget)]
            counters = {key: self._counters[key] for key in keys if key in self._counters}
            return Success(replace(read, counters=counters))

    async def operator_counter(self, provider: str, period: str) -> Counter:
        """The operator's spend at `provider` for a calendar-month period key."""
        with self._lock:
            for key, counter in self._counters.items():
                if key.scope is Scope.OPERATOR and key.owner == provider and key.period == period:
                    return counter
            return Counter()

    def erase_user(self, user_id: str) -> bool:
        """Delete the user, their own counters, reservations and request grants (the operator's
        budget counters are shared and stay); whether the user existed. Refused, changing
        nothing, while a reservation of the user holds: its hold on the budget would stay."""
        with self._lock:
            mine = [r.id for r in self._reservations.values() if r.request.user_id == user_id]
            held = sorted(rid for rid in mine if self._reservations[rid].is_open)
            if held:
                raise ValueError(f"user {user_id!r} has held reservations {tuple(held)}")
            for reservation_id in mine:
                del self._reservations[reservation_id]
            for key in [k for k in self._counters if k.scope is Scope.USER and k.owner == user_id]:
                del self._counters[key]
            self._granted.pop(user_id, None)
            self._created.pop(user_id, None)
            return self._users.pop(user_id, None) is not None

    def _plan_of(self, user_id: str) -> Result[Plan, UnknownUser]:
        plan_name = self._users.get(user_id)
        if plan_name is None:
            return Failure(UnknownUser(user_id))
        return Success(self._plans[plan_name])
