"""Completion webhooks: what an operation asked to hear about, and each delivery owed to it.

A delivery is written (to the outbox) in the transaction that makes the status change it
tells of, so it exists exactly when the change does; a worker sends it later, again and again
until the receiver answers 2xx or the retry window closes, always with the same id.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from imagestudio.domain.operation_event import FINAL_EVENT, OperationEventKind

RETRY_WINDOW = timedelta(hours=24)
"""How long a delivery is tried for, counted from the status change it tells of."""
KEPT_FOR = timedelta(days=30)
"""How long deliveries and their attempts are kept, counted from their creation."""
FIRST_DELAY = timedelta(seconds=5)
LONGEST_DELAY = timedelta(hours=1)
WEBHOOK_EVENTS = tuple(
    kind for kind in OperationEventKind if kind is not OperationEventKind.PROGRESS
)
"""The events a webhook may ask for: every status change (progress is no status change, and is
only known within the process running the operation)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookSubscription:
    """Where to send an operation's events, and which ones."""

    url: str
    events: frozenset[OperationEventKind] = frozenset({FINAL_EVENT})

    def wants(self, kind: OperationEventKind | None) -> bool:
        return kind is not None and kind in self.events


class DeliveryState(StrEnum):
    PENDING = "pending"
    """Not yet answered with 2xx; tried again at `next_attempt_at`."""
    DELIVERED = "delivered"
    FAILED = "failed"
    """The retry window closed (or the destination was refused) without a 2xx."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookDelivery:
    """One event owed to one destination: its `id` is the `webhook-id` of every attempt."""

    id: str
    user_id: str
    operation_id: str
    event: OperationEventKind
    url: str
    created_at: datetime
    next_attempt_at: datetime
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0
    delivered_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryAttempt:
    """One try: the receiver's status code, or why there was none."""

    delivery_id: str
    number: int
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def delivery_id(operation_id: str, event: OperationEventKind, occurrence: int) -> str:
    """The delivery's id, the same whoever computes it: an event of one operation is written
    once (`occurrence` tells apart the `sent` events of each task id the provider names)."""
    digest = hashlib.sha256(f"{operation_id}\n{event.value}\n{occurrence}".encode()).hexdigest()
    return f"msg_{digest[:32]}"


def next_attempt_at(
    delivery: WebhookDelivery, attempts_made: int, now: datetime, jitter: float
) -> datetime | None:
    """When to try again after `attempts_made` failed attempts: 5 s, doubling up to an hour,
    each delay scaled by `jitter` in [0.5, 1) so receivers that came back are not all hit at
    once; None once the next try would fall past the retry window."""
    doubled = FIRST_DELAY * (2 ** min(max(attempts_made - 1, 0), 20))
    delay = min(doubled, LONGEST_DELAY) * (0.5 + min(max(jitter, 0.0), 1.0) / 2)
    due = now + delay
    return None if due > delivery.created_at + RETRY_WINDOW else due
