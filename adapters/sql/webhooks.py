"""Webhook deliveries and secret seeds on SQL.

A unit of work inserts a delivery with the status change it tells of (`insert_delivery`, in
the unit's transaction). Workers claim due deliveries with one conditional UPDATE each (the
hold they saw must still be free), so two processes on one database never send one attempt
twice; an attempt is recorded only by the worker still holding the delivery.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.engine import reading
from imagestudio.adapters.sql.stored_text import unstorable
from imagestudio.adapters.sql.transaction import Transaction
from imagestudio.adapters.sql.upsert import insert_missing
from imagestudio.application.ports.webhooks import DeliveryCursor, DeliveryRecord
from imagestudio.domain.operation_event import OperationEventKind
from imagestudio.domain.webhook import DeliveryAttempt, DeliveryState, WebhookDelivery

d = t.webhook_deliveries.c
a = t.webhook_attempts.c
PENDING = DeliveryState.PENDING.value


def insert_delivery(connection: Connection, delivery: WebhookDelivery) -> None:
    """Insert the delivery; an id that exists is a `ValueError` (the unit fails)."""
    try:
        connection.execute(insert(t.webhook_deliveries), _row(delivery))
    except IntegrityError as error:
        raise ValueError(f"webhook delivery {delivery.id} exists already") from error


class SqlUnitOutbox:
    """`UnitOutbox`: one INSERT, queued with the unit's other writes."""

    def __init__(self, transaction: Transaction) -> None:
        self._transaction = transaction

    async def add(self, delivery: WebhookDelivery) -> None:
        self._transaction.later(lambda connection: insert_delivery(connection, delivery))


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
                    taken.append(_delivery(row._mapping))
            return tuple(taken)

    async def record(
        self, attempt: DeliveryAttempt, delivery: WebhookDelivery, holder: str
    ) -> bool:
        row = _row(delivery)
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
            deliveries = [_delivery(row._mapping) for row in rows]
            return await _with_attempts(connection, deliveries)

    async def get(self, delivery_id: str) -> DeliveryRecord | None:
        async with self._reader.connect() as connection:
            row = (
                await connection.execute(select(t.webhook_deliveries).where(d.id == delivery_id))
            ).first()
            if row is None:
                return None
            return (await _with_attempts(connection, [_delivery(row._mapping)]))[0]

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
            return None if row is None else _delivery(row._mapping)

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


class SqlSecretSeeds:
    """The `SecretSeeds` port on `webhook_secrets`: the first of two first uses wins."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def seed(self, user_id: str, fresh: bytes, at: datetime) -> bytes:
        if unstorable(user_id):  # no user has that id, so no delivery is ever signed for it
            return fresh
        row = {"user_id": user_id, "seed": _text(fresh), "updated_at": at}
        async with self._engine.begin() as connection:
            await connection.run_sync(insert_missing, t.webhook_secrets, [row])
            found = await connection.scalar(
                select(t.webhook_secrets.c.seed).where(t.webhook_secrets.c.user_id == user_id)
            )
        return base64.b64decode(str(found))

    async def rotate(self, user_id: str, fresh: bytes, at: datetime) -> None:
        if unstorable(user_id):
            return
        row = {"user_id": user_id, "seed": _text(fresh), "updated_at": at}
        async with self._engine.begin() as connection:
            changed = await connection.execute(
                update(t.webhook_secrets)
                .where(t.webhook_secrets.c.user_id == user_id)
                .values(seed=row["seed"], updated_at=at)
            )
            if changed.rowcount == 0:
                await connection.run_sync(insert_missing, t.webhook_secrets, [row])


def _text(seed: bytes) -> str:
    return base64.b64encode(seed).decode()


def _row(delivery: WebhookDelivery) -> dict[str, Any]:
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


def _delivery(row: Any) -> WebhookDelivery:
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
