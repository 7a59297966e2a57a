"""The idempotency port: one outcome per (user, key), replayed to every retry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, Protocol, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Claimed:
    """This request owns the key now: run it, then `finish` or `forget`."""


@dataclass(frozen=True, slots=True)
class Replay(Generic[T]):
    outcome: T


@dataclass(frozen=True, slots=True)
class StillRunning:
    pass


@dataclass(frozen=True, slots=True)
class KeyReusedDifferently:
    pass


@dataclass(frozen=True, slots=True)
class RunningClaim:
    """A key still "in progress": who holds it, since when, for which operation."""

    user_id: str
    key: str
    claimed_at: datetime
    operation_id: str | None


DEFAULT_RETENTION = timedelta(hours=24)


class IdempotencyStore(Protocol[T]):
    async def claim(
        self, user_id: str, key: str, request_hash: str, at: datetime
    ) -> Claimed | Replay[T] | StillRunning | KeyReusedDifferently:
        """Claim the key for this request, or say what already holds it."""
        ...

    async def finish(self, user_id: str, key: str, outcome: T) -> None:
        """Store the outcome that every later retry with this key replays."""
        ...

    async def forget(self, user_id: str, key: str) -> None:
        """Drop a claim whose request ended before doing anything worth replaying."""
        ...

    async def running(
        self, claimed_before: datetime, limit: int, *, after: RunningClaim | None = None
    ) -> tuple[RunningClaim, ...]:
        """At most `limit` keys still running that were claimed before `claimed_before` (and
        are not past their retention then), oldest claim first (by claim time, user, key),
        strictly after `after`: the sweep pages through every one, however many wait for
        reconciliation, in bounded batches."""
        ...
