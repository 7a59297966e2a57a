"""Turning a fault into what the client sees: an error status, a stall, a cut connection, a
broken body. Some strike before the work (nothing happens at the provider), the others after
it (the task exists and may be billed, and the client cannot tell)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from imagestudio.adapters.sandbox.faults import Fault, FaultScript, Route

_STATUS = {Fault.HTTP_500: 500, Fault.HTTP_502: 502, Fault.HTTP_503: 503, Fault.HTTP_429: 429}
BEFORE_WORK = frozenset({*_STATUS, Fault.RESET})
"""Faults answered instead of the work: the request is never acted on."""
RETRY_AFTER_SECONDS = "1"
GATEWAY_PAGE = b"<html><body><h1>502 Bad Gateway</h1><p>upstream hiccup</p></body></html>"


class ConnectionDropped(Exception):
    """Raised inside the server on purpose: uvicorn then closes the connection mid-reply."""


class DroppedResponse(Response):
    """Headers promising a body, a first byte of it, then the connection closes."""

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: ARG002
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
            }
        )
        await send({"type": "http.response.body", "body": b"{", "more_body": True})
        raise ConnectionDropped("sandbox fault: connection dropped mid-reply")


class ResetResponse(Response):
    """The connection closed with nothing sent back, the request's body unread.

    ASGI has no message for this, so it reaches uvicorn's transport through the `receive` it
    hands the app (a method of its request cycle); the sandbox always runs under uvicorn."""

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: ARG002
        cycle = getattr(receive, "__self__", None)
        transport = getattr(cycle, "transport", None)
        if transport is None:
            raise ConnectionDropped("sandbox fault: reset (no transport to abort)")
        transport.abort()
        for _ in range(100):  # uvicorn hears of the lost connection on the loop's next turn
            if getattr(cycle, "disconnected", True):
                return
            await asyncio.sleep(0)


def _error(fault: Fault, make_error: Callable[[int], Response]) -> Response:
    response = make_error(_STATUS[fault])
    if fault is Fault.HTTP_429:
        response.headers["retry-after"] = RETRY_AFTER_SECONDS
    return response


async def before_work(
    fault: Fault | None, make_error: Callable[[int], Response]
) -> Response | None:
    """The answer that replaces the work, for faults that strike first; else None."""
    if fault is Fault.RESET:
        return ResetResponse()
    if fault in _STATUS:
        assert fault is not None
        return _error(fault, make_error)
    return None


async def after_work(
    fault: Fault | None,
    faults: FaultScript,
    reply: Response,
    make_error: Callable[[int], Response],
) -> Response:
    """The reply as the client gets it once the work is done: late, cut, broken, or a 500."""
    if fault is Fault.HTTP_500_AFTER_WORK:
        return make_error(500)
    if fault is Fault.SLOW:
        await asyncio.sleep(faults.slow_seconds)
    elif fault is Fault.DROP:
        return DroppedResponse()
    elif fault is Fault.MALFORMED:
        return _with_body(reply, GATEWAY_PAGE)
    elif fault is Fault.TRUNCATED:
        body = bytes(reply.body)
        return _with_body(reply, body[: len(body) // 2])
    return reply


def _with_body(reply: Response, body: bytes) -> Response:
    """The reply's status and headers (its length made true) around another body."""
    headers = {name: value for name, value in reply.headers.items() if name != "content-length"}
    return Response(body, status_code=reply.status_code, headers=headers)


async def faulted(
    faults: FaultScript,
    route: Route,
    make_error: Callable[[int], Response],
    answer: Callable[[], Awaitable[Response]],
) -> Response:
    """`answer()` under the route's next fault (for routes whose work is only the reply)."""
    fault = faults.take(route)
    instead = await before_work(fault, make_error)
    if instead is not None:
        return instead
    return await after_work(fault, faults, await answer(), make_error)
