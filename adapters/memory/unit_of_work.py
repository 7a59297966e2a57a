"""The unit of work in memory: one unit at a time, its writes applied together at its commit."""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from types import TracebackType

from imagestudio.adapters.memory.asset_library import InMemoryAssetLibrary
from imagestudio.adapters.memory.drafts import DraftMakers
from imagestudio.adapters.memory.idempotency import InMemoryIdempotencyStore
from imagestudio.adapters.memory.ledger import InMemoryLedger
from imagestudio.adapters.memory.operation_store import InMemoryOperationStore
from imagestudio.adapters.memory.quota_store import InMemoryQuotaStore
from imagestudio.adapters.memory.unit import MemoryUnit
from imagestudio.adapters.memory.webhooks import InMemoryWebhookDeliveries
from imagestudio.application.operation_ports import StoredOutcome
from imagestudio.application.ports.unit_of_work import Unit


class InMemoryUnitOfWork:
    """The `UnitOfWork` port over the in-memory stores (unit.py says how a unit works).

    One `asyncio.Lock` (the quota store's `units_lock`) is held for each unit's whole life:
    units run one after another, so a unit's reads still hold when it commits, other units
    never see half of one, and one rolled back leaves no trace. The stores stay readable on
    their own meanwhile; changes to plans, budgets and spend wait for the unit in progress.
    """

    def __init__(
        self,
        quota: InMemoryQuotaStore,
        ledger: InMemoryLedger,
        operations: InMemoryOperationStore,
        idempotency: InMemoryIdempotencyStore[StoredOutcome],
        library: InMemoryAssetLibrary,
        outbox: InMemoryWebhookDeliveries | None = None,
    ) -> None:
        self._quota = quota
        self._ledger = ledger
        self._operations = operations
        self._idempotency = idempotency
        self._library = library
        self._outbox = outbox or InMemoryWebhookDeliveries()
        self._lock = quota.units_lock
        self._makers = DraftMakers(
            quota=quota.draft,
            ledger=ledger.draft,
            operations=operations.draft,
            keys=idempotency.draft,
            assets=library.draft,
            outbox=lambda: self._outbox.draft(),  # the outbox may be put in place later
        )

    def begin(self) -> AbstractAsyncContextManager[Unit]:
        return _Turn(self._lock, self._makers)


class _Turn:
    """One unit's turn under the lock (a class rather than a generator-based context manager:
    the money path begins three or four units per operation)."""

    __slots__ = ("_lock", "_makers", "_unit")

    def __init__(self, lock: asyncio.Lock, makers: DraftMakers) -> None:
        self._lock = lock
        self._makers = makers
        self._unit: MemoryUnit | None = None

    async def __aenter__(self) -> Unit:
        await self._lock.acquire()
        try:
            self._unit = MemoryUnit(self._makers)
        except BaseException:
            self._lock.release()
            raise
        return self._unit

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            if self._unit is not None:
                self._unit.end()
        finally:
            self._lock.release()
