"""The `openai` client's own retries joined to the call they repeat, so they never charge twice.
The client sends no idempotency key of its own. When its read times out (or the connection
drops) it sends the same request again, marked `x-stainless-retry-count: N`; the first attempt
keeps running here and is charged when it succeeds, so running the repeat as well would charge
one call twice, or three times. Each attempt therefore leaves the job it waits on under its
user and what it asks, before it waits, and a marked repeat joins that job, or replays it if it
has succeeded (the client repeats only what it did not get), instead of starting another. Left
before the wait, not when the server notices the client went away: a repeat can arrive first,
and a job can end just as the client gives up on it. A repeat of a call that failed (a released
503, say) runs anew, as the client meant. This memory is one process's; a caller's
`Idempotency-Key` is the store's business and holds across processes and restarts.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
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


class CallJobs:
    """The job the latest attempt of each call waits on, by call fingerprint."""

    def __init__(self) -> None:
        self._calls: OrderedDict[str, tuple[str, float]] = OrderedDict()

    def remember(self, fingerprint: str, operation_id: str) -> None:
        self._calls[fingerprint] = (operation_id, time.monotonic() + KEPT_SECONDS)
        self._calls.move_to_end(fingerprint)
        while len(self._calls) > KEPT_CALLS:
            self._calls.popitem(last=False)

    def take(self, fingerprint: str) -> str | None:
        """The job an earlier attempt of this call waited on, handed to one repeat only (which
        leaves it again for the next)."""
        found = self._calls.pop(fingerprint, None)
        if found is None or found[1] < time.monotonic():
            return None
        return found[0]
