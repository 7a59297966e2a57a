"""The admin pages on plans, users and keys (an admin session only): each change is a
CSRF-checked POST through the use case the API and CLI run, answered 303 with a notice; a key
is issued (a new user, a rotation) on a page shown once and never again, and that page sent
again (a reload) issues no other key (`key_forms`).

    /admin/plans                plans and their limits; define or edit one, delete one
    /admin/users                users by page: plan, keys, spend; add one, change a plan
    /admin/users/{id}           a user's keys (revoke, rotate) and an adjustment of their charge
"""

from __future__ import annotations

from typing import Annotated, NoReturn
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from returns.result import Failure

from imagestudio.application.key_issuing import IssuedKey
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.entrypoints.http.pages.admin_forms import (
    CALL_FIELD,
    plan_from,
    plan_summary,
    plan_values,
)
from imagestudio.entrypoints.http.pages.admin_notices import notice_text
from imagestudio.entrypoints.http.pages.form_fields import text
from imagestudio.entrypoints.http.pages.key_forms import REPLACES, already_rotated, live_key_ids
from imagestudio.entrypoints.http.pages.page_errors import PageProblem
from imagestudio.entrypoints.http.pages.page_route import PageRoute
from imagestudio.entrypoints.http.pages.templating import link, render
from imagestudio.entrypoints.http.pages.visits import CheckedForm, checked_form, signed_in_admin
from imagestudio.entrypoints.http.problems import problem_for
from imagestudio.entrypoints.http.state import app_state

# Every route: an admin session only (a user's gets the 403 page).
router = APIRouter(
    include_in_schema=False, route_class=PageRoute, dependencies=[Depends(signed_in_admin)]
)
USER_PAGE = 50
Notice = Annotated[str | None, Query(max_length=40)]


def refuse(error: object) -> NoReturn:
    """The use case's refusal as the error page (its problem's title and detail)."""
    raise PageProblem(problem_for(error))


def done(request: Request, path: str, notice: str) -> RedirectResponse:
    return RedirectResponse(link(request, f"{path}?notice={notice}"), status_code=303)


def user_path(user_id: str) -> str:
    return "/admin/users/" + quote(user_id, safe="")


# -- plans -------------------------------------------------------------------------------


@router.get("/admin/plans")
async def plans_page(
    request: Request,
    notice: Notice = None,
    edit: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    plans = await app_state(request).studio.list_plans.execute()
    editing = next((plan for plan in plans if plan.name == edit), None)
    return render(
        request,
        "admin_plans.html",
        plans=[(plan, plan_summary(plan)) for plan in plans],
        categories=list(QuotaCategory),
        call_field=CALL_FIELD,
        editing=editing,
        values=plan_values(editing),
        notice=notice_text(notice),
    )


@router.post("/admin/plans")
async def define_plan(request: Request, form: CheckedForm) -> Response:
    plan = plan_from(form)
    if isinstance(plan, InvalidInput):
        refuse(plan)
    defined = await app_state(request).studio.define_plan.execute(plan)
    if isinstance(defined, Failure):
        refuse(defined.failure())
    return done(request, "/admin/plans", "plan-saved")


@router.post("/admin/plans/{name}/delete", dependencies=[Depends(checked_form)])
async def delete_plan(name: str, request: Request) -> Response:
    deleted = await app_state(request).studio.delete_plan.execute(name)
    if isinstance(deleted, Failure):
        refuse(deleted.failure())
    return done(request, "/admin/plans", "plan-deleted")


# -- users and keys ----------------------------------------------------------------------


@router.get("/admin/users")
async def users_page(
    request: Request,
    notice: Notice = None,
    after: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    studio = app_state(request).studio
    if after is not None and not after.isprintable():
        refuse(InvalidInput("after", "must not contain control characters"))
    page = await studio.list_users.execute(after, USER_PAGE)
    if isinstance(page, Failure):
        refuse(page.failure())
    return render(
        request,
        "admin_users.html",
        page=page.unwrap(),
        plans=await studio.list_plans.execute(),
        notice=notice_text(notice),
    )


@router.post("/admin/users")
async def add_user(request: Request, form: CheckedForm) -> Response:
    user_id = text(form, "user_id").strip()
    added = await app_state(request).studio.add_user.execute(user_id, text(form, "plan"))
    if isinstance(added, Failure):
        refuse(added.failure())
    return _key_shown_once(request, user_id, added.unwrap(), "was added")


@router.post("/admin/users/{user_id}/plan")
async def change_plan(user_id: str, request: Request, form: CheckedForm) -> Response:
    changed = await app_state(request).studio.change_plan.execute(user_id, text(form, "plan"))
    if isinstance(changed, Failure):
        refuse(changed.failure())
    return done(request, "/admin/users", "plan-changed")


@router.get("/admin/users/{user_id}")
async def user_page(user_id: str, request: Request, notice: Notice = None) -> Response:
    keys = await app_state(request).studio.list_keys.execute(user_id)
    if isinstance(keys, Failure):
        refuse(keys.failure())
    return render(
        request,
        "admin_user.html",
        user_id=user_id,
        user_path=user_path(user_id),
        keys=keys.unwrap(),
        replaces=live_key_ids(keys.unwrap()),
        notice=notice_text(notice),
    )


@router.post("/admin/users/{user_id}/keys/rotate")
async def rotate_key(user_id: str, request: Request, form: CheckedForm) -> Response:
    studio = app_state(request).studio
    keys = await studio.list_keys.execute(user_id)
    if isinstance(keys, Failure):
        refuse(keys.failure())
    if text(form, REPLACES) != live_key_ids(keys.unwrap()):
        raise PageProblem(already_rotated(user_id))
    rotated = await studio.rotate_key.execute(user_id)
    if isinstance(rotated, Failure):
        refuse(rotated.failure())
    return _key_shown_once(request, user_id, rotated.unwrap().issued, "has a new key")


@router.post("/admin/keys/{key_id}/revoke", dependencies=[Depends(checked_form)])
async def revoke_key(key_id: str, request: Request) -> Response:
    revoked = await app_state(request).studio.revoke_key.execute(key_id)
    if isinstance(revoked, Failure):
        refuse(revoked.failure())
    return done(request, user_path(revoked.unwrap().user_id), "key-revoked")


def _key_shown_once(request: Request, user_id: str, issued: IssuedKey, what: str) -> Response:
    # Not a redirect: the key may travel in no URL and no cookie, and this answer is no-store.
    return render(
        request,
        "admin_key.html",
        user_id=user_id,
        user_path=user_path(user_id),
        issued=issued,
        what=what,
    )
