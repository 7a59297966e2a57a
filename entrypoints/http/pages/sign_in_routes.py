"""Sign in (an API key, or the one-time link a local server prints), sign out, and `/`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from returns.result import Failure

from imagestudio.application.use_cases.browser_sign_in import OpenedSession
from imagestudio.domain.browser_session import ADMIN
from imagestudio.entrypoints.http.pages.form_fields import local_path, text
from imagestudio.entrypoints.http.pages.page_route import PageRoute
from imagestudio.entrypoints.http.pages.templating import link, render
from imagestudio.entrypoints.http.pages.visits import (
    SESSION_COOKIE,
    VISITOR_COOKIE,
    AdminVisit,
    CheckedForm,
    SignInForm,
    clear_cookie,
    csrf_token,
    set_cookie,
    visit_of,
    visitor_secret,
)
from imagestudio.entrypoints.http.state import app_state

router = APIRouter(include_in_schema=False, route_class=PageRoute)
VISITOR_HOURS = 12


@router.get("/")
async def home(request: Request) -> Response:
    visit = await visit_of(request)
    target = "/sign-in" if visit is None else "/admin" if visit.is_admin else "/create"
    return RedirectResponse(link(request, target), status_code=303)


def _anonymous_page(request: Request, template: str, status: int = 200, **context: str) -> Response:
    """A sign-in page: its form's token is bound to a visitor cookie (set here when new)."""
    secret, new = visitor_secret(request)
    request.state.csrf = csrf_token(secret)
    page = render(request, template, status=status, **context)
    if new:
        set_cookie(request, page, VISITOR_COOKIE, secret, VISITOR_HOURS)
    return page


@router.get("/sign-in")
async def sign_in_page(
    request: Request, next_path: Annotated[str, Query(alias="next")] = "/"
) -> Response:
    return _anonymous_page(request, "sign_in.html", next=local_path(next_path, "/"), refused="")


@router.post("/sign-in")
async def sign_in(request: Request, form: SignInForm) -> Response:
    container = app_state(request).studio.container
    opened = await container.sign_in_with_key().execute(text(form, "api_key"))
    next_path = local_path(text(form, "next"), "/")
    if isinstance(opened, Failure):
        return _anonymous_page(
            request, "sign_in.html", 401, next=next_path, refused=opened.failure().message
        )
    return _signed_in(request, opened.unwrap(), next_path)


@router.get("/sign-in/link")
async def sign_in_link_page(request: Request, token: Annotated[str, Query()] = "") -> Response:
    refused = "" if token else "this sign-in link has no token"
    return _anonymous_page(request, "sign_in_link.html", token=token, refused=refused)


@router.post("/sign-in/link")
async def sign_in_with_link(request: Request, form: SignInForm) -> Response:
    opened = (
        await app_state(request).studio.container.sign_in_with_link().execute(text(form, "token"))
    )
    if isinstance(opened, Failure):
        return _anonymous_page(
            request, "sign_in_link.html", 401, token="", refused=opened.failure().message
        )
    return _signed_in(request, opened.unwrap(), "/")


def _signed_in(request: Request, opened: OpenedSession, next_path: str) -> Response:
    if next_path == "/":
        next_path = "/admin" if opened.session.role == ADMIN else "/create"
    answer = RedirectResponse(link(request, next_path), status_code=303)
    hours = app_state(request).settings.studio_session_hours
    set_cookie(request, answer, SESSION_COOKIE, opened.session_id, hours)
    clear_cookie(request, answer, VISITOR_COOKIE)
    return answer


@router.post("/sign-out")
async def sign_out(request: Request, form: CheckedForm) -> Response:
    del form  # checked: a page from another site cannot sign its visitor out
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        await app_state(request).studio.container.sign_out().execute(session_id)
    answer = RedirectResponse(link(request, "/sign-in"), status_code=303)
    clear_cookie(request, answer, SESSION_COOKIE)
    return answer


@router.get("/admin")
async def admin_home(request: Request, visit: AdminVisit) -> Response:
    del visit
    return render(request, "admin.html")
