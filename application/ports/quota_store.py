"""The quota store port: plans, users' subscriptions, operator budgets, and what the quota
holds, read. Reserving and settling are the unit of work's (`UnitQuota`), so that they change
in one transaction with everything else of the money path."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from returns.result import Result

from imagestudio.domain.errors import (
    InvalidInput,
    UnknownPlan,
    UnknownUser,
    UserExists,
)
from imagestudio.domain.plan import OperatorBudget, Plan, SpentBefore, Subscription
from imagestudio.domain.plan_fit import Standing
from imagestudio.domain.quota import Counter, DimensionKey, ReservationRequest
from imagestudio.domain.reservation import Reservation


class QuotaStore(Protocol):
    """Plans, budgets, reservations and counters as they stand (written through the unit of
    work's `UnitQuota`)."""

    async def plan_of(self, user_id: str) -> Result[Plan, UnknownUser]:
        """The plan the user is on now."""
        ...

    async def plans(self) -> tuple[Plan, ...]:
        """Every plan, by name."""
        ...

    async def operator_budget(self, provider: str) -> OperatorBudget | None:
        """The operator's monthly budget at `provider`, if one is set."""
        ...

    async def reservation(self, reservation_id: str) -> Reservation | None:
        """The reservation as it stands (held, committed or released), or None."""
        ...

    async def counters(self, user_id: str, at: datetime) -> dict[DimensionKey, Counter]:
        """The user's counters for the period containing `at` (and live concurrency)."""
        ...

    async def standing(self, request: ReservationRequest) -> Result[Standing, UnknownUser]:
        """What reserving `request` would decide on, read now, locking and writing nothing: the
        user's plan, the provider's budget, the counters of the request's demands (the budget's
        as one counter, all its parts summed), and for a finite rate limit the user's requests
        in the window. Stored bytes are the asset library's (`bytes_used`): left 0 here."""
        ...


class QuotaAdministration(Protocol):
    """What an operator changes: plans, which plan a user is on, the provider budgets."""

    async def define_plan(self, plan: Plan) -> None:
        """Create or replace a plan; users on it get its new limits at once."""
        ...

    async def delete_plan(self, name: str) -> Result[Plan, UnknownPlan | InvalidInput]:
        """Delete a plan no user is on (the plan as it was); one with users is refused
        (`plan_in_use`) and stays, checked in the same transaction as the delete."""
        ...

    async def add_user(
        self, user_id: str, plan_name: str
    ) -> Result[None, UserExists | UnknownPlan]:
        """Create a user on a plan; an existing user is refused and keeps their plan."""
        ...

    async def users(
        self, *, after: str | None = None, limit: int | None = None
    ) -> tuple[Subscription, ...]:
        """The users and the plan each is on, by user id: every one, or at most `limit` of
        those whose id sorts after `after` (a page)."""
        ...

    async def assign(self, user_id: str, plan_name: str) -> None:
        """Put a user (new or existing) on a plan; what was used this period stays used."""
        ...

    async def set_budget(self, budget: OperatorBudget, spent: SpentBefore | None = None) -> None:
        """Set the operator's monthly budget at one provider. When this creates it, `spent`
        (the month's spend there so far) is counted against it; a budget that exists keeps
        its count."""
        ...

    async def budgets(self) -> tuple[OperatorBudget, ...]:
        """Every operator budget, by provider."""
        ...

    async def operator_counter(self, provider: str, period: str) -> Counter:
        """The operator's spend at `provider` for a calendar-month period key."""
        ...
