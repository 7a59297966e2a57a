"""Change plan: move a user to another plan, effective now."""

from __future__ import annotations

from returns.result import Failure, Result, Success

from imagestudio.application.ports.quota_store import QuotaAdministration, QuotaStore
from imagestudio.domain.errors import UnknownPlan, UnknownUser
from imagestudio.domain.plan import Plan


class ChangePlan:
    """Puts an existing user on another plan at once; what they used this period stays used,
    so a downgrade below their use blocks new requests and takes nothing back."""

    def __init__(self, quota: QuotaStore, administration: QuotaAdministration) -> None:
        self._quota = quota
        self._administration = administration

    async def execute(
        self, user_id: str, plan_name: str
    ) -> Result[Plan, UnknownUser | UnknownPlan]:
        """The user's new plan."""
        current = await self._quota.plan_of(user_id)
        if isinstance(current, Failure):
            return Failure(current.failure())
        plan = next((plan for plan in await self._quota.plans() if plan.name == plan_name), None)
        if plan is None:
            return Failure(UnknownPlan(plan_name))
        await self._administration.assign(user_id, plan_name)
        return Success(plan)
