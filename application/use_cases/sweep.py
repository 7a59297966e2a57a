"""Sweep: settle the operations whose process died (their lease ran out), per DESIGN.md.

Nothing sent yet → the reservation is released, a zero-cost ledger line says `abandoned`, and
the idempotency key is freed. Already sent → `unknown`, held for reconciliation (the provider
may bill). Only operations whose lease expired are taken, atomically, so an operation alive in
another process is never touched and two sweepers never settle the same one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from imagestudio.application.operation_ports import LeasePolicy, OperationPorts
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.reservation import Reservation
from imagestudio.domain.usage_record import Outcome, UsageRecord

log = logging.getLogger(__name__)
S = OperationStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class SweepReport:
    abandoned: tuple[str, ...] = ()
    """Released: they had not been sent."""
    unknown: tuple[str, ...] = ()
    """Held for reconciliation: they had been sent."""
    failed: tuple[str, ...] = ()
    """Never reserved anything."""


class SweepAbandoned:
    """Takes over operations whose lease expired and settles each as DESIGN.md says."""

    def __init__(self, ports: OperationPorts, lease: LeasePolicy | None = None) -> None:
        self._ports = ports
        self._lease = lease or LeasePolicy(holder=ports.ids.new_id("sweeper"))

    async def execute(self, limit: int = 100) -> SweepReport:
        """Settle up to `limit` operations whose process stopped renewing their lease."""
        now = self._ports.clock.now()
        taken = await self._ports.leases.take_expired(
            now, self._lease.holder, now + self._lease.ttl, limit
        )
        abandoned, unknown, failed = [], [], []
        for operation_id in taken:
            operation = await self._ports.operations.get(operation_id)
            if operation is None:
                continue
            if operation.status is S.SUBMITTED:
                await self._advance(operation, S.UNKNOWN, error="its process died after sending")
                unknown.append(operation_id)
                continue
            if await self._release(operation):
                abandoned.append(operation_id)
            else:
                await self._advance(operation, S.FAILED, error="its process died before reserving")
                failed.append(operation_id)
            if operation.idempotency_key is not None:  # nothing was sent: a retry may run
                await self._ports.idempotency.forget(operation.user_id, operation.idempotency_key)
        if taken:
            log.warning(
                "swept %d abandoned and %d unknown operations", len(abandoned), len(unknown)
            )
        return SweepReport(abandoned=tuple(abandoned), unknown=tuple(unknown), failed=tuple(failed))

    async def _release(self, operation: ImageOperation) -> bool:
        """Release what the operation held; False when it never got a reservation."""
        if operation.reservation_id is None:
            return False
        try:
            reservation = await self._ports.quota.release(operation.reservation_id)
        except KeyError:
            return False  # the process died before its reservation was granted
        if operation.status is S.REQUESTED:  # died between reserving and recording it
            operation = await self._advance(operation, S.RESERVED)
        await self._record(operation, reservation)
        await self._advance(operation, S.ABANDONED, error="its process died before sending")
        return True

    async def _record(self, operation: ImageOperation, reservation: Reservation) -> None:
        if await self._ports.ledger.for_operation(operation.id) is not None:
            return  # a sweep that died half-way already wrote it
        now = self._ports.clock.now()
        await self._ports.ledger.append(
            UsageRecord(
                user_id=operation.user_id,
                operation_id=operation.id,
                model_id=operation.model_id,
                provider=operation.provider,
                kind=operation.kind,
                outputs=0,
                user_charge=0,
                provider_cost=0,
                outcome=Outcome.ABANDONED,
                output_bytes=0,
                latency_ms=max(0, int((now - operation.created_at).total_seconds() * 1000)),
                billing_period=reservation.period,
                started_at=operation.created_at,
                finished_at=now,
                idempotency_key=operation.idempotency_key,
                reason="its process died before sending",
            )
        )

    async def _advance(
        self, operation: ImageOperation, to: OperationStatus, **changes: object
    ) -> ImageOperation:
        advanced = operation.advance(to, self._ports.clock.now(), **changes).unwrap()
        await self._ports.operations.save(advanced)
        return advanced
