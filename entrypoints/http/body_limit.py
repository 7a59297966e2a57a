"""A request body's arrival: refused over the size limit before it is read (413), whether or
not it says its length, and answered 408 when the client stops sending it for the read
time-out (a `Content-Length` larger than what comes must not hold a connection for ever)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from imagestudio.entrypoints.http.invalid_requests import BodyRefused
from imagestudio.entrypoints.http.openai_errors import error_body, speaks_openai
from imagestudio.entrypoints.http.problems import Problem


class BodyTooLarge(BodyRefused):
    pass


class BodyTimedOut(BodyRefused):
    pass


def _too_large(limit: int) -> Problem:
    return Problem(
        status=413,
        slug="invalid-input/too-large",
        title="Request too large",
        detail=f"request bodies are limited to {limit} bytes",
        extra={"field": "body", "reason": f"is larger than {limit} bytes"},
        headers={"x-should-retry": "false"},
    )


def _timed_out(seconds: float) -> Problem:
    return Problem(
        status=408,
        slug="request-timeout",
        title="Request time-out",
        detail=f"the request body stopped arriving for {seconds:g} s before it was complete "
        "(is its Content-Length right?)",
        # The rest of the body may still come: this connection cannot carry another request.
        headers={"connection": "close"},
    )


PageAnswer = Callable[[Scope, Problem], Response | None]
"""The error page for a refusal, when the request is a browser's visit to the pages."""


class BodyLimit:
    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        read_seconds: float,
        page_answer: PageAnswer | None = None,
    ) -> None:
        self._app = app
        self._max = max_bytes
        self._read_seconds = read_seconds
        self._page_answer = page_answer

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, problem: Problem) -> None:
        page = None if self._page_answer is None else self._page_answer(scope, problem)
        if page is None:
            await send_problem(scope, send, problem)
        else:
            await page(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self._max:
            await self._refuse(scope, receive, send, _too_large(self._max))
            return
        seen = 0
        complete = False
        started = False

        async def counted() -> Message:
            nonlocal seen, complete
            if complete:  # after the body, receive() waits for a disconnect: no time-out then
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self._read_seconds)
            except TimeoutError:
                raise BodyTimedOut(_timed_out(self._read_seconds)) from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                complete = not message.get("more_body", False)
                if seen > self._max:
                    raise BodyTooLarge(_too_large(self._max))
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._app(scope, counted, watched)
        except BodyRefused as refused:  # raised where no route's handler could answer it
            if not started:
                await self._refuse(scope, receive, send, refused.problem)


async def send_problem(scope: Scope, send: Send, problem: Problem) -> None:
    """`problem` answered before any route runs: in OpenAI's error body on its paths (as
    `answers.problem_response` does once a route runs), else as RFC 9457 problem JSON."""
    if speaks_openai(scope):
        body, media_type = json.dumps(error_body(problem)).encode(), b"application/json"
    else:
        body, media_type = json.dumps(problem.body()).encode(), b"application/problem+json"
    headers = [
        (b"content-type", media_type),
        (b"content-length", str(len(body)).encode()),
        *((name.encode(), value.encode()) for name, value in problem.headers.items()),
    ]
    await send({"type": "http.response.start", "status": problem.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
