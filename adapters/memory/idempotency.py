"""Idempotency keys in memory: one outcome per (user, key), kept for a retention period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from imagestudio.application.ports.idempotency import (
    DEFAULT_RETENTION,
    Claimed,
    KeyReusedDifferently,
    Replay,
    StillRunning,
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Running:
    request_hash: str
    claimed_at: datetime


@dataclass(frozen=True, slots=True)
class _Finished(Generic[T]):
    request_hash: str
    claimed_at: datetime
    outcome: T


class InMemoryIdempotencyStore(Generic[T]):
    """The `IdempotencyStore` port on a dict; no await between a check and its change.

    A key expires `retention` after it was claimed, and may then be claimed afresh.
    """

    def __init__(self, retention: timedelta = DEFAULT_RETENTION) -> None:
        if retention <= timedelta(0):
            raise ValueError("idempotency keys must be kept for some time")
        self._retention = retention
        self._keys: dict[tuple[str, str], _Running | _Finished[T]] = {}

    async def claim(
        self, user_id: str, key: str, request_hash: str, at: datetime
    ) -> Claimed | Replay[T] | StillRunning | KeyReusedDifferently:
        held = self._keys.get((user_id, key))
        if held is None or at >= held.claimed_at + self._retention:
            self._keys[(user_id, key)] = _Running(request_hash, at)
            return Claimed()
        if held.request_hash != request_hash:
            return KeyReusedDifferently()
        if isinstance(held, _Finished):
            return Replay(held.outcome)
        return StillRunning()

    async def finish(self, user_id: str, key: str, outcome: T) -> None:
        held = self._keys.get((user_id, key))
        if held is None:
            raise LookupError(f"idempotency key {key!r} of {user_id!r} is not claimed")
        if isinstance(held, _Finished):
            raise ValueError(f"idempotency key {key!r} of {user_id!r} already has its outcome")
        self._keys[(user_id, key)] = _Finished(held.request_hash, held.claimed_at, outcome)

    async def forget(self, user_id: str, key: str) -> None:
        """Drop a running claim; a finished key keeps replaying its outcome."""
        if isinstance(self._keys.get((user_id, key)), _Running):
            del self._keys[(user_id, key)]

    def erase_user(self, user_id: str) -> int:
        """Delete every key of the user, running or finished; how many."""
        gone = [held for held in self._keys if held[0] == user_id]
        for held in gone:
            del self._keys[held]
        return len(gone)
