"""One unit of work in memory: writes staged, reads decided on drafts of the stores.

A read (reserve, adjust the spend, claim a key) is decided against the stores as the unit would
leave them — fresh drafts of the stores now, with the unit's staged writes replayed onto them —
and changes nothing: its own change is staged like every write. The commit replays the staged
writes onto fresh drafts (a write that no longer applies, a stale `advance` among them, raises
and nothing is kept) and merges the drafts into the stores, with no await in between.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from returns.result import Failure, Result, Success

from imagestudio.adapters.memory.drafts import DraftMakers, Drafts
from imagestudio.application.operation_ports import StoredOutcome
from imagestudio.application.ports.idempotency import Claimed
from imagestudio.application.ports.unit_of_work import Claim, Lease, Moved
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
from imagestudio.domain.webhook import WebhookDelivery

Stage = Callable[[Drafts], object]


class MemoryUnit:
    """The `Unit` port in memory (see the module's docstring)."""

    def __init__(self, makers: DraftMakers) -> None:
        self._makers = makers
        self._staged: list[Stage] = []
        self._committed: list[Callable[[], object]] = []
        self._over = False
        self.quota = _Quota(self)
        self.ledger = _Ledger(self)
        self.operations = _Operations(self)
        self.idempotency = _Keys(self)
        self.assets = _Assets(self)
        self.outbox = _Outbox(self)

    def now(self) -> Drafts:
        """The stores as this unit would leave them, were it committed now."""
        if self._over:
            raise RuntimeError("the unit of work is over")
        drafts = Drafts(self._makers)
        for stage in self._staged:
            stage(drafts)
        return drafts

    def later(self, stage: Stage) -> None:
        if self._over:
            raise RuntimeError("the unit of work is over")
        self._staged.append(stage)

    def when_committed(self, hook: Callable[[], object]) -> None:
        """Run `hook` once the unit has committed (never, if it does not)."""
        if self._over:
            raise RuntimeError("the unit of work is over")
        self._committed.append(hook)

    async def commit(self) -> None:
        self.now().merge()
        self._over = True
        for hook in self._committed:
            hook()

    def end(self) -> None:
        """Leave the unit: whatever was not committed is dropped."""
        self._over = True


class _Quota:
    def __init__(self, unit: MemoryUnit) -> None:
        self._unit = unit

    async def reserve(
        self, reservation_id: str, request: ReservationRequest
    ) -> Result[Reservation, QuotaRefusal | UnknownUser | StorageQuotaExceeded]:
        drafts = self._unit.now()
        granted = drafts.quota.decide(
            reservation_id, request, lambda owner: drafts.assets.bytes_used(owner)
        )
        if isinstance(granted, Success) and not drafts.quota.is_reserved(reservation_id):
            reservation = granted.unwrap()
            self._unit.later(lambda drafts: drafts.quota.hold(reservation))
        return granted

    async def commit(self, reservation_id: str, settlement: Settlement) -> Moved:
        moved, left = Moved(), dict[DimensionKey, Counter]()

        def stage(drafts: Drafts) -> None:
            # Replayed for every read and once more at the commit: the last replay counts.
            left.clear()
            left.update(drafts.quota.settle(reservation_id, settlement))

        self._unit.later(stage)
        self._unit.when_committed(lambda: moved.counters.update(left))
        return moved

    async def release(self, reservation_id: str) -> None:
        self._unit.later(lambda drafts: drafts.quota.settle(reservation_id, None))

    async def adjust_spend(
        self, user_id: str, period: str, amount: int
    ) -> Result[Counter, RefundTooLarge]:
        moved = self._unit.now().quota.adjust(user_id, period, amount)  # on a draft thrown away
        if isinstance(moved, Success):
            self._unit.later(lambda drafts: _still(drafts.quota.adjust(user_id, period, amount)))
        return moved


def _still(moved: Result[Counter, RefundTooLarge]) -> None:
    if isinstance(moved, Failure):
        raise ValueError(moved.failure().message)


class _Ledger:
    def __init__(self, unit: MemoryUnit) -> None:
        self._unit = unit

    async def append(self, record: UsageRecord) -> None:
        self._unit.later(lambda drafts: drafts.ledger.append(record))


class _Operations:
    def __init__(self, unit: MemoryUnit) -> None:
        self._unit = unit

    async def add(self, operation: ImageOperation, lease: Lease) -> None:
        self._unit.later(lambda drafts: drafts.operations.add(operation, lease.holder, lease.until))

    async def advance(
        self,
        expected: OperationStatus,
        operation: ImageOperation,
        *,
        last_updated: datetime | None = None,
    ) -> None:
        self._unit.later(
            lambda drafts: drafts.operations.advance(expected, operation, last_updated)
        )


class _Keys:
    def __init__(self, unit: MemoryUnit) -> None:
        self._unit = unit

    async def claim(
        self, user_id: str, key: str, request_hash: str, at: datetime, operation_id: str
    ) -> Claim:
        drafts = self._unit.now()

        def abandoned(running: str | None) -> bool:
            """Nobody will ever finish a key whose operation is gone or final."""
            operation = None if running is None else drafts.operations.operations.get(running)
            return operation is None or operation.status.is_final

        answer = drafts.keys.claim(user_id, key, request_hash, at, abandoned)
        if isinstance(answer, Claimed):
            self._unit.later(
                lambda drafts: drafts.keys.run(user_id, key, request_hash, at, operation_id)
            )
        return answer

    async def finish(
        self, user_id: str, key: str, outcome: StoredOutcome, *, operation_id: str | None = None
    ) -> None:
        self._unit.later(lambda drafts: drafts.keys.finish(user_id, key, outcome, operation_id))

    async def forget(self, user_id: str, key: str, *, operation_id: str | None = None) -> None:
        self._unit.later(lambda drafts: drafts.keys.forget(user_id, key, operation_id))

    async def hand_over(self, user_id: str, key: str, operation_id: str) -> None:
        self._unit.later(lambda drafts: drafts.keys.hand_over(user_id, key, operation_id))


class _Assets:
    def __init__(self, unit: MemoryUnit) -> None:
        self._unit = unit

    async def add(self, asset: Asset) -> None:
        self._unit.later(lambda drafts: drafts.assets.add(asset))


class _Outbox:
    def __init__(self, unit: MemoryUnit) -> None:
        self._unit = unit

    async def add(self, delivery: WebhookDelivery) -> None:
        self._unit.later(lambda drafts: drafts.outbox.add(delivery))
