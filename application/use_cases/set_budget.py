"""Set budget: the operator's own monthly spending cap at one provider."""

from __future__ import annotations

from returns.result import Failure, Result, Success

from imagestudio.application.plan_numbers import limit_problem
from imagestudio.application.ports.catalog import ModelCatalog
from imagestudio.application.ports.quota_store import QuotaAdministration
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.errors.echo import echoed
from imagestudio.domain.plan import OperatorBudget


class SetBudget:
    """Sets the operator's monthly budget at a provider the catalog knows; it binds every
    reservation from now on, for all users together (`unlimited` tracks spend without a cap)."""

    def __init__(self, administration: QuotaAdministration, catalog: ModelCatalog) -> None:
        self._administration = administration
        self._catalog = catalog

    async def execute(self, budget: OperatorBudget) -> Result[OperatorBudget, InvalidInput]:
        """The budget as set; a provider no model uses is refused (a typo would bind nothing)."""
        if (problem := limit_problem("monthly", budget.monthly)) is not None:
            return Failure(problem)
        providers = sorted({model.provider for model in self._catalog.all()})
        if budget.provider not in providers:
            return Failure(
                InvalidInput(
                    "provider", f"{echoed(budget.provider)} is not one of {', '.join(providers)}"
                )
            )
        await self._administration.set_budget(budget)
        return Success(budget)
