"""The events a listener hears about one operation: its status changes, named once.

Server-sent events (`GET /v1/operations/{id}/events`), completion webhooks and the CLI's progress
display all speak this vocabulary, so an event is read off the operation's own stored status and
costs the money path no extra write. Progress between `sent` and `settled` is the one event no
status change carries: only the process running the operation can tell it.
"""

from __future__ import annotations

from enum import StrEnum

from imagestudio.domain.operation import OperationStatus


class OperationEventKind(StrEnum):
    ACCEPTED = "accepted"
    """Reserved: the plan admitted it and its price is held."""
    SENT = "sent"
    """Submitted to the provider (again, each time the provider names another task id)."""
    PROGRESS = "progress"
    """The provider reported progress (only within the process running the operation)."""
    UNKNOWN = "unknown"
    """Sent, and its outcome could not be learned: reconciliation settles it later."""
    SETTLED = "settled"
    """Final: succeeded, failed, cancelled or abandoned, with its charge. Nothing follows."""

    @property
    def type_name(self) -> str:
        """The name on the wire: `operation.settled` (a webhook's `type`, an SSE `event:`)."""
        return f"operation.{self.value}"

    @property
    def is_final(self) -> bool:
        return self is OperationEventKind.SETTLED


FINAL_EVENT = OperationEventKind.SETTLED
"""What a completion webhook delivers unless told otherwise."""

_OF_STATUS: dict[OperationStatus, OperationEventKind | None] = {
    OperationStatus.REQUESTED: None,
    OperationStatus.RESERVED: OperationEventKind.ACCEPTED,
    OperationStatus.SUBMITTED: OperationEventKind.SENT,
    OperationStatus.UNKNOWN: OperationEventKind.UNKNOWN,
    OperationStatus.SUCCEEDED: OperationEventKind.SETTLED,
    OperationStatus.FAILED: OperationEventKind.SETTLED,
    OperationStatus.CANCELLED: OperationEventKind.SETTLED,
    OperationStatus.ABANDONED: OperationEventKind.SETTLED,
}


def event_of(status: OperationStatus) -> OperationEventKind | None:
    """The event that reaching `status` is; None for `requested` (nothing is decided yet)."""
    return _OF_STATUS[status]
