"""Sweep: settle the operations whose process died (their lease ran out), per DESIGN.md.

Nothing sent yet → the reservation is released, a zero-cost ledger line says `abandoned`, and
the idempotency key answers that outcome — one transaction. Already sent → `unknown`, still
held, for reconciliation (the provider may bill). Only operations whose lease expired are
taken, atomically, and every change is conditional on the status read, so an operation alive
in another process is never touched and two sweepers never settle the same one.
It also ends requests whose fallback's next operation never came (`sweep_follow_ups.py`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from returns.result import Failure

from imagestudio.application.money_path.ledger_line import line_for
from imagestudio.application.money_path.settle import (
    Closing,
    FinishKey,
    ForgetKey,
    KeepKey,
    Settle,
)
from imagestudio.application.money_path.verdict import Money
from imagestudio.application.operation_ports import LeasePolicy, OperationPorts, StoredOutcome
from imagestudio.application.ports.idempotency import IdempotencyStore
from imagestudio.application.ports.unit_of_work import StaleOperation
from imagestudio.application.round_limit import checked_round
from imagestudio.application.use_cases.sweep_follow_ups import EndMissingFollowUps
from imagestudio.domain.errors import Cancelled
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.reservation import Reservation
from imagestudio.domain.usage_record import Outcome

log = logging.getLogger(__name__)
S = OperationStatus
DIED_BEFORE_SENDING = "its process died before sending"


@dataclass(frozen=True, slots=True, kw_only=True)
class SweepReport:
    abandoned: tuple[str, ...] = ()
    """Released: they had not been sent."""
    unknown: tuple[str, ...] = ()
    """Held for reconciliation: they had been sent."""
    failed: tuple[str, ...] = ()
    """Never reserved anything."""
    ended: tuple[str, ...] = ()
    """Failed, and the next provider's operation they named never came: the request ended at
    them (`sweep_follow_ups.py`)."""
    more: bool = False
    """The round took as many operations as its limit: more may be waiting for the next one."""

    def then(self, later: SweepReport) -> SweepReport:
        """This round's report followed by a `later` round's: what both settled."""
        return SweepReport(
            **{
                name: getattr(self, name) + getattr(later, name)
                for name in ("abandoned", "unknown", "failed", "ended")
            },
            more=later.more,
        )


class SweepAbandoned:
    """Takes over operations whose lease expired and settles each as DESIGN.md says."""

    def __init__(
        self,
        ports: OperationPorts,
        lease: LeasePolicy | None = None,
        settle: Settle | None = None,
        claims: IdempotencyStore[StoredOutcome] | None = None,
    ) -> None:
        """`claims`: the idempotency keys, to also find keyed requests whose fallback never
        came among rows settled before operations listed their follow-ups."""
        self._ports = ports
        self._lease = lease or LeasePolicy(holder=ports.ids.new_id("sweeper"))
        self._settle = settle or Settle(ports.unit_of_work)
        self._follow_ups = EndMissingFollowUps(
            ports.unit_of_work, ports.operations, claims, ports.clock, self._lease.ttl
        )

    async def execute_all(self, limit: int = 100) -> SweepReport:
        """Rounds of `execute` until one is not full: every operation whose lease has run out,
        however many a crash of a busy process left (each is taken once, so this ends)."""
        report = await self.execute(limit)
        while report.more:
            report = report.then(await self.execute(limit))
        return report

    async def execute(self, limit: int = 100) -> SweepReport:
        """Settle up to `limit` operations whose process stopped renewing their lease, and end
        every request whose fallback's next operation never came (read `limit` at a time)."""
        limit = checked_round(limit)
        now = self._ports.clock.now()
        taken = await self._ports.leases.take_expired(
            now, self._lease.holder, now + self._lease.ttl, limit
        )
        found: dict[str, list[str]] = {"abandoned": [], "unknown": [], "failed": []}
        for operation_id in taken:
            operation = await self._ports.operations.get(operation_id)
            if operation is None or operation.status.is_settled:
                continue
            try:
                verdict = await self._sweep(operation)
            except StaleOperation:
                continue  # its process woke up and moved it first: that move stands
            found[verdict].append(operation_id)
        if taken:
            log.warning(
                "swept %d abandoned and %d unknown operations",
                len(found["abandoned"]),
                len(found["unknown"]),
            )
        ended = await self._follow_ups.execute(limit)
        if ended:
            log.warning("ended %d requests whose follow-up never came", len(ended))
        return SweepReport(
            **{name: tuple(ids) for name, ids in found.items()},
            ended=ended,
            more=len(taken) >= limit,
        )

    async def _sweep(self, operation: ImageOperation) -> str:
        now = self._ports.clock.now()
        if operation.status is S.SUBMITTED:
            unknown = operation.advance(S.UNKNOWN, now, error="its process died after sending")
            await self._settle.close(
                Closing(
                    expected=operation.status,
                    operation=unknown.unwrap(),
                    money=Money.HOLD,
                    key=KeepKey(),
                )
            )
            return "unknown"
        reservation = None
        if operation.reservation_id is not None:
            reservation = await self._ports.quota.reservation(operation.reservation_id)
        if reservation is None:
            # Only rows written before accept became one transaction can be here.
            failed = operation.advance(S.FAILED, now, error="its process died before reserving")
            await self._settle.close(
                Closing(
                    expected=operation.status,
                    operation=failed.unwrap(),
                    money=Money.RELEASE,
                    key=ForgetKey(),
                )
            )
            return "failed"
        await self._abandon(operation, reservation)
        return "abandoned"

    async def _abandon(self, operation: ImageOperation, reservation: Reservation) -> None:
        now = self._ports.clock.now()
        moved = operation
        if moved.status is S.REQUESTED:  # an old row: died between reserving and recording it
            moved = moved.advance(S.RESERVED, now).unwrap()
        abandoned = moved.advance(S.ABANDONED, now, error=DIED_BEFORE_SENDING)
        if isinstance(abandoned, Failure):
            raise AssertionError(abandoned.failure().message)
        outcome = Failure(Cancelled(operation.id, abandoned=True))
        await self._settle.close(
            Closing(
                expected=operation.status,
                operation=abandoned.unwrap(),
                money=Money.RELEASE,
                line=line_for(
                    operation,
                    Outcome.ABANDONED,
                    period=reservation.period,
                    started=operation.created_at,
                    finished=now,
                    reason=DIED_BEFORE_SENDING,
                ),
                key=FinishKey(outcome),
            )
        )
