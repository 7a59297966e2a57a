"""Operations in memory, by id, with their leases."""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import datetime

from imagestudio.adapters.memory.overlay import Overlay
from imagestudio.application.ports.operation_store import TrackedOperation
from imagestudio.application.ports.unit_of_work import StaleOperation
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.operation_query import OperationCursor, OperationQuery, newest_first


class InMemoryOperationStore:
    """The `OperationStore` and `OperationLeases` ports on dicts; no await between check and act."""

    def __init__(self) -> None:
        self._operations: dict[str, ImageOperation] = {}
        self._leases: dict[str, tuple[str, datetime]] = {}
        self._follow_ups_seen: set[str] = set()

    async def hold(self, operation_id: str, holder: str, until: datetime) -> None:
        self._leases[operation_id] = (holder, until)

    async def take_expired(
        self, now: datetime, holder: str, until: datetime, limit: int = 100
    ) -> tuple[str, ...]:
        taken = []
        for operation_id, (_, expires) in sorted(self._leases.items(), key=lambda item: item[1][1]):
            operation = self._operations.get(operation_id)
            if operation is None or operation.status.is_settled or expires >= now:
                continue
            self._leases[operation_id] = (holder, until)
            taken.append(operation_id)
            if len(taken) == limit:
                break
        return tuple(taken)

    async def take_unknown(
        self, now: datetime, holder: str, until: datetime, limit: int = 100
    ) -> tuple[str, ...]:
        taken = []
        for operation in sorted(self._operations.values(), key=lambda op: op.updated_at):
            if operation.status is not OperationStatus.UNKNOWN:
                continue
            lease = self._leases.get(operation.id)
            if lease is not None and lease[1] >= now:
                continue
            self._leases[operation.id] = (holder, until)
            taken.append(operation.id)
            if len(taken) == limit:
                break
        return tuple(taken)

    async def save(self, operation: ImageOperation) -> None:
        self._operations[operation.id] = operation

    async def get(self, operation_id: str) -> ImageOperation | None:
        return self._operations.get(operation_id)

    async def awaiting_follow_up(
        self, settled_before: datetime, limit: int
    ) -> tuple[ImageOperation, ...]:
        awaiting = sorted(
            (
                operation
                for operation in self._operations.values()
                if operation.status.is_final
                and operation.continued_by is not None
                and operation.id not in self._follow_ups_seen
                and operation.updated_at < settled_before
            ),
            key=lambda operation: (operation.updated_at, operation.id),
        )
        return tuple(awaiting[: max(limit, 0)])

    async def follow_up_seen(self, operation_id: str) -> None:
        self._follow_ups_seen.add(operation_id)

    async def describe(self, operation_id: str) -> TrackedOperation | None:
        operation = self._operations.get(operation_id)
        return None if operation is None else self._tracked(operation)

    async def find(
        self,
        user_id: str | None,
        query: OperationQuery,
        *,
        after: OperationCursor | None,
        limit: int,
    ) -> tuple[TrackedOperation, ...]:
        matching = (
            operation
            for operation in self._operations.values()
            if (user_id is None or operation.user_id == user_id) and query.matches(operation)
        )
        return tuple(self._tracked(op) for op in newest_first(matching, after=after, limit=limit))

    def _tracked(self, operation: ImageOperation) -> TrackedOperation:
        lease = self._leases.get(operation.id)
        until = None if lease is None else lease[1]
        return TrackedOperation(operation=operation, lease_until=until)

    def draft(self) -> OperationsDraft:
        """A unit of work's draft of the operations: changes kept aside until it merges them."""
        return OperationsDraft(Overlay(self._operations), Overlay(self._leases))

    def unsettled_of(self, user_id: str) -> tuple[str, ...]:
        """The ids of the user's operations not in a final state, sorted."""
        return tuple(
            sorted(
                operation.id
                for operation in self._operations.values()
                if operation.user_id == user_id and not operation.status.is_final
            )
        )

    def erase_user(self, user_id: str) -> int:
        """Delete the user's operations and their leases; how many."""
        gone = [op.id for op in self._operations.values() if op.user_id == user_id]
        for operation_id in gone:
            del self._operations[operation_id]
            self._leases.pop(operation_id, None)
            self._follow_ups_seen.discard(operation_id)
        return len(gone)


class OperationsDraft:
    """The operations and leases as a unit of work would leave them."""

    def __init__(
        self,
        operations: Overlay[str, ImageOperation],
        leases: Overlay[str, tuple[str, datetime]],
    ) -> None:
        self._operations = operations
        self._leases = leases

    @property
    def operations(self) -> MutableMapping[str, ImageOperation]:
        return self._operations

    def add(self, operation: ImageOperation, holder: str, until: datetime) -> None:
        if operation.id in self._operations:
            raise ValueError(f"operation {operation.id} exists already")
        self._operations[operation.id] = operation
        self._leases[operation.id] = (holder, until)

    def advance(
        self,
        expected: OperationStatus,
        operation: ImageOperation,
        last_updated: datetime | None = None,
    ) -> None:
        stored = self._operations.get(operation.id)
        if stored is None or stored.status is not expected:
            raise StaleOperation(operation.id, expected)
        if last_updated is not None and stored.updated_at != last_updated:
            raise StaleOperation(operation.id, expected)
        self._operations[operation.id] = operation
        if operation.status.is_settled and operation.id in self._leases:
            # Nobody works on it any more: a reconciler may take an `unknown` one at once.
            del self._leases[operation.id]

    def merge(self) -> None:
        self._operations.merge()
        self._leases.merge()
