"""Refuse URLs carrying NUL characters (422, like any invalid input) before any route sees
them: PostgreSQL cannot hold NUL in text, so such an id would end in a database error."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Receive, Scope, Send

from imagestudio.entrypoints.http.body_limit import send_problem
from imagestudio.entrypoints.http.problems import Problem

_NUL_IN_URL = Problem(
    status=422,
    slug="invalid-input/invalid",
    title="Invalid input",
    detail="url: must not contain NUL characters",
    extra={"field": "url", "reason": "must not contain NUL characters"},
    headers={"x-should-retry": "false"},
)


class NoNulInUrl:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (
            "\x00" in scope["path"] or b"\x00" in unquote_to_bytes(scope["query_string"])
        ):
            await send_problem(scope, send, _NUL_IN_URL)
            return
        await self._app(scope, receive, send)
