"""Deliver the webhook outbox: claim what is due, sign it, send it, record the attempt.

At least once: a delivery stays pending until a receiver answers 2xx, and its row was written
with the status change it tells of, so a process killed after the change and before the send
leaves it for the next worker (here or in another process). Every attempt carries the same
`webhook-id` (the delivery's id); its body is made anew each time, with fresh asset links.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from imagestudio.application.asset_vault import AssetVault
from imagestudio.application.ports.clock import Clock
from imagestudio.application.ports.operation_store import OperationStore
from imagestudio.application.ports.webhooks import (
    AssetLinker,
    Sent,
    WebhookDeliveries,
    WebhookSender,
)
from imagestudio.application.use_cases.webhook_secrets import WebhookSecrets
from imagestudio.domain.money import format_usd
from imagestudio.domain.webhook import (
    KEPT_FOR,
    DeliveryAttempt,
    DeliveryState,
    WebhookDelivery,
    next_attempt_at,
)
from imagestudio.domain.webhook_signature import headers

HOLD = timedelta(seconds=60)
"""How long a claimed delivery is this worker's: far longer than one send may take."""


@dataclass(frozen=True, slots=True)
class DeliveryRound:
    claimed: int
    delivered: int


class DeliverWebhooks:
    """One round of the delivery worker (`execute`), and the 30-day clean-up (`purge`)."""

    def __init__(
        self,
        deliveries: WebhookDeliveries,
        operations: OperationStore,
        assets: AssetVault,
        secrets: WebhookSecrets,
        sender: WebhookSender,
        links: AssetLinker,
        clock: Clock,
        holder: str,
        *,
        batch: int = 20,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._deliveries = deliveries
        self._operations = operations
        self._assets = assets
        self._secrets = secrets
        self._sender = sender
        self._links = links
        self._clock = clock
        self._holder = holder
        self._batch = batch
        self._jitter = jitter

    @property
    def batch(self) -> int:
        return self._batch

    async def execute(self) -> DeliveryRound:
        """Send every delivery due now (a batch at a time, at once), recording each attempt
        and when to try again; what another worker holds is left to it."""
        now = self._clock.now()
        claimed = await self._deliveries.claim(now, self._holder, now + HOLD, self._batch)
        done = await asyncio.gather(*(self._attempt(delivery) for delivery in claimed))
        return DeliveryRound(claimed=len(claimed), delivered=sum(done))

    async def purge(self) -> int:
        """Delete deliveries (and their attempts) older than 30 days; how many."""
        return await self._deliveries.purge(self._clock.now() - KEPT_FOR)

    async def _attempt(self, delivery: WebhookDelivery) -> bool:
        body = await self.body(delivery)
        secret = await self._secrets.secret_for(delivery.user_id)
        at = self._clock.now()
        started = time.monotonic()
        signed = headers(secret, delivery.id, int(at.timestamp()), body)
        sent = await self._sender.post(delivery.url, signed, body)
        attempt = DeliveryAttempt(
            delivery_id=delivery.id,
            number=delivery.attempts + 1,
            at=at,
            status_code=sent.status_code,
            error=sent.error if sent.error is not None else _unless_ok(sent),
            duration_ms=round((time.monotonic() - started) * 1000),
        )
        await self._deliveries.record(attempt, self._after(delivery, attempt), self._holder)
        return attempt.succeeded

    def _after(self, delivery: WebhookDelivery, attempt: DeliveryAttempt) -> WebhookDelivery:
        tried = replace(delivery, attempts=attempt.number)
        if attempt.succeeded:
            return replace(tried, state=DeliveryState.DELIVERED, delivered_at=attempt.at)
        due = next_attempt_at(delivery, attempt.number, self._clock.now(), self._jitter())
        if due is None:
            return replace(tried, state=DeliveryState.FAILED)
        return replace(tried, next_attempt_at=due)

    async def body(self, delivery: WebhookDelivery) -> bytes:
        """The JSON body of an attempt: the event, and the operation as it stands now, with a
        fresh link to each of its assets."""
        data: dict[str, Any] = {"operation_id": delivery.operation_id}
        operation = await self._operations.get(delivery.operation_id)
        if operation is not None:
            assets = []
            for asset_id in operation.asset_ids:
                asset = await self._assets.describe(operation.user_id, asset_id)
                if asset is not None:
                    assets.append(
                        {
                            "id": asset.id,
                            "media_type": asset.media_type.value,
                            "size_bytes": asset.size_bytes,
                            "width": asset.width,
                            "height": asset.height,
                            "duration_seconds": asset.duration_seconds,
                            "url": self._links.link(asset.owner, asset.id),
                        }
                    )
            data |= {
                "status": operation.status.value,
                "kind": operation.kind.value,
                "model": operation.model_id,
                "provider": operation.provider,
                "provider_task_ids": list(operation.provider_task_ids),
                "charged_micros": operation.charged,
                "charged_usd": format_usd(operation.charged),
                "error": operation.error,
                "assets": assets,
            }
        envelope = {
            "type": delivery.event.type_name,
            "timestamp": delivery.created_at.isoformat(),
            "data": data,
        }
        return json.dumps(envelope, separators=(",", ":")).encode()


def _unless_ok(sent: Sent) -> str | None:
    code = sent.status_code
    return None if code is not None and 200 <= code < 300 else f"answered {code}"
