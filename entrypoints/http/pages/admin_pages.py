"""The admin pages on plans (an admin session only; users and keys: admin_user_pages.py, money:
admin_money_pages.py), and what they all share: each change is a
CSRF-checked POST through the use case the API and CLI run, answered 303 with a notice; refused,
the page again with its form as sent and the refusal at the field it names (above the form when
it names none, as the tool pages do: `form_refusals`); a key is issued (a new user, a rotation)
on a page shown once and never again, and that page sent again (a reload) issues no other key
(`key_forms`).

    /admin/plans                plans and their limits; define or edit one, delete one
"""

from __future__ import annotations

from typing import Annotated, NoReturn

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from returns.result import Failure
from starlette.datastructures import FormData

from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.entrypoints.http.pages.admin_forms import (
    CALL_FIELD,
    plan_from,
    plan_summary,
    plan_values,
)
from imagestudio.entrypoints.http.pages.admin_notices import notice_text
from imagestudio.entrypoints.http.pages.form_refusals import FormRefusal, refused
from imagestudio.entrypoints.http.pages.page_errors import PageProblem
from imagestudio.entrypoints.http.pages.page_route import PageRoute
from imagestudio.entrypoints.http.pages.templating import link, render
from imagestudio.entrypoints.http.pages.visits import CheckedForm, signed_in_admin
from imagestudio.entrypoints.http.problems import problem_for
from imagestudio.entrypoints.http.state import app_state

# Every route: an admin session only (a user's gets the 403 page).
router = APIRouter(
    include_in_schema=False, route_class=PageRoute, dependencies=[Depends(signed_in_admin)]
)
USER_PAGE = 50
Notice = Annotated[str | None, Query(max_length=40)]
PLAN_FIELDS = (
    "name",
    "spend_cap",
    "requests_per_minute",
    "concurrent_operations",
    *(CALL_FIELD + category.value for category in QuotaCategory),
    "storage",
    "anchor_day",
    "retention_days",
)
PLAN_ALIASES = {
    "plan name": "name",
    "storage_bytes": "storage",
    "spend cap": "spend_cap",
    "rate": "requests_per_minute",
    "concurrency": "concurrent_operations",
} | {
    f"{prefix}{category.value}": CALL_FIELD + category.value
    for category in QuotaCategory
    for prefix in ("limit of ", "calls.")
}
"""The plan form's names for what the plan's rules (the admin API's, `admin_amounts`) call
otherwise."""


def refuse(error: object) -> NoReturn:
    """The use case's refusal as the error page (its problem's title and detail)."""
    raise PageProblem(problem_for(error))


def refusal_of(
    error: object, form: FormData, names: tuple[str, ...] = (), **aliases: str
) -> FormRefusal:
    """The use case's refusal of `form`, at the one of `names` it is about (above the form if
    none: a button's form has no field to mark)."""
    return refused(problem_for(error), form, names, aliases=aliases)


def status_of(refusal: FormRefusal | None) -> int:
    return 200 if refusal is None else refusal.problem.status


def done(request: Request, path: str, notice: str) -> RedirectResponse:
    return RedirectResponse(link(request, f"{path}?notice={notice}"), status_code=303)


# -- plans -------------------------------------------------------------------------------


@router.get("/admin/plans")
async def plans_page(
    request: Request,
    notice: Notice = None,
    edit: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    return await _plans(request, notice=notice, edit=edit)


async def _plans(
    request: Request,
    *,
    notice: str | None = None,
    edit: str | None = None,
    refusal: FormRefusal | None = None,
) -> Response:
    plans = await app_state(request).studio.list_plans.execute()
    if refusal is not None and refusal.field is not None:
        edit = refusal.values.get("name", "").strip()
    editing = next((plan for plan in plans if plan.name == edit), None)
    return render(
        request,
        "admin_plans.html",
        status=status_of(refusal),
        plans=[(plan, plan_summary(plan)) for plan in plans],
        categories=list(QuotaCategory),
        call_field=CALL_FIELD,
        editing=editing,
        values=refusal.values if refusal and refusal.field else plan_values(editing),
        notice=notice_text(notice),
        refusal=refusal,
    )


@router.post("/admin/plans")
async def define_plan(request: Request, form: CheckedForm) -> Response:
    plan = plan_from(form)
    if isinstance(plan, InvalidInput):
        return await _plans(request, refusal=refusal_of(plan, form, PLAN_FIELDS, **PLAN_ALIASES))
    defined = await app_state(request).studio.define_plan.execute(plan)
    if isinstance(defined, Failure):
        shown = refusal_of(defined.failure(), form, PLAN_FIELDS, **PLAN_ALIASES)
        return await _plans(request, refusal=shown)
    return done(request, "/admin/plans", "plan-saved")


@router.post("/admin/plans/{name}/delete")
async def delete_plan(name: str, request: Request, form: CheckedForm) -> Response:
    deleted = await app_state(request).studio.delete_plan.execute(name)
    if isinstance(deleted, Failure):
        return await _plans(request, refusal=refusal_of(deleted.failure(), form))
    return done(request, "/admin/plans", "plan-deleted")
