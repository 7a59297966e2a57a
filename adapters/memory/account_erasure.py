"""Account erasure over the in-memory stores: every check first, then every change, with no
await in between, so no other task sees the user half-erased."""

from __future__ import annotations

from typing import Any

from returns.result import Success

from imagestudio.adapters.memory.alert_log import InMemoryAlertLog
from imagestudio.adapters.memory.api_keys import InMemoryApiKeys
from imagestudio.adapters.memory.idempotency import InMemoryIdempotencyStore
from imagestudio.adapters.memory.ledger import InMemoryLedger
from imagestudio.adapters.memory.operation_store import InMemoryOperationStore
from imagestudio.adapters.memory.quota_store import InMemoryQuotaStore
from imagestudio.adapters.memory.webhooks import InMemorySecretSeeds, InMemoryWebhookDeliveries
from imagestudio.application.ports.account_erasure import ErasureReport


class InMemoryAccountErasure:
    """The `AccountErasure` port. Adjustments are ledger lines in memory: the ledger has them."""

    def __init__(
        self,
        quota: InMemoryQuotaStore,
        ledger: InMemoryLedger,
        operations: InMemoryOperationStore,
        idempotency: InMemoryIdempotencyStore[Any],
        api_keys: InMemoryApiKeys,
        alert_log: InMemoryAlertLog,
        webhooks: InMemoryWebhookDeliveries | None = None,
        seeds: InMemorySecretSeeds | None = None,
    ) -> None:
        self._quota = quota
        self._ledger = ledger
        self._operations = operations
        self._idempotency = idempotency
        self._api_keys = api_keys
        self._alert_log = alert_log
        self._webhooks = webhooks or InMemoryWebhookDeliveries()
        self._seeds = seeds or InMemorySecretSeeds()

    async def unsettled_operations(self, user_id: str) -> tuple[str, ...]:
        return self._operations.unsettled_of(user_id)

    async def erase(self, user_id: str, tombstone: str) -> ErasureReport:
        """Raises ValueError, changing nothing, if the tombstone names a user (the lines would
        join that user's account) or if the user has unsettled work (money still held)."""
        if tombstone == user_id:
            raise ValueError("the tombstone must differ from the user id")
        # After the unit of work in progress: one reserving for the user would otherwise
        # merge its hold after the checks found none.
        async with self._quota.units_lock:
            return await self._erase(user_id, tombstone)

    async def _erase(self, user_id: str, tombstone: str) -> ErasureReport:
        if isinstance(await self._quota.plan_of(tombstone), Success):
            raise ValueError(f"the tombstone {tombstone!r} is a user's id")
        busy = self._operations.unsettled_of(user_id)
        if busy:
            raise ValueError(f"user {user_id!r} has unsettled operations {busy}")
        existed = self._quota.erase_user(user_id)  # the last check: refuses held reservations
        self._webhooks.erase_user(user_id)
        self._seeds.erase_user(user_id)
        return ErasureReport(
            user_existed=existed,
            ledger_lines_kept=self._ledger.erase_user(user_id, tombstone),
            operations_deleted=self._operations.erase_user(user_id),
            keys_deleted=self._api_keys.erase_user(user_id),
            idempotency_keys_deleted=self._idempotency.erase_user(user_id),
            alerts_deleted=self._alert_log.erase_user(user_id),
        )
