"""Faults: the next request to a route fails the way a test asked for, or a share of them at
random (a soak's rates); every request and every fault is counted per route."""

from __future__ import annotations

import random
import threading
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass
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
    """With `Retry-After`, as both services send it."""
    HTTP_500_AFTER_WORK = "500-after-work"
    """Do the work — the task made and billed, a sync generation rendered and billed — then
    answer 500 in place of the reply: the service failed after the work, and the client
    cannot tell this 500 from one before it (the `500` fault, which does nothing)."""
    SLOW = "slow"
    """Reply only after `slow_seconds`: long enough for a client time-out."""
    DROP = "drop"
    """Send the reply's headers, then close the connection mid-body. On a submit the task is
    created and billed first, so the client cannot know whether it exists."""
    RESET = "reset"
    """Close the connection before the request is read and before anything is answered: on a
    submit no task exists and nothing is billed, though the client cannot know that either."""
    MALFORMED = "malformed"
    """A 200 whose body is not JSON at all (a proxy's page), after the work is done."""
    TRUNCATED = "truncated"
    """A 200 whose body stops half-way, its length honest, after the work is done."""
    FAIL_AFTER_ACCEPT = "fail-after-accept"
    """Accept the task, then fail it (WaveSpeed `failed`; Stability async 500)."""
    SLOW_TASK = "slow-task"
    """Accept the task at once, but let it run `slow_task_seconds` before it completes."""


@dataclass(frozen=True, slots=True)
class FaultRate:
    """A share of a route's requests that meet a fault, drawn independently per request."""

    route: Route
    fault: Fault
    rate: float

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"a fault rate is a share between 0 and 1, not {self.rate}")

    @classmethod
    def parse(cls, text: str) -> FaultRate:
        """`ROUTE:FAULT=RATE`, e.g. `wavespeed.submit:503=0.02`."""
        where, _, rate = text.partition("=")
        route, _, fault = where.partition(":")
        try:
            return cls(Route(route.strip()), Fault(fault.strip()), float(rate))
        except ValueError as error:
            raise ValueError(f"{text!r} is not ROUTE:FAULT=RATE ({error})") from None


def shares_by_route(rates: Iterable[FaultRate]) -> dict[Route, list[tuple[Fault, float]]]:
    """Each route's faults and their shares; refused when a route's shares add up past 1."""
    shares: dict[Route, list[tuple[Fault, float]]] = {}
    for given in rates:
        shares.setdefault(given.route, []).append((given.fault, given.rate))
    for route, route_shares in shares.items():
        if sum(rate for _, rate in route_shares) > 1.0:
            raise ValueError(f"the fault rates of {route.value} add up to more than 1")
    return shares


class FaultScript:
    """A queue of faults per route, then rates; each request to a route takes the next scripted
    fault, or else meets one at random with its rate.

    Thread-safe: tests script it from their own thread while uvicorn serves in another.
    """

    def __init__(
        self,
        slow_seconds: float = 5.0,
        rates: Iterable[FaultRate] = (),
        *,
        slow_task_seconds: float = 10.0,
        seed: int = 0,
    ) -> None:
        self.slow_seconds = slow_seconds
        self.slow_task_seconds = slow_task_seconds
        self._queues: dict[Route, deque[Fault]] = {}
        self._rates = shares_by_route(rates)
        self._random = random.Random(seed)
        self._requests: Counter[Route] = Counter()
        self._struck: Counter[tuple[Route, Fault]] = Counter()
        self._lock = threading.Lock()

    def add(self, route: Route, fault: Fault, times: int = 1) -> None:
        with self._lock:
            self._queues.setdefault(route, deque()).extend([fault] * times)

    def take(self, route: Route) -> Fault | None:
        """The fault this request to `route` meets, if any (counted either way)."""
        with self._lock:
            self._requests[route] += 1
            queue = self._queues.get(route)
            fault = queue.popleft() if queue else self._draw(route)
            if fault is not None:
                self._struck[route, fault] += 1
            return fault

    def _draw(self, route: Route) -> Fault | None:
        shares = self._rates.get(route)
        if not shares:
            return None
        point = self._random.random()
        for fault, rate in shares:
            if point < rate:
                return fault
            point -= rate
        return None

    def clear(self) -> None:
        with self._lock:
            self._queues.clear()

    def tally(self) -> dict[str, object]:
        """Requests seen and faults met, per route: what `GET /_sandbox/faults` answers."""
        with self._lock:
            faults: dict[str, dict[str, int]] = {}
            for (route, fault), count in sorted(self._struck.items()):
                faults.setdefault(route.value, {})[fault.value] = count
            return {
                "requests": {route.value: n for route, n in sorted(self._requests.items())},
                "faults": faults,
            }
