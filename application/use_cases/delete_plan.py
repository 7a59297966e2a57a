"""Delete plan: remove a plan nobody is on."""

from __future__ import annotations

from returns.result import Failure, Result

from imagestudio.application.ports.quota_store import QuotaAdministration
from imagestudio.domain.errors import InvalidInput, UnknownPlan
from imagestudio.domain.errors.echo import echoed
from imagestudio.domain.plan import Plan

DeletePlanError = UnknownPlan | InvalidInput


class DeletePlan:
    """Deletes a plan no user is on; the default plan, which new users start on, never."""

    def __init__(self, administration: QuotaAdministration, default_plan: str) -> None:
        self._administration = administration
        self._default_plan = default_plan

    async def execute(self, name: str) -> Result[Plan, DeletePlanError]:
        """The plan as it was before it was deleted. A plan with users, or the default plan, is
        refused and stays; the reference plans, once deleted, are not seeded again."""
        if name == self._default_plan:
            return Failure(
                InvalidInput(
                    "plan",
                    f"{echoed(name)} is the default plan (IMAGESTUDIO_DEFAULT_PLAN), the one the "
                    "default user is created on: set another first",
                )
            )
        deleted: Result[Plan, DeletePlanError] = await self._administration.delete_plan(name)
        return deleted
