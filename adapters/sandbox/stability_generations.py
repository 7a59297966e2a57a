"""Async generations (§2.3): 64-hex ids, owned by one key, ready after a delay, kept for a TTL."""

from __future__ import annotations

import asyncio
import secrets
import threading
from collections.abc import Awaitable, Callable

from imagestudio.adapters.sandbox.stability_outputs import Outcome

Work = Callable[[str], Awaitable[Outcome | None]]
"""Renders and bills the generation with this id; None when it failed (nothing billed)."""


class Generation:
    """One async task. Its work runs once, when it is due or first asked for, whichever is first."""

    def __init__(self, api_key: str, created_at: float, ready_at: float, work: Work) -> None:
        self.id = secrets.token_hex(32)
        self.api_key = api_key
        self.created_at = created_at
        self.ready_at = ready_at
        self._work = work
        self._finished = False
        self._outcome: Outcome | None = None
        self._lock = asyncio.Lock()

    async def finish(self) -> Outcome | None:
        """Run the work if nobody has yet; the outcome, or None if the generation failed."""
        async with self._lock:
            if not self._finished:
                self._outcome = await self._work(self.id)
                self._finished = True
        return self._outcome


class Generations:
    """The live generations; a lookup forgets those past the TTL."""

    def __init__(self, ttl_seconds: float) -> None:
        self._ttl = ttl_seconds
        self._by_id: dict[str, Generation] = {}
        self._lock = threading.Lock()

    def add(self, generation: Generation) -> None:
        with self._lock:
            self._by_id[generation.id] = generation

    def find(self, generation_id: str, api_key: str, now: float) -> Generation | None:
        """The generation if it exists, has not expired, and was created with `api_key`."""
        with self._lock:
            for expired in [
                gid for gid, g in self._by_id.items() if now - g.created_at > self._ttl
            ]:
                del self._by_id[expired]
            found = self._by_id.get(generation_id)
        if found is None or not secrets.compare_digest(found.api_key, api_key):
            return None
        return found
