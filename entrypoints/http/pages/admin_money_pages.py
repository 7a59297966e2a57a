"""The admin pages on money and what is still open (an admin session only): operator budgets
with this month's spend, adjustments of a user's charge, and every user's operations not yet
final (those waiting on reconciliation among them).

    /admin/budgets              each provider's monthly budget and its spend; set one
    /admin/adjustments (POST)   a refund or a charge on a user, with a reason
    /admin/waiting              unfinished operations of every user, with what they wait for
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from returns.result import Failure

from imagestudio.application.use_cases.list_waiting import ListWaiting
from imagestudio.domain.errors import InvalidInput
from imagestudio.entrypoints.http.pages.admin_forms import adjustment_from, budget_from
from imagestudio.entrypoints.http.pages.admin_notices import notice_text
from imagestudio.entrypoints.http.pages.admin_pages import Notice, done, refusal_of, status_of
from imagestudio.entrypoints.http.pages.admin_user_pages import user_answer, user_path
from imagestudio.entrypoints.http.pages.form_fields import text
from imagestudio.entrypoints.http.pages.form_refusals import FormRefusal
from imagestudio.entrypoints.http.pages.page_route import PageRoute
from imagestudio.entrypoints.http.pages.templating import render
from imagestudio.entrypoints.http.pages.visits import CheckedForm, signed_in_admin
from imagestudio.entrypoints.http.state import app_state

BUDGET_FIELDS = ("provider", "monthly")
ADJUSTMENT_FIELDS = ("amount", "reason")
# Every route: an admin session only (a user's gets the 403 page).
router = APIRouter(
    include_in_schema=False, route_class=PageRoute, dependencies=[Depends(signed_in_admin)]
)


@router.get("/admin/budgets")
async def budgets_page(request: Request, notice: Notice = None) -> Response:
    return await _budgets(request, notice=notice)


async def _budgets(
    request: Request, *, notice: str | None = None, refusal: FormRefusal | None = None
) -> Response:
    studio = app_state(request).studio
    providers = sorted({model.provider for model in studio.container.catalog().all()})
    return render(
        request,
        "admin_budgets.html",
        status=status_of(refusal),
        budgets=await studio.list_budgets.execute(),
        providers=providers,
        notice=notice_text(notice),
        refusal=refusal,
        kept=refusal.values if refusal and refusal.field else {},
    )


@router.post("/admin/budgets")
async def set_budget(request: Request, form: CheckedForm) -> Response:
    read = budget_from(form)
    refusal: object = None
    if isinstance(read, InvalidInput):
        refusal = read
    else:
        budget = read[1].to_budget(read[0])
        if isinstance(budget, InvalidInput):
            refusal = budget
        else:
            applied = await app_state(request).studio.set_budget.execute(budget)
            if isinstance(applied, Failure):
                refusal = applied.failure()
    if refusal is not None:
        shown = refusal_of(refusal, form, BUDGET_FIELDS, **{"monthly budget": "monthly"})
        return await _budgets(request, refusal=shown)
    return done(request, "/admin/budgets", "budget-set")


@router.post("/admin/adjustments")
async def adjust_charge(request: Request, form: CheckedForm) -> Response:
    user_id = text(form, "user_id")
    body = adjustment_from(form, user_id)
    refusal: object = None
    if isinstance(body, InvalidInput):
        refusal = body
    else:
        adjustment = body.to_adjustment()
        if isinstance(adjustment, InvalidInput):
            refusal = adjustment
        else:
            adjusted = await app_state(request).studio.adjust_charge.execute(adjustment)
            if isinstance(adjusted, Failure):
                refusal = adjusted.failure()
    if refusal is not None:
        shown = refusal_of(refusal, form, ADJUSTMENT_FIELDS)
        return await user_answer(request, user_id, refusal=shown)
    return done(request, user_path(user_id), "adjusted")


@router.get("/admin/waiting")
async def waiting_page(request: Request) -> Response:
    waiting: ListWaiting = app_state(request).studio.container.list_waiting()
    return render(request, "admin_waiting.html", views=await waiting.execute())
