"""Set budget: the operator's own monthly spending cap at one provider."""

from __future__ import annotations

from returns.result import Failure, Result, Success

from imagestudio.application.plan_numbers import limit_problem
from imagestudio.application.ports.catalog import ModelCatalog
from imagestudio.application.ports.clock import Clock
from imagestudio.application.ports.ledger import Ledger
from imagestudio.application.ports.quota_store import QuotaAdministration
from imagestudio.domain.billing_period import CALENDAR_MONTH, period_containing
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.errors.echo import echoed
from imagestudio.domain.plan import OperatorBudget, SpentBefore


class SetBudget:
    """Sets the operator's monthly budget at a provider the catalog knows; it binds every
    reservation from now on, for all users together (`unlimited` tracks spend without a cap).

    A budget first set partway through a month starts from what the provider billed this
    month so far (the ledger's provider cost): a $500 budget set on the 15th after $400 spent
    leaves $100, not $500. An operation reserved before the budget existed and settled after
    this reading is not counted against it (it reserved nothing there)."""

    def __init__(
        self,
        administration: QuotaAdministration,
        catalog: ModelCatalog,
        ledger: Ledger,
        clock: Clock,
    ) -> None:
        self._administration = administration
        self._catalog = catalog
        self._ledger = ledger
        self._clock = clock

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
        await self._administration.set_budget(budget, await self._spent_before(budget.provider))
        return Success(budget)

    async def _spent_before(self, provider: str) -> SpentBefore | None:
        """This month's provider cost at `provider`, if it has no budget yet (one that has
        counted its own since it was set)."""
        if any(budget.provider == provider for budget in await self._administration.budgets()):
            return None
        month = period_containing(self._clock.now(), CALENDAR_MONTH)
        lines = await self._ledger.between(month.start, month.end)
        return SpentBefore(
            month.key, sum(line.provider_cost for line in lines if line.provider == provider)
        )
