"""Operator budgets: set at a known provider, binding at once, listed with the month's spend."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from fakes import FLAT_PRICE, MODELS, NEXT_PERIOD_START, text_to_image
from returns.result import Failure, Success
from support.unit_world import NOW, a_line

from imagestudio.adapters.memory.catalog import InMemoryModelCatalog
from imagestudio.adapters.memory.ledger import InMemoryLedger
from imagestudio.adapters.memory.quota_store import InMemoryQuotaStore
from imagestudio.adapters.system.clock import FixedClock
from imagestudio.application.use_cases.list_budgets import ListBudgets
from imagestudio.application.use_cases.set_budget import SetBudget
from imagestudio.domain.errors import InvalidInput, OperatorBudgetExhausted
from imagestudio.domain.limit import UNLIMITED, Limit
from imagestudio.domain.plan import OperatorBudget, Plan
from imagestudio.domain.quota import Counter

if TYPE_CHECKING:
    from conftest import Studio


def set_budget(studio: Studio) -> SetBudget:
    return SetBudget(studio.quota, InMemoryModelCatalog(MODELS), studio.ledger, studio.clock)


async def test_a_budget_binds_the_next_request_at_once(studio: Studio) -> None:
    budget = OperatorBudget(provider="acme", monthly=Limit.of(FLAT_PRICE - 1))

    assert await set_budget(studio).execute(budget) == Success(budget)

    refused = await studio.run.execute(text_to_image())
    assert isinstance(refused, Failure)
    assert isinstance(refused.failure(), OperatorBudgetExhausted)


async def test_a_budget_at_a_provider_no_model_uses_is_refused(studio: Studio) -> None:
    result = await set_budget(studio).execute(OperatorBudget(provider="acmee", monthly=Limit.of(1)))

    assert isinstance(result, Failure)
    assert isinstance(result.failure(), InvalidInput)
    assert "acme" in result.failure().message
    assert await studio.quota.operator_budget("acmee") is None


async def test_budgets_are_listed_with_this_months_spend(studio: Studio) -> None:
    await studio.run.execute(text_to_image())

    (usage,) = await ListBudgets(studio.quota, studio.clock).execute()

    assert usage.budget.provider == "acme"
    assert usage.spent == Counter(used=FLAT_PRICE, held=0)
    assert usage.remaining == (usage.budget.monthly.maximum or 0) - FLAT_PRICE
    assert usage.month.end == NEXT_PERIOD_START


async def test_an_unlimited_budget_has_no_remainder(studio: Studio) -> None:
    await set_budget(studio).execute(OperatorBudget(provider="acme", monthly=UNLIMITED))

    (usage,) = await ListBudgets(studio.quota, studio.clock).execute()

    assert usage.remaining is None


async def test_a_budget_first_set_mid_month_starts_from_what_the_provider_billed_so_far() -> None:
    # A $500 budget set on the 15th after $400 spent there leaves $100, not $500.
    quota = InMemoryQuotaStore((Plan(name="small"),), users={"ada": "small"})
    ledger = InMemoryLedger()
    for index, (provider, cost, finished) in enumerate(
        [
            ("acme", 300, NOW - timedelta(days=2)),
            ("acme", 100, NOW - timedelta(hours=1)),
            ("other", 5_000, NOW - timedelta(hours=1)),  # another provider's
            ("acme", 7_000, NOW - timedelta(days=40)),  # last month's
        ]
    ):
        line = a_line(f"op_{index}", charge=cost)
        await ledger.append(
            replace(line, provider=provider, provider_cost=cost, finished_at=finished)
        )
    clock = FixedClock(NOW)
    setting = SetBudget(quota, InMemoryModelCatalog(MODELS), ledger, clock)
    budget = OperatorBudget(provider="acme", monthly=Limit.of(500))

    assert await setting.execute(budget) == Success(budget)
    (usage,) = await ListBudgets(quota, clock).execute()
    assert usage.spent == Counter(used=400, held=0)
    assert usage.remaining == 100

    await setting.execute(OperatorBudget(provider="acme", monthly=Limit.of(600)))  # set again
    (usage,) = await ListBudgets(quota, clock).execute()
    assert usage.spent == Counter(used=400, held=0)  # counted once
