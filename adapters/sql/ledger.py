"""The ledger on SQL: append-only, one line per operation, enforced by a unique constraint."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, func, or_, select
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.driver_statement import DriverStatement
from imagestudio.adapters.sql.engine import is_sqlite, reading
from imagestudio.adapters.sql.stored_text import unstorable
from imagestudio.application.ports.ledger import LedgerPlace
from imagestudio.domain.daily_spend import DayCharge
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.usage_record import Outcome, UsageRecord


class SqlLedger:
    """The `Ledger` port on the `ledger` table; lines come back in the order they were added."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._reader = reading(engine)

    async def append(self, record: UsageRecord) -> None:
        async with self._engine.begin() as connection:
            await connection.run_sync(insert_line, record)

    async def for_user(self, user_id: str, period: str | None = None) -> tuple[UsageRecord, ...]:
        c = t.ledger.c
        query = select(t.ledger).where(c.user_id == user_id)
        if period is not None:
            query = query.where(c.billing_period == period)
        async with self._reader.connect() as connection:
            rows = await connection.execute(query.order_by(c.id))
            return tuple(_record(row) for row in rows)

    async def between(
        self, since: datetime, until: datetime | None = None, user_id: str | None = None
    ) -> tuple[UsageRecord, ...]:
        if unstorable(user_id):
            return ()
        c = t.ledger.c
        query = select(t.ledger).where(c.finished_at >= since)
        if until is not None:
            query = query.where(c.finished_at < until)
        if user_id is not None:
            query = query.where(c.user_id == user_id)
        async with self._reader.connect() as connection:
            rows = await connection.execute(query.order_by(c.finished_at, c.id))
            return tuple(_record(row) for row in rows)

    async def page(
        self,
        user_id: str,
        *,
        period: str | None = None,
        after: LedgerPlace | None = None,
        limit: int,
    ) -> tuple[UsageRecord, ...]:
        if unstorable(user_id):
            return ()
        c = t.ledger.c
        query = select(t.ledger).where(c.user_id == user_id)
        if period is not None:
            query = query.where(c.billing_period == period)
        if after is not None:
            finished, operation_id = after
            query = query.where(
                or_(
                    c.finished_at < finished,
                    and_(c.finished_at == finished, c.operation_id < operation_id),
                )
            )
        query = query.order_by(c.finished_at.desc(), c.operation_id.desc()).limit(max(limit, 0))
        async with self._reader.connect() as connection:
            return tuple(_record(row) for row in await connection.execute(query))

    async def daily_charges(self, user_id: str, period: str) -> tuple[DayCharge, ...]:
        if unstorable(user_id):
            return ()
        c = t.ledger.c
        day = self._utc_day(c.started_at).label("day")
        query = (
            select(day, func.sum(c.user_charge).label("charge"), func.count().label("lines"))
            .where(c.user_id == user_id, c.billing_period == period)
            .group_by(day)
            .order_by(day)
        )
        async with self._reader.connect() as connection:
            rows = await connection.execute(query)
            return tuple(
                DayCharge(day=date.fromisoformat(row.day), charge=int(row.charge), lines=row.lines)
                for row in rows
            )

    def _utc_day(self, column: Any) -> ColumnElement[str]:
        """`YYYY-MM-DD` of a stored time in UTC: SQLite keeps UTC text, PostgreSQL a timestamptz."""
        if is_sqlite(self._engine):
            return func.substr(column, 1, 10)
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")

    async def for_operation(self, operation_id: str) -> UsageRecord | None:
        async with self._reader.connect() as connection:
            row = (
                await connection.execute(
                    select(t.ledger).where(t.ledger.c.operation_id == operation_id)
                )
            ).first()
            return None if row is None else _record(row)


_LINE_COLUMNS = [column.name for column in t.ledger.columns if column.name != "id"]
_INSERT_LINE = DriverStatement(
    t.ledger.insert().values({name: bindparam(name) for name in _LINE_COLUMNS})
)


def insert_line(connection: Connection, record: UsageRecord) -> None:
    """Append the line in the caller's transaction; a second line for one operation is refused
    (`ValueError`) by the unique constraint."""
    try:
        _INSERT_LINE.run(connection, ledger_row(record))
    except IntegrityError as error:
        raise ValueError(f"operation {record.operation_id} already has a ledger line") from error


def ledger_row(record: UsageRecord) -> dict[str, Any]:
    return {
        "operation_id": record.operation_id,
        "user_id": record.user_id,
        "model_id": record.model_id,
        "provider": record.provider,
        "kind": None if record.kind is None else record.kind.value,
        "outputs": record.outputs,
        "user_charge": record.user_charge,
        "provider_cost": record.provider_cost,
        "outcome": record.outcome.value,
        "output_bytes": record.output_bytes,
        "latency_ms": record.latency_ms,
        "billing_period": record.billing_period,
        "started_at": record.started_at,
        "finished_at": record.finished_at,
        "idempotency_key": record.idempotency_key,
        "reason": record.reason,
        "provider_task_ids": task_ids_column(record.provider_task_ids),
        "unconfirmed_cost": record.unconfirmed_cost,
    }


def task_ids_column(task_ids: tuple[str, ...]) -> str | None:
    """The provider's task ids in one column: a JSON array (an id may hold any character),
    NULL when there are none."""
    return json.dumps(list(task_ids)) if task_ids else None


def task_ids_of(column: str | None) -> tuple[str, ...]:
    return tuple(json.loads(column)) if column else ()


def _record(row: Row[Any]) -> UsageRecord:
    return UsageRecord(
        user_id=row.user_id,
        operation_id=row.operation_id,
        model_id=row.model_id,
        provider=row.provider,
        kind=None if row.kind is None else OperationKind(row.kind),
        outputs=row.outputs,
        user_charge=row.user_charge,
        provider_cost=row.provider_cost,
        outcome=Outcome(row.outcome),
        output_bytes=row.output_bytes,
        latency_ms=row.latency_ms,
        billing_period=row.billing_period,
        started_at=row.started_at,
        finished_at=row.finished_at,
        idempotency_key=row.idempotency_key,
        reason=row.reason,
        provider_task_ids=task_ids_of(row.provider_task_ids),
        unconfirmed_cost=row.unconfirmed_cost,
    )
