"""The admin API's operator budgets at each provider."""

from __future__ import annotations

from fastapi import Request
from returns.result import Failure

from imagestudio.domain.errors import InvalidInput
from imagestudio.entrypoints.http.admin_refusals import ADMIN_RESPONSES, admin_router, refuse
from imagestudio.entrypoints.http.budget_schemas import BudgetIn, BudgetOut
from imagestudio.entrypoints.http.state import app_state

router = admin_router()


@router.get("/budgets", response_model=list[BudgetOut], responses=ADMIN_RESPONSES)
async def list_budgets(request: Request) -> list[BudgetOut]:
    """Each provider's monthly budget and this calendar month's spend against it."""
    return [BudgetOut.of(usage) for usage in await app_state(request).studio.list_budgets.execute()]


@router.put("/budgets/{provider}", response_model=BudgetOut, responses=ADMIN_RESPONSES)
async def set_budget(provider: str, body: BudgetIn, request: Request) -> BudgetOut:
    """Set the operator's monthly budget at a provider (all users together); it binds from the
    next request on. A provider no model uses is refused (422)."""
    studio = app_state(request).studio
    budget = body.to_budget(provider)
    if isinstance(budget, InvalidInput):
        raise refuse(budget)
    applied = await studio.set_budget.execute(budget)
    if isinstance(applied, Failure):
        raise refuse(applied.failure())
    usages = await studio.list_budgets.execute()
    return next(BudgetOut.of(usage) for usage in usages if usage.budget.provider == provider)
