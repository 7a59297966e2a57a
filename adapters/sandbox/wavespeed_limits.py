"""The account's rate limits: submits per sliding window and tasks running at once (§1.8)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from imagestudio.adapters.sandbox.config import WaveSpeedLimits


class SubmitLimiter:
    """Counts accepted submits in a sliding window. Used on the server's loop only."""

    def __init__(self, limits: WaveSpeedLimits, clock: Callable[[], float]) -> None:
        self._limits = limits
        self._clock = clock
        self._accepted: deque[float] = deque()

    def refusal(self, unfinished: int) -> str | None:
        """Why one more task would break a limit, or None when it may be created."""
        now = self._clock()
        while self._accepted and self._accepted[0] <= now - self._limits.window_seconds:
            self._accepted.popleft()
        if len(self._accepted) >= self._limits.submits_per_window:
            return (
                f"Too many requests: more than {self._limits.submits_per_window} submissions "
                f"in {self._limits.window_seconds:g} seconds"
            )
        if unfinished >= self._limits.concurrent_tasks:
            return (
                f"Too many requests: {self._limits.concurrent_tasks} tasks are already running, "
                "the most this account may run at once"
            )
        return None

    def accepted(self) -> None:
        self._accepted.append(self._clock())
