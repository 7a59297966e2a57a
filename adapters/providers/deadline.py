"""An operation's deadline: every wait of an adapter (queue, poll, retry) stays within it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


class DeadlinePassed(Exception):
    """The operation ran out of time; what that means depends on whether it was sent."""


@dataclass(slots=True)
class Deadline:
    seconds: float
    clock: Callable[[], float] = time.monotonic
    expires_at: float = field(init=False)

    def __post_init__(self) -> None:
        self.expires_at = self.clock() + self.seconds

    def remaining(self) -> float:
        return max(0.0, self.expires_at - self.clock())

    @property
    def passed(self) -> bool:
        return self.clock() >= self.expires_at

    def check(self, what: str) -> None:
        if self.passed:
            raise DeadlinePassed(f"{what}: the deadline of {self.seconds:g} s passed")


WHOLE_REPLY_GRACE = 0.5
"""Seconds a whole reply may run past a request's own timeout before it is cut: the per-read
timeout, which names what it waited for, fires first when the server is merely slow; the cut
is for a reply that drips bytes often enough for that timeout never to fire."""
