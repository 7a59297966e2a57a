"""Adjustments in memory: the in-process ledger and quota store, changed together."""

from __future__ import annotations

from returns.result import Failure, Result

from imagestudio.adapters.memory.ledger import InMemoryLedger
from imagestudio.adapters.memory.quota_store import InMemoryQuotaStore
from imagestudio.domain.errors import RefundTooLarge
from imagestudio.domain.quota import Counter
from imagestudio.domain.usage_record import UsageRecord


class InMemoryAdjustments:
    """The `Adjustments` port over the in-memory stores; nothing in between awaits I/O, so no
    other task sees the counter moved without its line."""

    def __init__(self, quota: InMemoryQuotaStore, ledger: InMemoryLedger) -> None:
        self._quota = quota
        self._ledger = ledger

    async def apply(self, line: UsageRecord) -> Result[Counter, RefundTooLarge]:
        if await self._ledger.for_operation(line.operation_id) is not None:
            raise ValueError(f"operation {line.operation_id} already has a ledger line")
        moved = await self._quota.adjust_spend(line.user_id, line.billing_period, line.user_charge)
        if isinstance(moved, Failure):
            return moved
        await self._ledger.append(line)
        return moved
