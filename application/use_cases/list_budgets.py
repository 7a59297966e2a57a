"""List budgets: each operator budget with this month's spend against it."""

from __future__ import annotations

from dataclasses import dataclass

from imagestudio.application.ports.clock import Clock
from imagestudio.application.ports.quota_store import QuotaAdministration
from imagestudio.domain.billing_period import CALENDAR_MONTH, BillingPeriod, period_containing
from imagestudio.domain.plan import OperatorBudget
from imagestudio.domain.quota import Counter


@dataclass(frozen=True, slots=True, kw_only=True)
class BudgetUsage:
    budget: OperatorBudget
    month: BillingPeriod
    spent: Counter
    """Micro-dollars used (billed) and held (reserved, not yet settled) this month."""

    @property
    def remaining(self) -> int | None:
        return self.budget.monthly.remaining(self.spent.used, self.spent.held)


class ListBudgets:
    """Lists the operator's budgets by provider, with the calendar month's spend."""

    def __init__(self, administration: QuotaAdministration, clock: Clock) -> None:
        self._administration = administration
        self._clock = clock

    async def execute(self) -> tuple[BudgetUsage, ...]:
        """One line per provider that has a budget."""
        month = period_containing(self._clock.now(), CALENDAR_MONTH)
        usages = []
        for budget in await self._administration.budgets():
            spent = await self._administration.operator_counter(budget.provider, month.key)
            usages.append(BudgetUsage(budget=budget, month=month, spent=spent))
        return tuple(usages)
