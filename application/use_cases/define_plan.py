"""Define plan: create a plan, or replace one so its users get the new limits at once."""

from __future__ import annotations

from returns.result import Failure, Result, Success

from imagestudio.application.names import PLAN_NAME_LENGTH, check_name
from imagestudio.application.plan_numbers import plan_problem
from imagestudio.application.ports.quota_store import QuotaAdministration
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.plan import Plan


class DefinePlan:
    """Creates or replaces a plan; what its users used this period stays used."""

    def __init__(self, administration: QuotaAdministration) -> None:
        self._administration = administration

    async def execute(self, plan: Plan) -> Result[Plan, InvalidInput]:
        """The plan as stored; a name that cannot be one, or a number no store keeps (a float,
        past a 64-bit column, a retention past a century), is refused and nothing changes."""
        problem = check_name("plan name", plan.name, PLAN_NAME_LENGTH) or plan_problem(plan)
        if problem is not None:
            return Failure(problem)
        await self._administration.define_plan(plan)
        return Success(plan)
