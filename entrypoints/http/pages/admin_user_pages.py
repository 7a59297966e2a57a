"""The admin pages on users and their keys (an admin session only), as admin_pages.py says of
them all.

    /admin/users                users by page: plan, keys, spend; add one, change a plan
    /admin/users/{id}           a user's keys (revoke, rotate) and an adjustment of their charge
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from returns.result import Failure

from imagestudio.application.key_issuing import IssuedKey
from imagestudio.domain.errors import InvalidInput
from imagestudio.entrypoints.http.pages.admin_notices import notice_text
from imagestudio.entrypoints.http.pages.admin_pages import (
    USER_PAGE,
    Notice,
    done,
    refusal_of,
    refuse,
    status_of,
)
from imagestudio.entrypoints.http.pages.form_fields import text
from imagestudio.entrypoints.http.pages.form_refusals import FormRefusal
from imagestudio.entrypoints.http.pages.key_forms import REPLACES, already_rotated, live_key_ids
from imagestudio.entrypoints.http.pages.page_errors import PageProblem
from imagestudio.entrypoints.http.pages.page_route import PageRoute
from imagestudio.entrypoints.http.pages.templating import render
from imagestudio.entrypoints.http.pages.visits import CheckedForm, checked_form, signed_in_admin
from imagestudio.entrypoints.http.state import app_state

# Every route: an admin session only (a user's gets the 403 page).
router = APIRouter(
    include_in_schema=False, route_class=PageRoute, dependencies=[Depends(signed_in_admin)]
)


def user_path(user_id: str) -> str:
    return "/admin/users/" + quote(user_id, safe="")


@router.get("/admin/users")
async def users_page(
    request: Request,
    notice: Notice = None,
    after: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    if after is not None and not after.isprintable():
        refuse(InvalidInput("after", "must not contain control characters"))
    return await _users(request, notice=notice, after=after)


async def _users(
    request: Request,
    *,
    notice: str | None = None,
    after: str | None = None,
    refusal: FormRefusal | None = None,
) -> Response:
    studio = app_state(request).studio
    page = await studio.list_users.execute(after, USER_PAGE)
    if isinstance(page, Failure):
        refuse(page.failure())
    return render(
        request,
        "admin_users.html",
        status=status_of(refusal),
        page=page.unwrap(),
        plans=await studio.list_plans.execute(),
        notice=notice_text(notice),
        refusal=refusal,
        kept=refusal.values if refusal and refusal.field else {},
    )


@router.post("/admin/users")
async def add_user(request: Request, form: CheckedForm) -> Response:
    user_id = text(form, "user_id").strip()
    added = await app_state(request).studio.add_user.execute(user_id, text(form, "plan"))
    if isinstance(added, Failure):
        shown = refusal_of(added.failure(), form, ("user_id", "plan"), **{"user id": "user_id"})
        return await _users(request, refusal=shown)
    return _key_shown_once(request, user_id, added.unwrap(), "was added")


@router.post("/admin/users/{user_id}/plan")
async def change_plan(user_id: str, request: Request, form: CheckedForm) -> Response:
    changed = await app_state(request).studio.change_plan.execute(user_id, text(form, "plan"))
    if isinstance(changed, Failure):
        return await _users(request, refusal=refusal_of(changed.failure(), form))
    return done(request, "/admin/users", "plan-changed")


@router.get("/admin/users/{user_id}")
async def user_page(user_id: str, request: Request, notice: Notice = None) -> Response:
    return await user_answer(request, user_id, notice=notice)


async def user_answer(
    request: Request,
    user_id: str,
    *,
    notice: str | None = None,
    refusal: FormRefusal | None = None,
) -> Response:
    """The user's page; with `refusal`, the adjustment form as sent, the refusal at its field."""
    keys = await app_state(request).studio.list_keys.execute(user_id)
    if isinstance(keys, Failure):
        refuse(keys.failure())
    return render(
        request,
        "admin_user.html",
        status=status_of(refusal),
        user_id=user_id,
        user_path=user_path(user_id),
        keys=keys.unwrap(),
        replaces=live_key_ids(keys.unwrap()),
        notice=notice_text(notice),
        refusal=refusal,
        kept=refusal.values if refusal and refusal.field else {},
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
