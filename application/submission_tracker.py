"""Knows whether a billable request has left the process: the line between release and unknown."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


class SubmissionTracker:
    """The `SubmissionReport` given to providers for one operation (shared by its variations).

    `on_first_send` runs once, before the first request leaves, so the operation is recorded as
    submitted before a crash could hide that it was sent.
    """

    def __init__(
        self,
        on_first_send: Callable[[], Awaitable[None]],
        on_accepted: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self._on_first_send = on_first_send
        self._on_accepted = on_accepted
        self._lock = asyncio.Lock()
        self.sent = False
        self.task_ids: list[str] = []

    async def sending(self) -> None:
        async with self._lock:
            if not self.sent:
                await self._on_first_send()
                self.sent = True

    async def accepted(self, task_id: str) -> None:
        self.task_ids.append(task_id)
        if self._on_accepted is not None:
            # Written down at once: if this process dies now, reconciliation can look it up.
            async with self._lock:
                await self._on_accepted(task_id)
