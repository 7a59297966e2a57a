"""The route class every router uses: before a route reads a byte, a body must come in one of
the content types the route's OpenAPI document declares (415 naming them otherwise; JSON
accepts `application/json` and any `application/*+json`), a JSON body is read by
`json_text.loads` (400 for anything it cannot read), and HEAD is answered wherever GET is
(`head_requests`)."""

from __future__ import annotations

import email.message
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.routing import Match
from starlette.types import Receive, Scope, Send

from imagestudio.entrypoints.http import head_requests
from imagestudio.entrypoints.http.invalid_requests import BodyRefused
from imagestudio.entrypoints.http.json_text import loads
from imagestudio.entrypoints.http.problems import NO_RETRY, Problem

JSON = "application/json"
Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def essence(content_type: str) -> str:
    """`application/json` for `Application/JSON; charset=utf-8`; empty when there is none."""
    if not content_type.strip():
        return ""
    message = email.message.Message()
    message["content-type"] = content_type
    return message.get_content_type()


def is_json(content_type: str) -> bool:
    media = essence(content_type)
    return media == JSON or (media.startswith("application/") and media.endswith("+json"))


def accepted(declared: frozenset[str], content_type: str) -> bool:
    return essence(content_type) in declared or (JSON in declared and is_json(content_type))


def declared_types(route: APIRoute) -> frozenset[str]:
    """The request content types the route's OpenAPI document lists (none: it takes no body)."""
    body = (route.openapi_extra or {}).get("requestBody", {})
    if body.get("content"):
        return frozenset(body["content"])
    if route.body_field is None:
        return frozenset()
    return frozenset({str(getattr(route.body_field.field_info, "media_type", JSON))})


def has_body(request: Request) -> bool:
    length = request.headers.get("content-length", "0").strip()
    return "transfer-encoding" in request.headers or length not in ("", "0")


def unsupported(declared: frozenset[str], content_type: str) -> Problem:
    names = sorted(declared, key=lambda media: (media != JSON, media))
    sent = essence(content_type)
    reason = f"must be {' or '.join(names)}, " + (f"not {sent}" if sent else "and none was given")
    return Problem(
        status=415,
        slug="unsupported-media-type",
        title="Unsupported media type",
        detail=f"content-type: {reason}",
        extra={"field": "content-type", "reason": reason, "accepted": names},
        headers=NO_RETRY,
    )


class StudioRequest(Request):
    """A request whose JSON is read by `json_text.loads`."""

    async def json(self) -> Any:
        return loads(await self.body())


class StudioRoute(APIRoute):
    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if head_requests.is_head_of_get(scope, self.methods):
            return super().matches(head_requests.as_get(scope))
        return super().matches(scope)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if head_requests.is_head_of_get(scope, self.methods):
            await self.app(scope, receive, head_requests.without_body(send))
        else:
            await super().handle(scope, receive, send)

    def get_route_handler(self) -> Handler:
        handle = super().get_route_handler()
        declared = declared_types(self)

        async def checked(request: Request) -> Response:
            content_type = request.headers.get("content-type", "")
            if declared and has_body(request) and not accepted(declared, content_type):
                raise BodyRefused(unsupported(declared, content_type))
            response = await handle(StudioRequest(request.scope, request.receive))
            if request.method == head_requests.HEAD:
                return await head_requests.unstarted(response)
            return response

        return checked
