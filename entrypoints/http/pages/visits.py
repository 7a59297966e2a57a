"""Who is visiting the pages: the session cookie, the CSRF token bound to it, and the gates.

The cookie holds only a random session id (HttpOnly, SameSite=Strict, Secure over https); the
server keeps its hash and checks the session on every request. Before sign-in a random visitor
id in a cookie of the same kind binds the sign-in forms' token. A CSRF token is the HMAC of the
cookie's secret: a page from another site can neither read it nor make it, and it needs no
storage. Cookies work on these page routes only: `/v1` reads bearer keys and nothing else."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response
from starlette.datastructures import FormData

from imagestudio.domain.browser_session import ADMIN, BrowserSession
from imagestudio.entrypoints.http.pages.form_reading import read_form
from imagestudio.entrypoints.http.pages.page_errors import PageProblem, SignInNeeded
from imagestudio.entrypoints.http.pages.return_paths import return_path
from imagestudio.entrypoints.http.pages.templating import root
from imagestudio.entrypoints.http.problems import NO_RETRY, Problem
from imagestudio.entrypoints.http.state import app_state

SESSION_COOKIE = "imagestudio_session"
VISITOR_COOKIE = "imagestudio_visitor"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_CSRF_PURPOSE = b"imagestudio pages csrf"


def csrf_token(secret: str) -> str:
    """The token the forms of a visit carry: bound to its cookie's secret."""
    return hmac.new(secret.encode(), _CSRF_PURPOSE, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Visit:
    session: BrowserSession
    csrf: str

    @property
    def is_admin(self) -> bool:
        return self.session.role == ADMIN

    @property
    def user_id(self) -> str:
        """The signed-in user (an admin session acts as no user: the user pages refuse it)."""
        assert self.session.user_id is not None
        return self.session.user_id


def set_cookie(request: Request, response: Response, name: str, value: str, hours: float) -> None:
    response.set_cookie(
        name,
        value,
        max_age=int(hours * 3600),
        path=root(request) or "/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(
        name,
        path=root(request) or "/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


async def visit_of(request: Request) -> Visit | None:
    """The live session the request's cookie names, if any (also kept on `request.state`)."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        return None
    session = await app_state(request).studio.container.find_session().execute(session_id)
    if session is None:
        return None
    visit = Visit(session=session, csrf=csrf_token(session_id))
    request.state.visit = visit
    request.state.csrf = visit.csrf
    return visit


async def signed_in(request: Request) -> Visit:
    """A user's session; to the sign-in page otherwise (an admin goes to the admin pages)."""
    visit = await visit_of(request)
    if visit is None:
        raise SignInNeeded(return_path(request))
    if visit.is_admin:
        raise PageProblem(_forbidden("these pages are a user's: sign in with a user's API key"))
    return visit


async def signed_in_admin(request: Request) -> Visit:
    """The operator's session (opened with the admin key); 403 for a user's."""
    visit = await visit_of(request)
    if visit is None:
        raise SignInNeeded(return_path(request))
    if not visit.is_admin:
        raise PageProblem(_forbidden("the admin pages need a session opened with the admin key"))
    return visit


def visitor_secret(request: Request) -> tuple[str, bool]:
    """The pre-sign-in visitor id (a new one when the browser sent none) and whether it is
    new (its cookie must then be set)."""
    known = request.cookies.get(VISITOR_COOKIE)
    if known:
        return known, False
    return secrets.token_urlsafe(32), True


def _csrf_refusal(request: Request, form: FormData, secret: str | None) -> Problem | None:
    sent = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    if (
        secret
        and isinstance(sent, str)
        and hmac.compare_digest(sent.encode(), csrf_token(secret).encode())  # bytes: see auth.py
    ):
        return None
    return Problem(
        status=403,
        slug="csrf-refused",
        title="This form cannot be accepted",
        detail="the form carried no valid CSRF token for this browser's session: "
        "reload the page and send it again",
        headers=NO_RETRY,
    )


async def _checked(request: Request, secret: str | None) -> FormData:
    form = await read_form(request)
    refused = _csrf_refusal(request, form, secret)
    if refused is not None:
        raise PageProblem(refused)
    return form


async def posted_form(request: Request) -> FormData:
    """The POSTed form, its CSRF token not yet checked: `stale_run_form` checks it."""
    return await read_form(request)


def stale_run_form(request: Request, form: FormData) -> Problem | None:
    """None when a run form's CSRF token is the session's. A form of this site made for an
    earlier session (a tab left open while the user signed in again elsewhere) is stale: its
    refusal is returned, for the page to show the form again (values kept, a fresh token, and
    nothing run). Any other (`Sec-Fetch-Site` not `same-origin`) raises the 403 page."""
    refused = _csrf_refusal(request, form, request.cookies.get(SESSION_COOKIE))
    if refused is not None and request.headers.get("sec-fetch-site") != "same-origin":
        raise PageProblem(refused)
    return refused


async def checked_form(request: Request) -> FormData:
    """The POSTed form, if its CSRF token (field or header) is the one bound to the session
    cookie the request carries; 403 otherwise."""
    return await _checked(request, request.cookies.get(SESSION_COOKIE))


async def checked_sign_in_form(request: Request) -> FormData:
    """A sign-in form, if its token is the one bound to the visitor cookie, as the sign-in page
    made it: whether or not a session cookie is there too (another user signing in from a tab
    of the same browser, or a session ended while its cookie stays); 403 otherwise."""
    return await _checked(request, request.cookies.get(VISITOR_COOKIE))


def _forbidden(detail: str) -> Problem:
    return Problem(status=403, slug="forbidden", title="Not for this session", detail=detail)


UserVisit = Annotated[Visit, Depends(signed_in)]
AdminVisit = Annotated[Visit, Depends(signed_in_admin)]
CheckedForm = Annotated[FormData, Depends(checked_form)]
SignInForm = Annotated[FormData, Depends(checked_sign_in_form)]
RunForm = Annotated[FormData, Depends(posted_form)]
"""A run form: checked by `stale_run_form` in the route, so a stale one is shown again."""
