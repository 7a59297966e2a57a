"""Idempotency keys in memory: one outcome per (user, key), kept for a retention period."""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from imagestudio.adapters.memory.overlay import Overlay
from imagestudio.application.ports.idempotency import (
    DEFAULT_RETENTION,
    Claimed,
    KeyReusedDifferently,
    Replay,
    RunningClaim,
    StillRunning,
)
from imagestudio.application.ports.unit_of_work import StaleOperation

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Running:
    request_hash: str
    claimed_at: datetime
    operation_id: str | None = None


@dataclass(frozen=True, slots=True)
class _Finished(Generic[T]):
    request_hash: str
    claimed_at: datetime
    outcome: T


_Keys = MutableMapping[tuple[str, str], _Running | _Finished[T]]


def _answer(
    held: _Running | _Finished[T] | None,
    request_hash: str,
    at: datetime,
    retention: timedelta,
    abandoned: Callable[[str | None], bool],
) -> Claimed | Replay[T] | StillRunning | KeyReusedDifferently:
    """What a claim answers; `abandoned` tells a running operation nobody will ever finish."""
    if held is None or at >= held.claimed_at + retention:
        return Claimed()
    if held.request_hash != request_hash:
        return KeyReusedDifferently()
    if isinstance(held, _Finished):
        return Replay(held.outcome)
    return Claimed() if abandoned(held.operation_id) else StillRunning()


def _finish(
    keys: _Keys[T], user_id: str, key: str, outcome: T, operation_id: str | None = None
) -> None:
    held = keys.get((user_id, key))
    if operation_id is not None and not _runs_for(held, operation_id):
        raise StaleOperation(operation_id)  # handed on, finished or taken over: that stands
    if held is None:
        raise LookupError(f"idempotency key {key!r} of {user_id!r} is not claimed")
    if isinstance(held, _Finished):
        raise ValueError(f"idempotency key {key!r} of {user_id!r} already has its outcome")
    keys[(user_id, key)] = _Finished(held.request_hash, held.claimed_at, outcome)


def _forget(keys: _Keys[T], user_id: str, key: str, operation_id: str | None = None) -> None:
    held = keys.get((user_id, key))
    if operation_id is not None and not _runs_for(held, operation_id):
        raise StaleOperation(operation_id)
    if isinstance(held, _Running):
        del keys[(user_id, key)]


def _runs_for(held: _Running | _Finished[T] | None, operation_id: str) -> bool:
    return isinstance(held, _Running) and held.operation_id == operation_id


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
        answer = _answer(held, request_hash, at, self._retention, lambda _: False)
        if isinstance(answer, Claimed):
            self._keys[(user_id, key)] = _Running(request_hash, at)
        return answer

    async def finish(self, user_id: str, key: str, outcome: T) -> None:
        _finish(self._keys, user_id, key, outcome)

    async def forget(self, user_id: str, key: str) -> None:
        """Drop a running claim; a finished key keeps replaying its outcome."""
        _forget(self._keys, user_id, key)

    async def running(
        self, claimed_before: datetime, limit: int, *, after: RunningClaim | None = None
    ) -> tuple[RunningClaim, ...]:
        found = [
            RunningClaim(user_id, key, held.claimed_at, held.operation_id)
            for (user_id, key), held in self._keys.items()
            if isinstance(held, _Running)
            and held.claimed_at < claimed_before < held.claimed_at + self._retention
        ]
        found.sort(key=_order)
        if after is not None:
            found = [claim for claim in found if _order(claim) > _order(after)]
        return tuple(found[: max(limit, 0)])

    def draft(self) -> KeysDraft[T]:
        """A unit of work's draft of these keys: changes kept aside until it merges them."""
        return KeysDraft(Overlay(self._keys), self._retention)

    def erase_user(self, user_id: str) -> int:
        """Delete every key of the user, running or finished; how many."""
        gone = [held for held in self._keys if held[0] == user_id]
        for held in gone:
            del self._keys[held]
        return len(gone)


class KeysDraft(Generic[T]):
    """The keys as a unit of work would leave them; `claim` only answers, `run` claims."""

    def __init__(
        self, keys: Overlay[tuple[str, str], _Running | _Finished[T]], retention: timedelta
    ):
        self._keys = keys
        self._retention = retention

    def claim(
        self,
        user_id: str,
        key: str,
        request_hash: str,
        at: datetime,
        abandoned: Callable[[str | None], bool],
    ) -> Claimed | Replay[T] | StillRunning | KeyReusedDifferently:
        held = self._keys.get((user_id, key))
        return _answer(held, request_hash, at, self._retention, abandoned)

    def run(
        self, user_id: str, key: str, request_hash: str, at: datetime, operation_id: str
    ) -> None:
        self._keys[(user_id, key)] = _Running(request_hash, at, operation_id)

    def finish(self, user_id: str, key: str, outcome: T, operation_id: str | None = None) -> None:
        _finish(self._keys, user_id, key, outcome, operation_id)

    def forget(self, user_id: str, key: str, operation_id: str | None = None) -> None:
        _forget(self._keys, user_id, key, operation_id)

    def hand_over(self, user_id: str, key: str, operation_id: str) -> None:
        held = self._keys.get((user_id, key))
        if isinstance(held, _Running):
            self._keys[(user_id, key)] = replace(held, operation_id=operation_id)

    def merge(self) -> None:
        self._keys.merge()


def _order(claim: RunningClaim) -> tuple[datetime, str, str]:
    """Oldest claim first, then by user and key: the order `running` pages in."""
    return (claim.claimed_at, claim.user_id, claim.key)
