"""Operations on SQL: the columns the database queries, the rest as a JSON body.

`save` is one `INSERT … ON CONFLICT (id) DO UPDATE` on both databases, so two processes saving
the same operation never collide. It never writes the lease columns: those belong to whoever
works on the operation and to the sweeper, and replacing the operation's state keeps them.
A unit of work inserts a new operation with its lease (`insert_operation`), and moves it on
only from the status its writer read (`advance_operation`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, literal_column, or_, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.driver_statement import DriverStatement
from imagestudio.adapters.sql.engine import reading
from imagestudio.adapters.sql.operation_codec import (
    ROW_COLUMNS,
    operation_from_row,
    operation_row,
)
from imagestudio.adapters.sql.operation_listing import by_id, listing, tracked
from imagestudio.adapters.sql.stored_text import unstorable
from imagestudio.adapters.sql.upsert import Insert, per_dialect
from imagestudio.application.ports.operation_store import TrackedOperation
from imagestudio.application.ports.unit_of_work import StaleOperation
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.operation_query import OperationCursor, OperationQuery

UNSETTLED = [status.value for status in OperationStatus if not status.is_settled]


class SqlOperationStore:
    """The `OperationStore` port on the `operations` table."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._reader = reading(engine)

    async def save(self, operation: ImageOperation) -> None:
        async with self._engine.begin() as connection:
            await connection.run_sync(save_operation, operation)

    async def hold(self, operation_id: str, holder: str, until: datetime) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                update(t.operations)
                .where(t.operations.c.id == operation_id)
                .values(lease_owner=holder, lease_expires_at=until)
            )

    async def take_expired(
        self, now: datetime, holder: str, until: datetime, limit: int = 100
    ) -> tuple[str, ...]:
        c = t.operations.c
        async with self._engine.begin() as connection:
            rows = await connection.execute(
                select(c.id, c.lease_expires_at)
                .where(c.status.in_(UNSETTLED), c.lease_expires_at < now)
                .order_by(c.lease_expires_at)
                .limit(limit)
            )
            return await _take(connection, rows.all(), holder, until)

    async def take_unknown(
        self, now: datetime, holder: str, until: datetime, limit: int = 100
    ) -> tuple[str, ...]:
        c = t.operations.c
        async with self._engine.begin() as connection:
            rows = await connection.execute(
                select(c.id, c.lease_expires_at)
                .where(
                    # Written out, not bound: a generic plan (a statement PostgreSQL has
                    # prepared) can use the partial index only for a written-out status.
                    c.status == literal_column(f"'{OperationStatus.UNKNOWN.value}'"),
                    or_(c.lease_expires_at.is_(None), c.lease_expires_at < now),
                )
                .order_by(c.updated_at)
                .limit(limit)
            )
            return await _take(connection, rows.all(), holder, until)

    async def awaiting_follow_up(
        self, settled_before: datetime, limit: int
    ) -> tuple[ImageOperation, ...]:
        if limit <= 0:
            return ()
        c = t.operations.c
        query = (
            select(t.operations)
            .where(c.follow_up.is_not(None), c.updated_at < settled_before)
            .order_by(c.updated_at, c.id)
            .limit(limit)
        )
        async with self._reader.connect() as connection:
            rows = (await connection.execute(query)).all()
        return tuple(operation_from_row(row._mapping) for row in rows)

    async def follow_up_seen(self, operation_id: str) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                update(t.operations).where(t.operations.c.id == operation_id).values(follow_up=None)
            )

    async def get(self, operation_id: str) -> ImageOperation | None:
        async with self._reader.connect() as connection:
            row = (
                await connection.execute(
                    select(t.operations).where(t.operations.c.id == operation_id)
                )
            ).first()
            return None if row is None else operation_from_row(row._mapping)

    async def describe(self, operation_id: str) -> TrackedOperation | None:
        async with self._reader.connect() as connection:
            row = (await connection.execute(by_id(operation_id))).first()
        return None if row is None else tracked(row)

    async def find(
        self,
        user_id: str | None,
        query: OperationQuery,
        *,
        after: OperationCursor | None,
        limit: int,
    ) -> tuple[TrackedOperation, ...]:
        if limit <= 0 or query.statuses == frozenset() or unstorable(user_id):
            return ()
        async with self._reader.connect() as connection:
            rows = (await connection.execute(listing(user_id, query, after, limit))).all()
        return tuple(tracked(row) for row in rows)


def _upsert(insert: Insert) -> Any:
    row = insert(t.operations).values({name: bindparam(name) for name in ROW_COLUMNS})
    return row.on_conflict_do_update(
        index_elements=[t.operations.c.id],
        set_={name: row.excluded[name] for name in ROW_COLUMNS if name != "id"},
    )


_SAVE = per_dialect(_upsert)
_LEASED = (*ROW_COLUMNS, "lease_owner", "lease_expires_at")
_INSERT = DriverStatement(t.operations.insert().values({name: bindparam(name) for name in _LEASED}))
_CHANGING = ("status", "reservation_id", "charged", "error", "updated_at", "body", "follow_up")
"""What moves on with an operation; the request's own columns (who asked what of which model
and provider, when, under which key) stay as they were inserted."""
_ADVANCING = (
    update(t.operations)
    .where(t.operations.c.id == bindparam("operation_id"))
    .where(t.operations.c.status == bindparam("expected"))
    .values({name: bindparam(name) for name in _CHANGING})
)
_ADVANCE = DriverStatement(_ADVANCING)
_SETTLE = DriverStatement(_ADVANCING.values(lease_owner=None, lease_expires_at=None))
_UNCHANGED_SINCE = t.operations.c.updated_at == bindparam("last_updated")
_ADVANCE_UNCHANGED = DriverStatement(_ADVANCING.where(_UNCHANGED_SINCE))
_SETTLE_UNCHANGED = DriverStatement(
    _ADVANCING.where(_UNCHANGED_SINCE).values(lease_owner=None, lease_expires_at=None)
)
"""Settled (final, or `unknown`): nobody works on it any more, so its lease goes with the same
write, and a reconciler may take an `unknown` one at once."""


def save_operation(connection: Connection, operation: ImageOperation) -> None:
    """Insert or replace the operation's state, leaving its lease as it is."""
    connection.execute(_SAVE[connection.dialect.name], operation_row(operation))


def insert_operation(
    connection: Connection, operation: ImageOperation, holder: str, until: datetime
) -> None:
    """Insert a new operation leased to `holder`; an id that exists is a `ValueError`."""
    row = {**operation_row(operation), "lease_owner": holder, "lease_expires_at": until}
    try:
        _INSERT.run(connection, row)
    except IntegrityError as error:
        raise ValueError(f"operation {operation.id} exists already") from error


def advance_operation(
    connection: Connection,
    expected: OperationStatus,
    operation: ImageOperation,
    last_updated: datetime | None = None,
) -> None:
    """Store the operation's new state only if its stored status is still `expected` (and,
    given `last_updated`, its stored `updated_at` still that)."""
    row = operation_row(operation)
    changes = {name: row[name] for name in _CHANGING}
    parameters = {**changes, "operation_id": operation.id, "expected": expected.value}
    settled = operation.status.is_settled
    if last_updated is None:
        statement = _SETTLE if settled else _ADVANCE
    else:
        statement = _SETTLE_UNCHANGED if settled else _ADVANCE_UNCHANGED
        parameters["last_updated"] = last_updated
    moved = statement.run(connection, parameters)
    if moved.rowcount != 1:
        raise StaleOperation(operation.id, expected)


async def _take(
    connection: AsyncConnection, rows: Sequence[Row[Any, Any]], holder: str, until: datetime
) -> tuple[str, ...]:
    """Move each row's lease to `holder`, conditional on the lease we saw: a renewal, another
    sweeper or another reconciler in between wins, and that row is not taken."""
    c = t.operations.c
    taken = []
    for row in rows:
        seen = (
            c.lease_expires_at.is_(None)
            if row.lease_expires_at is None
            else c.lease_expires_at == row.lease_expires_at
        )
        moved = await connection.execute(
            update(t.operations)
            .where(c.id == row.id, seen)
            .values(lease_owner=holder, lease_expires_at=until)
        )
        if moved.rowcount == 1:
            taken.append(row.id)
    return tuple(taken)
