"""Webhook deliveries written by a unit of work, and the row a delivery is stored as.

A unit inserts a delivery with the status change it tells of, in the unit's own transaction, so
a delivery exists exactly when its change was committed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.transaction import Transaction
from imagestudio.domain.operation_event import OperationEventKind
from imagestudio.domain.webhook import DeliveryState, WebhookDelivery


def insert_delivery(connection: Connection, delivery: WebhookDelivery) -> None:
    """Insert the delivery; an id that exists is a `ValueError` (the unit fails)."""
    try:
        connection.execute(insert(t.webhook_deliveries), delivery_row(delivery))
    except IntegrityError as error:
        raise ValueError(f"webhook delivery {delivery.id} exists already") from error


class SqlUnitOutbox:
    """`UnitOutbox`: one INSERT, queued with the unit's other writes."""

    def __init__(self, transaction: Transaction) -> None:
        self._transaction = transaction

    async def add(self, delivery: WebhookDelivery) -> None:
        self._transaction.later(lambda connection: insert_delivery(connection, delivery))


def delivery_row(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "user_id": delivery.user_id,
        "operation_id": delivery.operation_id,
        "event": delivery.event.value,
        "url": delivery.url,
        "state": delivery.state.value,
        "attempts": delivery.attempts,
        "created_at": delivery.created_at,
        "next_attempt_at": delivery.next_attempt_at,
        "delivered_at": delivery.delivered_at,
    }


def stored_delivery(row: Any) -> WebhookDelivery:
    return WebhookDelivery(
        id=row["id"],
        user_id=row["user_id"],
        operation_id=row["operation_id"],
        event=OperationEventKind(row["event"]),
        url=row["url"],
        state=DeliveryState(row["state"]),
        attempts=row["attempts"],
        created_at=row["created_at"],
        next_attempt_at=row["next_attempt_at"],
        delivered_at=row["delivered_at"],
    )
