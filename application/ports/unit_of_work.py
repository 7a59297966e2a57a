"""The unit of work of the money path: every store one settlement changes, in one transaction.

    async with unit_of_work.begin() as unit:
        await unit.operations.advance(OperationStatus.SUBMITTED, succeeded)
        moved = await unit.quota.commit(reservation_id, settlement)
        await unit.ledger.append(line)
        await unit.commit()
    moved.counters  # the user's counters as the settlement left them

Leaving the block without `commit()` (an exception, a refusal, a cancellation) rolls every
change of the unit back. Writes may be deferred until the next read or the commit (the SQL
adapter sends them together), so a conditional write that no longer holds surfaces at
`commit()` as `StaleOperation`, and the whole unit is rolled back.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from returns.result import Result

from imagestudio.application.operation_ports import StoredOutcome
from imagestudio.application.ports.idempotency import (
    Claimed,
    KeyReusedDifferently,
    Replay,
    StillRunning,
)
from imagestudio.application.ports.webhooks import UnitOutbox
from imagestudio.domain.asset import Asset
from imagestudio.domain.errors import (
    QuotaRefusal,
    RefundTooLarge,
    StorageQuotaExceeded,
    UnknownUser,
)
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.quota import Counter, DimensionKey, ReservationRequest, Settlement
from imagestudio.domain.reservation import Reservation
from imagestudio.domain.usage_record import UsageRecord

Claim = Claimed | Replay[StoredOutcome] | StillRunning | KeyReusedDifferently


@dataclass(frozen=True, slots=True)
class Lease:
    """Who works on an operation, and until when (renewed while it runs)."""

    holder: str
    until: datetime


class StaleOperation(Exception):
    """A conditional change found the operation in another status than its writer read: someone
    else (a sweeper, a reconciler) settled or moved it first, and their verdict stands."""

    def __init__(self, operation_id: str, expected: OperationStatus | None = None) -> None:
        super().__init__(
            f"the idempotency key of operation {operation_id} has moved on"
            if expected is None
            else f"operation {operation_id} is no longer {expected}"
        )
        self.operation_id = operation_id
        self.expected = expected
        """None: a key change meant for the operation found its key no longer running for it."""


class StoreUnavailable(Exception):
    """The store failed under the unit (a deadlock, a lost connection, a busy file, no free
    connection): nothing of the unit was kept, and nothing may be sent on its strength."""


@dataclass(frozen=True, slots=True)
class Moved:
    """The user's counters as a settlement left them; filled when the unit commits.

    Only the user's own counters the settlement moved (calls, spend, concurrency), each as it
    stood right after the move, in the unit's transaction. Empty until the unit commits, and for
    good if it rolls back or the reservation was settled already (nothing moved)."""

    counters: dict[DimensionKey, Counter] = field(default_factory=dict)


class UnitQuota(Protocol):
    async def reserve(
        self, reservation_id: str, request: ReservationRequest
    ) -> Result[Reservation, QuotaRefusal | UnknownUser | StorageQuotaExceeded]:
        """Hold the request's amounts if every dimension admits them (read now); an id
        reserved already gives that reservation back. A refusal holds nothing.

        With `request.needs_storage` and a finite storage limit in the user's plan, the user's
        stored bytes are read with the plan, and the storage rule (domain/storage_room.py) is
        checked first, before the request rate and every counter."""
        ...

    async def commit(self, reservation_id: str, settlement: Settlement) -> Moved:
        """Move the held amounts into used; nothing if the reservation is no longer held. The
        receipt is filled when the unit commits (see `Moved`)."""
        ...

    async def release(self, reservation_id: str) -> None:
        """Drop the held amounts; nothing if the reservation is no longer held."""
        ...

    async def adjust_spend(
        self, user_id: str, period: str, amount: int
    ) -> Result[Counter, RefundTooLarge]:
        """Move the user's spend for `period` by `amount` (negative: a refund), never below 0."""
        ...


class UnitLedger(Protocol):
    async def append(self, record: UsageRecord) -> None:
        """Add the line; a second line for one operation makes the unit fail at commit."""
        ...


class UnitOperations(Protocol):
    async def add(self, operation: ImageOperation, lease: Lease) -> None:
        """Insert a new operation, leased; an id that exists makes the unit fail at commit."""
        ...

    async def advance(
        self,
        expected: OperationStatus,
        operation: ImageOperation,
        *,
        last_updated: datetime | None = None,
    ) -> None:
        """Store the operation's new state, only if its stored status is still `expected` (and,
        given `last_updated`, its stored `updated_at` still that: nobody wrote it since it was
        read); otherwise the unit fails with `StaleOperation` (at the latest at commit)."""
        ...


class UnitKeys(Protocol):
    async def claim(
        self, user_id: str, key: str, request_hash: str, at: datetime, operation_id: str
    ) -> Claim:
        """Claim the key for `operation_id` (read now), or say what already holds it. A key
        still "running" for an operation that is settled (its process died between two
        attempts) is stale, and taken over."""
        ...

    async def finish(
        self, user_id: str, key: str, outcome: StoredOutcome, *, operation_id: str | None = None
    ) -> None:
        """Store the outcome every later retry with this key replays. Given `operation_id`,
        only while the claim runs for that operation; otherwise (handed on, finished, taken
        over or freed since) the unit fails with `StaleOperation` (at the latest at commit)."""
        ...

    async def forget(self, user_id: str, key: str, *, operation_id: str | None = None) -> None:
        """Free a running claim (nothing worth replaying happened); given `operation_id`, only
        while the claim runs for that operation, else `StaleOperation` as for `finish`."""
        ...

    async def hand_over(self, user_id: str, key: str, operation_id: str) -> None:
        """Make a running claim belong to `operation_id` (a fallback's next attempt)."""
        ...


class UnitAssets(Protocol):
    async def add(self, asset: Asset) -> None:
        """Record the asset's row (its bytes are already stored under its id)."""
        ...


class Unit(Protocol):
    """The stores of one transaction; nothing is kept unless `commit()` is called."""

    @property
    def quota(self) -> UnitQuota: ...

    @property
    def ledger(self) -> UnitLedger: ...

    @property
    def operations(self) -> UnitOperations: ...

    @property
    def idempotency(self) -> UnitKeys: ...

    @property
    def assets(self) -> UnitAssets: ...

    @property
    def outbox(self) -> UnitOutbox: ...

    async def commit(self) -> None:
        """Keep every change of the unit, or none (raising, `StaleOperation` among others)."""
        ...


class UnitOfWork(Protocol):
    def begin(self) -> AbstractAsyncContextManager[Unit]:
        """A new unit; leaving it without `commit()` rolls it back."""
        ...
