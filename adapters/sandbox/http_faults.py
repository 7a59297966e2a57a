"""Turning a scripted fault into what the client sees: an error status, a stall, a cut reply."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from imagestudio.adapters.sandbox.faults import Fault, FaultScript, Route

_STATUS = {Fault.HTTP_500: 500, Fault.HTTP_502: 502, Fault.HTTP_503: 503, Fault.HTTP_429: 429}


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


async def fault_response(
    fault: Fault | None, faults: FaultScript, make_error: Callable[[int], Response]
) -> Response | None:
    """The response a fault replaces the real one with, or None to answer normally.

    SLOW waits first and then answers normally; FAIL_AFTER_ACCEPT is the emulator's to act on.
    """
    if fault is None or fault is Fault.FAIL_AFTER_ACCEPT:
        return None
    if fault is Fault.SLOW:
        await asyncio.sleep(faults.slow_seconds)
        return None
    if fault is Fault.DROP:
        return DroppedResponse()
    return make_error(_STATUS[fault])


async def faulty_response(
    faults: FaultScript, route: Route, make_error: Callable[[int], Response]
) -> Response | None:
    """Take the route's next fault and apply it (for routes with nothing to do before)."""
    return await fault_response(faults.take(route), faults, make_error)
