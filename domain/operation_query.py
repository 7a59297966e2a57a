"""What a listing of operations asks for, and a place in it: the one meaning of each filter."""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.operation_kind import OperationKind

UNFINISHED = frozenset(status for status in OperationStatus if not status.is_final)
"""Every status an operation may still leave: what may still hold quota."""


def statuses_asked(
    named: Iterable[OperationStatus], *, unfinished: bool = False
) -> frozenset[OperationStatus] | None:
    """The statuses a listing asked for (None: any): those named (none named: any), and of
    those only the unfinished ones when `unfinished`."""
    chosen = frozenset(named) or None
    if not unfinished:
        return chosen
    return UNFINISHED if chosen is None else chosen & UNFINISHED


@dataclass(frozen=True, slots=True, kw_only=True)
class OperationQuery:
    """Filters on operations; every filter given must hold (None means any)."""

    statuses: frozenset[OperationStatus] | None = None
    """In one of these statuses (an empty set matches nothing)."""
    kind: OperationKind | None = None
    created_from: datetime | None = None
    """Created at or after this time."""
    created_before: datetime | None = None
    """Created strictly before this time."""

    def matches(self, operation: ImageOperation) -> bool:
        """The reference meaning of the query, which every operation store must agree with."""
        return (
            (self.statuses is None or operation.status in self.statuses)
            and (self.kind is None or operation.kind is self.kind)
            and (self.created_from is None or operation.created_at >= self.created_from)
            and (self.created_before is None or operation.created_at < self.created_before)
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class OperationCursor:
    """A place in a listing of operations newest first: the last operation a page showed."""

    created_at: datetime
    operation_id: str

    @classmethod
    def at(cls, operation: ImageOperation) -> OperationCursor:
        return cls(created_at=operation.created_at, operation_id=operation.id)

    def precedes(self, operation: ImageOperation) -> bool:
        """Whether `operation` comes strictly after this place, newest first."""
        return _position(operation) < (self.created_at, self.operation_id)


def newest_first(
    operations: Iterable[ImageOperation], *, after: OperationCursor | None, limit: int
) -> tuple[ImageOperation, ...]:
    """At most `limit` of `operations` strictly after `after`, by (created_at, id) descending:
    ties in time are broken by id, so a cursor never repeats nor skips one."""
    following = (op for op in operations if after is None or after.precedes(op))
    return tuple(heapq.nlargest(max(limit, 0), following, key=_position))


def _position(operation: ImageOperation) -> tuple[datetime, str]:
    return (operation.created_at, operation.id)
