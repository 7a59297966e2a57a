"""Who is calling: a user's API key (stored hashed), or the operator's admin key."""

from __future__ import annotations

import hmac

from fastapi import Request
from returns.result import Failure

from imagestudio.entrypoints.http.problems import Problem
from imagestudio.entrypoints.http.state import app_state


class ProblemError(Exception):
    """Raised inside a route; answered as an RFC 9457 problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.detail)
        self.problem = problem


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def unauthorized(detail: str) -> ProblemError:
    return ProblemError(
        Problem(
            status=401,
            slug="unauthorized",
            title="Unauthorized",
            detail=detail,
            headers={"www-authenticate": 'Bearer realm="imagestudio"', "x-should-retry": "false"},
        )
    )


async def current_user(request: Request) -> str:
    """The user whose API key the request carries; 401 otherwise (the key is never echoed)."""
    token = _bearer(request)
    if token is None:
        raise unauthorized("send your API key as `Authorization: Bearer <key>`")
    found = await app_state(request).studio.authenticate.execute(token)
    if isinstance(found, Failure):
        raise unauthorized("this API key is unknown or revoked")
    return found.unwrap()


async def require_admin(request: Request) -> None:
    """The operator's key (IMAGESTUDIO_ADMIN_KEY); admin routes are off when it is unset."""
    admin = app_state(request).settings.admin_key
    if admin is None:
        raise ProblemError(
            Problem(
                status=403,
                slug="admin-disabled",
                title="Admin API disabled",
                detail="set IMAGESTUDIO_ADMIN_KEY to use the admin endpoints",
            )
        )
    token = _bearer(request)
    # As bytes: `compare_digest` raises on a str holding anything but ASCII, which any client
    # can send (a header is read as Latin-1).
    if token is None or not hmac.compare_digest(token.encode(), admin.get_secret_value().encode()):
        raise unauthorized("admin endpoints need the admin key")
