"""HEAD wherever GET is answered: the same route, status and headers, and no body.

FastAPI's routes, unlike Starlette's, answer HEAD with 405. The route class matches a HEAD
request as its GET and runs the GET handler once (one read, counted once, nothing a GET does not
do); the answer's body is dropped on its way out, problems included, and a streamed answer (the
event stream) is never started, so HEAD cannot hang on a stream that has not ended.
"""

from __future__ import annotations

from collections.abc import Collection

from fastapi import Response
from fastapi.responses import FileResponse, StreamingResponse
from starlette.types import Message, Scope, Send

HEAD = "HEAD"


def is_head_of_get(scope: Scope, methods: Collection[str] | None) -> bool:
    """A HEAD request to a route that answers GET."""
    return scope["type"] == "http" and scope["method"] == HEAD and "GET" in (methods or ())


def as_get(scope: Scope) -> Scope:
    """The request as the GET it stands for, for matching a route by method."""
    return {**scope, "method": "GET"}


def without_body(send: Send) -> Send:
    """`send` with every body part dropped: one empty part ends the answer instead."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.body":
            if message.get("more_body", False):
                return
            message = {"type": "http.response.body", "body": b"", "more_body": False}
        await send(message)

    return sending


async def unstarted(response: Response) -> Response:
    """The answer a HEAD gets for `response`: a stream becomes its status and headers alone,
    never started (a file answers HEAD itself, with its length)."""
    if not isinstance(response, StreamingResponse) or isinstance(response, FileResponse):
        return response
    stream = response.body_iterator
    closing = getattr(stream, "aclose", None)
    if closing is not None:
        await closing()
    headless = Response(status_code=response.status_code, background=response.background)
    headless.raw_headers = list(response.raw_headers)
    return headless
