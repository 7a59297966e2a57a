"""The queries that read operations back with their leases: one by id, or a listing newest
first by `(created_at, id)` (the index `ix_operations_user_created_at_id` serves a user's)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, literal, select, tuple_
from sqlalchemy.engine import Row

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.column_types import UtcDateTime
from imagestudio.adapters.sql.operation_codec import operation_from_row
from imagestudio.application.ports.operation_store import TrackedOperation
from imagestudio.domain.operation_query import OperationCursor, OperationQuery


def by_id(operation_id: str) -> Select[Any]:
    return select(t.operations).where(t.operations.c.id == operation_id)


def listing(
    user_id: str | None, query: OperationQuery, after: OperationCursor | None, limit: int
) -> Select[Any]:
    """`user_id`'s operations (None: everyone's) matching `query`, strictly after `after`."""
    c = t.operations.c
    chosen = select(t.operations).where(*_conditions(query))
    if user_id is not None:
        chosen = chosen.where(c.user_id == user_id)
    if after is not None:
        chosen = chosen.where(
            tuple_(c.created_at, c.id)
            < tuple_(literal(after.created_at, UtcDateTime()), literal(after.operation_id))
        )
    return chosen.order_by(c.created_at.desc(), c.id.desc()).limit(limit)


def tracked(row: Row[Any, Any]) -> TrackedOperation:
    """The operation of a row of `operations`, with its lease."""
    return TrackedOperation(
        operation=operation_from_row(row._mapping), lease_until=row.lease_expires_at
    )


def _conditions(query: OperationQuery) -> list[ColumnElement[bool]]:
    c = t.operations.c
    conditions: list[ColumnElement[bool]] = []
    if query.statuses is not None:
        conditions.append(c.status.in_(sorted(status.value for status in query.statuses)))
    if query.kind is not None:
        conditions.append(c.kind == query.kind.value)
    if query.created_from is not None:
        conditions.append(c.created_at >= query.created_from)
    if query.created_before is not None:
        conditions.append(c.created_at < query.created_before)
    return conditions
