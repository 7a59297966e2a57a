"""The admin API's operator budgets: one set, and one read with this month's spend."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from imagestudio.application.use_cases.list_budgets import BudgetUsage
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.money import format_usd
from imagestudio.domain.plan import OperatorBudget
from imagestudio.entrypoints.cli.limits import money_limit
from imagestudio.entrypoints.http.admin_amounts import usd


class BudgetIn(BaseModel):
    """The operator's monthly budget at one provider (`imagestudio budget set` in JSON)."""

    model_config = ConfigDict(extra="forbid")
    monthly: StrictStr = Field(
        description='Dollars per calendar month as a decimal string ("500.00"), or "unlimited".',
        examples=["500.00"],
    )

    def to_budget(self, provider: str) -> OperatorBudget | InvalidInput:
        limit = money_limit("monthly budget", self.monthly)
        if isinstance(limit, InvalidInput):
            return limit
        return OperatorBudget(provider=provider, monthly=limit)


class BudgetOut(BaseModel):
    """A budget and this calendar month's spend against it; `null` is unlimited."""

    provider: str
    monthly_micros: int | None
    monthly_usd: str
    used_micros: int
    used_usd: str
    held_micros: int
    held_usd: str
    remaining_micros: int | None
    remaining_usd: str
    month_start: datetime
    resets_at: datetime

    @classmethod
    def of(cls, usage: BudgetUsage) -> BudgetOut:
        return cls(
            provider=usage.budget.provider,
            monthly_micros=usage.budget.monthly.maximum,
            monthly_usd=usd(usage.budget.monthly.maximum),
            used_micros=usage.spent.used,
            used_usd=format_usd(usage.spent.used),
            held_micros=usage.spent.held,
            held_usd=format_usd(usage.spent.held),
            remaining_micros=usage.remaining,
            remaining_usd=usd(usage.remaining),
            month_start=usage.month.start,
            resets_at=usage.month.end,
        )
