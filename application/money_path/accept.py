"""Accept: claim the idempotency key, reserve, and record the operation leased — one transaction.

A refusal, a replay or a key in use rolls all of it back: no key is left claimed and no
operation row is left behind. What is committed always has an owner after a crash: the lease
is written with the row, so the sweep finds it once the lease runs out.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from returns.result import Failure, Result, Success

from imagestudio.application.money_path.webhook_outbox import write_owed
from imagestudio.application.operation_ports import StoredOutcome
from imagestudio.application.ports.idempotency import KeyReusedDifferently, Replay, StillRunning
from imagestudio.application.ports.unit_of_work import Lease, StoreUnavailable, UnitOfWork
from imagestudio.domain.errors import (
    IdempotencyConflict,
    IdempotencyInProgress,
    NotRecorded,
    OperationError,
)
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.quota import ReservationRequest
from imagestudio.domain.reservation import Reservation


class KeyUse(Enum):
    """What the attempt does with the request's idempotency key."""

    NONE = "none"
    CLAIM = "claim"
    """The first attempt: claim the key."""
    HAND_OVER = "hand_over"
    """A fallback's next attempt: the key is ours already; point it at the new operation."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Accepted:
    operation: ImageOperation
    """Recorded as `reserved`, leased."""
    reservation: Reservation


Acceptance = Result[Accepted, OperationError] | Replay[StoredOutcome]


async def accept(
    unit_of_work: UnitOfWork,
    operation: ImageOperation,
    request: ReservationRequest,
    lease: Lease,
    key_use: KeyUse = KeyUse.NONE,
    request_hash: str = "",
) -> Acceptance:
    """Accept `operation` (still `requested`, its reservation id named): `Accepted`, a typed
    refusal, or the replay of the key's stored outcome."""
    try:
        return await _accept(unit_of_work, operation, request, lease, key_use, request_hash)
    except StoreUnavailable as error:  # nothing was kept: a refusal of ours, never "unknown"
        return Failure(NotRecorded(detail=str(error)))


async def _accept(
    unit_of_work: UnitOfWork,
    operation: ImageOperation,
    request: ReservationRequest,
    lease: Lease,
    key_use: KeyUse,
    request_hash: str,
) -> Acceptance:
    reservation_id = operation.reservation_id
    assert reservation_id is not None, "an operation is accepted with its reservation id"
    key = operation.idempotency_key
    async with unit_of_work.begin() as unit:
        if key is not None and key_use is KeyUse.CLAIM:
            claim = await unit.idempotency.claim(
                operation.user_id, key, request_hash, request.at, operation.id
            )
            if isinstance(claim, Replay):
                return claim
            if isinstance(claim, StillRunning):
                return Failure(IdempotencyInProgress(key))
            if isinstance(claim, KeyReusedDifferently):
                return Failure(IdempotencyConflict(key))
        elif key is not None and key_use is KeyUse.HAND_OVER:
            await unit.idempotency.hand_over(operation.user_id, key, operation.id)
        reserved = await unit.quota.reserve(reservation_id, request)
        if isinstance(reserved, Failure):
            return Failure(reserved.failure())
        recorded = operation.advance(OperationStatus.RESERVED, request.at).unwrap()
        await unit.operations.add(recorded, lease)
        await write_owed(unit, recorded)
        await unit.commit()
    return Success(Accepted(operation=recorded, reservation=reserved.unwrap()))
