"""Webhook deliveries and secret seeds in memory: the outbox a memory unit of work writes to
(through `draft()`), and what the delivery worker and the routes read."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from imagestudio.application.ports.webhooks import DeliveryCursor, DeliveryRecord
from imagestudio.domain.webhook import DeliveryAttempt, DeliveryState, WebhookDelivery


class InMemoryWebhookDeliveries:
    """The `WebhookDeliveries` port on dicts; no await between a check and its change."""

    def __init__(self) -> None:
        self._deliveries: dict[str, WebhookDelivery] = {}
        self._attempts: dict[str, list[DeliveryAttempt]] = {}
        self._holds: dict[str, tuple[str, datetime]] = {}

    def draft(self) -> OutboxDraft:
        """A unit of work's draft: deliveries kept aside until it merges them."""
        return OutboxDraft(self)

    def _add(self, delivery: WebhookDelivery) -> None:
        if delivery.id in self._deliveries:
            raise ValueError(f"webhook delivery {delivery.id} exists already")
        self._deliveries[delivery.id] = delivery
        self._attempts[delivery.id] = []

    async def claim(
        self, now: datetime, holder: str, until: datetime, limit: int
    ) -> tuple[WebhookDelivery, ...]:
        due = sorted(
            (
                delivery
                for delivery in self._deliveries.values()
                if delivery.state is DeliveryState.PENDING
                and delivery.next_attempt_at <= now
                and (delivery.id not in self._holds or self._holds[delivery.id][1] < now)
            ),
            key=lambda delivery: delivery.next_attempt_at,
        )[: max(limit, 0)]
        for delivery in due:
            self._holds[delivery.id] = (holder, until)
        return tuple(due)

    async def record(
        self, attempt: DeliveryAttempt, delivery: WebhookDelivery, holder: str
    ) -> bool:
        held = self._holds.get(delivery.id)
        if held is None or held[0] != holder or delivery.id not in self._deliveries:
            return False
        del self._holds[delivery.id]
        self._deliveries[delivery.id] = delivery
        self._attempts[delivery.id].append(attempt)
        return True

    async def page(
        self, user_id: str, after: DeliveryCursor | None, limit: int
    ) -> tuple[DeliveryRecord, ...]:
        mine = sorted(
            (d for d in self._deliveries.values() if d.user_id == user_id),
            key=lambda d: (d.created_at, d.id),
            reverse=True,
        )
        if after is not None:
            mine = [d for d in mine if (d.created_at, d.id) < after]
        return tuple(self._record(d) for d in mine[: max(limit, 0)])

    async def get(self, delivery_id: str) -> DeliveryRecord | None:
        found = self._deliveries.get(delivery_id)
        return None if found is None else self._record(found)

    async def retry(self, delivery_id: str, at: datetime) -> WebhookDelivery | None:
        found = self._deliveries.get(delivery_id)
        if found is None:
            return None
        again = replace(found, state=DeliveryState.PENDING, next_attempt_at=at)
        self._deliveries[delivery_id] = again
        self._holds.pop(delivery_id, None)
        return again

    async def purge(self, before: datetime) -> int:
        old = [key for key, d in self._deliveries.items() if d.created_at < before]
        for key in old:
            del self._deliveries[key]
            del self._attempts[key]
            self._holds.pop(key, None)
        return len(old)

    def erase_user(self, user_id: str) -> int:
        """Forget the user's deliveries and their attempts; how many."""
        theirs = [key for key, d in self._deliveries.items() if d.user_id == user_id]
        for key in theirs:
            del self._deliveries[key]
            del self._attempts[key]
            self._holds.pop(key, None)
        return len(theirs)

    def _record(self, delivery: WebhookDelivery) -> DeliveryRecord:
        return DeliveryRecord(delivery=delivery, attempts=tuple(self._attempts[delivery.id]))


class OutboxDraft:
    """The outbox as a unit of work would leave it."""

    def __init__(self, store: InMemoryWebhookDeliveries) -> None:
        self._store = store
        self._added: dict[str, WebhookDelivery] = {}

    def add(self, delivery: WebhookDelivery) -> None:
        if delivery.id in self._added or delivery.id in self._store._deliveries:
            raise ValueError(f"webhook delivery {delivery.id} exists already")
        self._added[delivery.id] = delivery

    def merge(self) -> None:
        for delivery in self._added.values():
            self._store._add(delivery)


class InMemorySecretSeeds:
    """The `SecretSeeds` port on a dict."""

    def __init__(self) -> None:
        self._seeds: dict[str, bytes] = {}

    async def seed(self, user_id: str, fresh: bytes, at: datetime) -> bytes:  # noqa: ARG002
        return self._seeds.setdefault(user_id, fresh)

    async def rotate(self, user_id: str, fresh: bytes, at: datetime) -> None:  # noqa: ARG002
        self._seeds[user_id] = fresh

    def erase_user(self, user_id: str) -> None:
        self._seeds.pop(user_id, None)
