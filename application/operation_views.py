"""An operation as its owner sees it: its state, what it holds of their plan, what it waits for."""

from __future__ import annotations

from dataclasses import dataclass

from imagestudio.application.operation_waits import ReconcileTiming, Wait, waiting_for
from imagestudio.application.ports.clock import Clock
from imagestudio.application.ports.operation_store import TrackedOperation
from imagestudio.application.ports.quota_store import QuotaStore
from imagestudio.domain.money import Micros
from imagestudio.domain.operation import ImageOperation
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.quota import CONCURRENCY, SPEND, Scope, calls_dimension
from imagestudio.domain.reservation import Reservation


@dataclass(frozen=True, slots=True, kw_only=True)
class Held:
    """What an unsettled reservation holds of its user's plan (counted in `usage` as held)."""

    reservation_id: str
    category: QuotaCategory
    outputs: int
    """Of the plan's calls for `category`."""
    spend: Micros
    """Of the plan's spend cap: the most the operation can cost."""
    concurrency: int
    """Of the plan's concurrent operations."""

    @classmethod
    def of(cls, reservation: Reservation) -> Held:
        category = reservation.request.category
        amounts = {
            demand.key.name: demand.amount
            for demand in reservation.demands
            if demand.key.scope is Scope.USER
        }
        return cls(
            reservation_id=reservation.id,
            category=category,
            outputs=amounts.get(calls_dimension(category), 0),
            spend=amounts.get(SPEND, 0),
            concurrency=amounts.get(CONCURRENCY, 0),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class OperationView:
    operation: ImageOperation
    held: Held | None
    """None once nothing is held (settled, or never reserved)."""
    wait: Wait | None
    """None once the operation is final."""


class OperationViews:
    """Builds views: each unfinished operation's reservation is read; a final one needs none."""

    def __init__(self, quota: QuotaStore, clock: Clock, timing: ReconcileTiming) -> None:
        self._quota = quota
        self._clock = clock
        self._timing = timing

    async def of(self, tracked: TrackedOperation) -> OperationView:
        """The view of `tracked` now."""
        operation = tracked.operation
        held = None
        if not operation.status.is_final and operation.reservation_id is not None:
            reservation = await self._quota.reservation(operation.reservation_id)
            if reservation is not None and reservation.is_open:
                held = Held.of(reservation)
        wait = waiting_for(tracked, self._clock.now(), self._timing)
        return OperationView(operation=operation, held=held, wait=wait)
