"""The `openai` client's own retries joined to the call they repeat, so they never charge twice.

The client sends no idempotency key of its own. When its read times out (or the connection
drops) it sends the same request again, marked `x-stainless-retry-count: N`; the first attempt
keeps running here and is charged when it succeeds, so running the repeat as well would charge
one call twice, or three times. A call whose client went away before its answer is therefore
remembered under its user and what it asks, and a marked repeat of it waits for that operation
instead of starting another. A repeat of a call whose answer was sent (a released 503, say) runs
anew, as the client meant. This memory is one process's; a caller's `Idempotency-Key` is the
store's business and holds across processes and restarts.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable
from typing import TypeVar

from fastapi import Request
from returns.result import Failure

from imagestudio.application.requests import OperationRequest
from imagestudio.domain.errors import IdempotencyInProgress

RETRY_COUNT_HEADER = "x-stainless-retry-count"
KEPT_SECONDS = 900.0
"""How long an abandoned call can be joined: longer than the client's back-off and time-outs."""
KEPT_CALLS = 1_000
IN_PROGRESS_POLL_SECONDS = 0.5
"""How often a repeat asks again whether its key's first attempt has ended."""
T = TypeVar("T")


def is_client_retry(request: Request) -> bool:
    """Whether the request repeats an earlier attempt of the same call (and names no key)."""
    count = request.headers.get(RETRY_COUNT_HEADER, "")
    return count.isdigit() and int(count) > 0 and "idempotency-key" not in request.headers


def call_fingerprint(operation: OperationRequest, response_format: str) -> str:
    """What the call asks, whoever sends it: equal for every attempt of one call."""
    digest = hashlib.sha256()
    for part in (
        operation.user_id,
        operation.kind.value,
        operation.model_id or "",
        operation.prompt,
        f"{operation.width}x{operation.height}/{operation.outputs}/{operation.seed}",
        repr(sorted(operation.parameters.items())),
        repr(operation.webhook),
        response_format,
    ):
        digest.update(part.encode() + b"\0")
    for image in operation.images:
        digest.update(image.role.encode() + b"\0")
        digest.update(hashlib.sha256(image.data or (image.asset_id or "").encode()).digest())
    return digest.hexdigest()


def still_running(outcome: object) -> bool:
    """Whether the outcome says the same idempotency key's first attempt is still running."""
    return isinstance(outcome, Failure) and isinstance(outcome.failure(), IdempotencyInProgress)


class AbandonedCalls:
    """Operations whose client left before their answer, by call fingerprint."""

    def __init__(self) -> None:
        self._calls: OrderedDict[str, tuple[str, float]] = OrderedDict()

    def remember(self, fingerprint: str, operation_id: str) -> None:
        self._calls[fingerprint] = (operation_id, time.monotonic() + KEPT_SECONDS)
        self._calls.move_to_end(fingerprint)
        while len(self._calls) > KEPT_CALLS:
            self._calls.popitem(last=False)

    def take(self, fingerprint: str) -> str | None:
        """The abandoned operation this call repeats, handed to one repeat only."""
        found = self._calls.pop(fingerprint, None)
        if found is None or found[1] < time.monotonic():
            return None
        return found[0]


async def until_disconnected(request: Request) -> None:
    """Returns when the client has gone (the body is read by now: nothing else is received)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def heard_out(
    request: Request, waiting: Awaitable[T], calls: AbandonedCalls, fingerprint: str, job: str
) -> T:
    """`waiting`'s result; if the client leaves first, the job is remembered for its repeat."""
    outcome = asyncio.ensure_future(waiting)
    gone = asyncio.ensure_future(until_disconnected(request))
    try:
        await asyncio.wait({outcome, gone}, return_when=asyncio.FIRST_COMPLETED)
        if not outcome.done():
            calls.remember(fingerprint, job)
        return await outcome
    finally:
        gone.cancel()
        outcome.cancel()  # only the wait: the operation runs on as a job of the server
