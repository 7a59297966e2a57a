"""The operation store port: the current state of every operation, one by one or listed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from imagestudio.domain.operation import ImageOperation
from imagestudio.domain.operation_query import OperationCursor, OperationQuery


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackedOperation:
    """An operation with its lease: whether someone works on it, and until when."""

    operation: ImageOperation
    lease_until: datetime | None = None
    """When the lease of whoever holds it (its process, a sweeper or a reconciler) runs out
    unless renewed; None when nobody holds it."""


class OperationStore(Protocol):
    async def save(self, operation: ImageOperation) -> None:
        """Insert or replace the operation's current state."""
        ...

    async def get(self, operation_id: str) -> ImageOperation | None:
        """The operation, or None."""
        ...

    async def awaiting_follow_up(
        self, settled_before: datetime, limit: int
    ) -> tuple[ImageOperation, ...]:
        """At most `limit` final operations, settled before `settled_before`, oldest first,
        whose failure named the next provider's operation (`continued_by`) and that nobody has
        yet seen come (`follow_up_seen`) or ended the request without (`continued_by` cleared).
        """
        ...

    async def follow_up_seen(self, operation_id: str) -> None:
        """The operation's follow-up exists: no longer list it in `awaiting_follow_up`."""
        ...

    async def describe(self, operation_id: str) -> TrackedOperation | None:
        """The operation and its lease, or None."""
        ...

    async def find(
        self,
        user_id: str | None,
        query: OperationQuery,
        *,
        after: OperationCursor | None,
        limit: int,
    ) -> tuple[TrackedOperation, ...]:
        """At most `limit` operations of `user_id` (None: of every user) matching `query`,
        strictly after `after`, each with its lease.

        Newest first by `(created_at, id)` descending (`newest_first`), so a cursor taken from
        a page still works after operations were added; `query.matches` is the meaning of
        every filter.
        """
        ...
