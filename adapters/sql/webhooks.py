"""Webhook deliveries on SQL, as the delivery workers and operators see them.

A unit of work inserts a delivery with the status change it tells of (`webhook_outbox.py`).
Workers claim due deliveries with one conditional UPDATE each (the
hold they saw must still be free), so two processes on one database never send one attempt
twice; an attempt is recorded only by the worker still holding the delivery.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.engine import reading
from imagestudio.adapters.sql.webhook_outbox import delivery_row, stored_delivery
from imagestudio.application.ports.webhooks import DeliveryCursor, DeliveryRecord
from imagestudio.domain.webhook import DeliveryAttempt, DeliveryState, WebhookDelivery

d = t.webhook_deliveries.c
a = t.webhook_attempts.c
PENDING = DeliveryState.PENDING.value


class SqlWebhookDeliveries:
    """The `WebhookDeliveries` port on `webhook_deliveries` and `webhook_attempts`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._reader = reading(engine)

    async def claim(
        self, now: datetime, holder: str, until: datetime, limit: int
    ) -> tuple[WebhookDelivery, ...]:
        free = or_(d.lease_expires_at.is_(None), d.lease_expires_at < now)
        async with self._engine.begin() as connection:
            rows = (
                await connection.execute(
                    select(t.webhook_deliveries)
                    .where(d.state == PENDING, d.next_attempt_at <= now, free)
                    .order_by(d.next_attempt_at)
                    .limit(limit)
                )
            ).all()
            taken = []
            for row in rows:
                seen = (
                    d.lease_expires_at.is_(None)
                    if row.lease_expires_at is None
                    else d.lease_expires_at == row.lease_expires_at
                )
                moved = await connection.execute(
                    update(t.webhook_deliveries)
                    .where(d.id == row.id, d.state == PENDING, seen)
                    .values(lease_owner=holder, lease_expires_at=until)
                )
                if moved.rowcount == 1:
                    taken.append(stored_delivery(row._mapping))
            return tuple(taken)

    async def record(
        self, attempt: DeliveryAttempt, delivery: WebhookDelivery, holder: str
    ) -> bool:
        row = delivery_row(delivery)
        del row["id"]
        async with self._engine.begin() as connection:
            moved = await connection.execute(
                update(t.webhook_deliveries)
                .where(d.id == delivery.id, d.lease_owner == holder)
                .values(**row, lease_owner=None, lease_expires_at=None)
            )
            if moved.rowcount != 1:
                return False
            await connection.execute(
                insert(t.webhook_attempts),
                {
                    "delivery_id": attempt.delivery_id,
                    "number": attempt.number,
                    "at": attempt.at,
                    "status_code": attempt.status_code,
                    "error": attempt.error,
                    "duration_ms": attempt.duration_ms,
                },
            )
            return True

    async def page(
        self, user_id: str, after: DeliveryCursor | None, limit: int
    ) -> tuple[DeliveryRecord, ...]:
        if limit <= 0:
            return ()
        query = select(t.webhook_deliveries).where(d.user_id == user_id)
        if after is not None:
            at, last = after
            query = query.where(or_(d.created_at < at, and_(d.created_at == at, d.id < last)))
        query = query.order_by(d.created_at.desc(), d.id.desc()).limit(limit)
        async with self._reader.connect() as connection:
            rows = (await connection.execute(query)).all()
            deliveries = [stored_delivery(row._mapping) for row in rows]
            return await _with_attempts(connection, deliveries)

    async def get(self, delivery_id: str) -> DeliveryRecord | None:
        async with self._reader.connect() as connection:
            row = (
                await connection.execute(select(t.webhook_deliveries).where(d.id == delivery_id))
            ).first()
            if row is None:
                return None
            return (await _with_attempts(connection, [stored_delivery(row._mapping)]))[0]

    async def retry(self, delivery_id: str, at: datetime) -> WebhookDelivery | None:
        async with self._engine.begin() as connection:
            await connection.execute(
                update(t.webhook_deliveries)
                .where(d.id == delivery_id)
                .values(state=PENDING, next_attempt_at=at, lease_owner=None, lease_expires_at=None)
            )
            row = (
                await connection.execute(select(t.webhook_deliveries).where(d.id == delivery_id))
            ).first()
            return None if row is None else stored_delivery(row._mapping)

    async def purge(self, before: datetime) -> int:
        old = select(d.id).where(d.created_at < before).scalar_subquery()
        async with self._engine.begin() as connection:
            # Attempts first: SQLite enforces the cascade only with foreign keys switched on.
            await connection.execute(delete(t.webhook_attempts).where(a.delivery_id.in_(old)))
            gone = await connection.execute(
                delete(t.webhook_deliveries).where(d.created_at < before)
            )
            return int(gone.rowcount)


async def _with_attempts(
    connection: Any, deliveries: list[WebhookDelivery]
) -> tuple[DeliveryRecord, ...]:
    if not deliveries:
        return ()
    rows = (
        await connection.execute(
            select(t.webhook_attempts)
            .where(a.delivery_id.in_([delivery.id for delivery in deliveries]))
            .order_by(a.delivery_id, a.number)
        )
    ).all()
    attempts: dict[str, list[DeliveryAttempt]] = {}
    for row in rows:
        attempts.setdefault(row.delivery_id, []).append(
            DeliveryAttempt(
                delivery_id=row.delivery_id,
                number=row.number,
                at=row.at,
                status_code=row.status_code,
                error=row.error,
                duration_ms=row.duration_ms,
            )
        )
    return tuple(
        DeliveryRecord(delivery=delivery, attempts=tuple(attempts.get(delivery.id, ())))
        for delivery in deliveries
    )
