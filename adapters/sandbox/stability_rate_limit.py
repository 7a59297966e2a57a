"""Stability's rate limit (§2.6): a sliding window per account, then a lock-out."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from imagestudio.adapters.sandbox.config import StabilityLimits


class RequestWindow:
    """Admits `requests_per_window` requests per sliding `window_seconds`; the next one starts
    a lock-out of `lockout_seconds` during which every request is refused and none is counted.
    """

    def __init__(self, limits: StabilityLimits, clock: Callable[[], float]) -> None:
        self._limits = limits
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def admit(self, account: str) -> bool:
        """Count one request for `account`; False when it is over the limit or locked out."""
        now = self._clock()
        with self._lock:
            if now < self._locked_until.get(account, float("-inf")):
                return False
            seen = self._seen.setdefault(account, deque())
            while seen and seen[0] <= now - self._limits.window_seconds:
                seen.popleft()
            if len(seen) >= self._limits.requests_per_window:
                self._locked_until[account] = now + self._limits.lockout_seconds
                seen.clear()
                return False
            seen.append(now)
            return True
