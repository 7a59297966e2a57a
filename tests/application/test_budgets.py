"""Operator budgets: set at a known provider, binding at once, listed with the month's spend."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakes import FLAT_PRICE, MODELS, NEXT_PERIOD_START, text_to_image
from returns.result import Failure, Success

from imagestudio.adapters.memory.catalog import InMemoryModelCatalog
from imagestudio.application.use_cases.list_budgets import ListBudgets
from imagestudio.application.use_cases.set_budget import SetBudget
from imagestudio.domain.errors import InvalidInput, OperatorBudgetExhausted
from imagestudio.domain.limit import UNLIMITED, Limit
from imagestudio.domain.plan import OperatorBudget
from imagestudio.domain.quota import Counter

if TYPE_CHECKING:
    from conftest import Studio


def set_budget(studio: Studio) -> SetBudget:
    return SetBudget(studio.quota, InMemoryModelCatalog(MODELS))


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
