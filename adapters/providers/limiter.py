"""One provider account's limits, shared by every operation of this process.

Work queues for a free task slot and a request slot in the window, within its deadline, so a
burst from one tenant waits its turn instead of tripping the provider's lock-out for everyone
(Stability locks an account out for 60 s after 150 requests in 10 s).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from imagestudio.adapters.providers.deadline import Deadline, DeadlinePassed


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountLimits:
    concurrent_tasks: int
    requests_per_window: int
    window_seconds: float


class AccountLimiter:
    def __init__(self, limits: AccountLimits, clock: Callable[[], float] = time.monotonic) -> None:
        if limits.concurrent_tasks < 1 or limits.requests_per_window < 1:
            raise ValueError("a provider account allows at least one task and one request")
        self.limits = limits
        self._clock = clock
        self._tasks = asyncio.Semaphore(limits.concurrent_tasks)
        self._sent: deque[float] = deque()
        self._window_lock = asyncio.Lock()

    @asynccontextmanager
    async def task(self, deadline: Deadline) -> AsyncIterator[None]:
        """Hold one of the account's concurrent task slots for the body's duration."""
        remaining = deadline.remaining()
        try:
            if remaining > 0 and not self._tasks.locked():
                await self._tasks.acquire()  # free: taken at once, without wait_for's task
            else:
                await asyncio.wait_for(self._tasks.acquire(), timeout=remaining)
        except TimeoutError:
            raise DeadlinePassed(
                f"no free provider task slot ({self.limits.concurrent_tasks} in use) "
                "before the deadline"
            ) from None
        try:
            yield
        finally:
            self._tasks.release()

    async def admit(self, deadline: Deadline) -> None:
        """Wait for room for one more request in the sliding window; DeadlinePassed if none."""
        async with self._window_lock:  # first come, first served
            while True:
                now = self._clock()
                horizon = now - self.limits.window_seconds
                while self._sent and self._sent[0] <= horizon:
                    self._sent.popleft()
                if len(self._sent) < self.limits.requests_per_window:
                    self._sent.append(now)
                    return
                wait = self._sent[0] + self.limits.window_seconds - now
                if wait > deadline.remaining():
                    raise DeadlinePassed(
                        f"the provider account's {self.limits.requests_per_window} requests "
                        f"per {self.limits.window_seconds:g} s are used up past the deadline"
                    )
                await asyncio.sleep(wait)

    @property
    def tasks_in_use(self) -> int:
        return self.limits.concurrent_tasks - self._tasks._value
