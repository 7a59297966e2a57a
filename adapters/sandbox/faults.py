"""Scripted faults: the next request to a route fails the way a test asked for."""

from __future__ import annotations

import threading
from collections import deque
from enum import StrEnum


class Route(StrEnum):
    """Where a fault can strike; emulators ask for the route they are serving."""

    WAVESPEED_SUBMIT = "wavespeed.submit"
    WAVESPEED_POLL = "wavespeed.poll"
    WAVESPEED_UPLOAD = "wavespeed.upload"
    WAVESPEED_BALANCE = "wavespeed.balance"
    FILE_DOWNLOAD = "files.download"
    STABILITY_SUBMIT = "stability.submit"
    STABILITY_RESULT = "stability.result"
    STABILITY_BALANCE = "stability.balance"


class Fault(StrEnum):
    HTTP_500 = "500"
    HTTP_502 = "502"
    HTTP_503 = "503"
    HTTP_429 = "429"
    SLOW = "slow"
    """Reply only after `slow_seconds`: long enough for a client time-out."""
    DROP = "drop"
    """Send the reply's headers, then close the connection mid-body. On a submit the task is
    created and billed first, so the client cannot know whether it exists."""
    FAIL_AFTER_ACCEPT = "fail-after-accept"
    """Accept the task, then fail it (WaveSpeed `failed`; Stability async 500)."""


class FaultScript:
    """A queue of faults per route; each request to that route takes the next one, if any.

    Thread-safe: tests script it from their own thread while uvicorn serves in another.
    """

    def __init__(self, slow_seconds: float = 5.0) -> None:
        self.slow_seconds = slow_seconds
        self._queues: dict[Route, deque[Fault]] = {}
        self._lock = threading.Lock()

    def add(self, route: Route, fault: Fault, times: int = 1) -> None:
        with self._lock:
            self._queues.setdefault(route, deque()).extend([fault] * times)

    def take(self, route: Route) -> Fault | None:
        with self._lock:
            queue = self._queues.get(route)
            return queue.popleft() if queue else None

    def clear(self) -> None:
        with self._lock:
            self._queues.clear()
