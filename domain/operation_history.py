"""The events an operation's stored state implies, each with an id that never changes.

A listener reads the operation now and then (a stream polls it, a webhook reads it when it
settles); between two reads it may have moved several steps. Everything a state implies is
told, in order: a settled operation that names task ids was accepted and sent first. Each
event's id says where it stands in a request's stream (which operation of the chain `auto`
moved it along, which step, how many task ids were known), so ids sort in the order events
happen and a listener resuming after id X hears exactly the events after X, whichever process
answers it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum

from imagestudio.domain.money import format_usd
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.operation_event import OperationEventKind

S = OperationStatus
Kind = OperationEventKind


class Step(IntEnum):
    ACCEPTED = 0
    SENT = 1
    UNKNOWN = 2
    SETTLED = 3


_KIND_OF_STEP = {
    Step.ACCEPTED: Kind.ACCEPTED,
    Step.SENT: Kind.SENT,
    Step.UNKNOWN: Kind.UNKNOWN,
    Step.SETTLED: Kind.SETTLED,
}
_MOST_TASK_IDS = 1_000_000
_MOST_HOPS = 1_000


@dataclass(frozen=True, slots=True, order=True)
class EventId:
    """`hop.step.tasks`: the operation's place in the request's chain (0: the one asked for),
    the step, and how many task ids were known (for `sent`; 0 otherwise). Sorts as events
    happen."""

    hop: int
    step: Step
    tasks: int = 0

    def __str__(self) -> str:
        return f"{self.hop}.{int(self.step)}.{self.tasks}"

    @classmethod
    def parse(cls, text: str) -> EventId | None:
        """The id `str()` gave, or None for anything else."""
        parts = text.strip().split(".")
        if len(parts) != 3 or not all(_digits(part) for part in parts):
            return None
        hop, step, tasks = (int(part) for part in parts)
        if hop > _MOST_HOPS or step not in Step._value2member_map_ or tasks > _MOST_TASK_IDS:
            return None
        return cls(hop, Step(step), tasks)


@dataclass(frozen=True, slots=True, kw_only=True)
class OperationEvent:
    kind: OperationEventKind
    operation: ImageOperation
    """The operation as read when the event was told."""
    id: EventId | None
    """None for `progress`: it is not stored, so a resuming listener cannot be owed it."""
    task_ids: tuple[str, ...] = ()
    """The provider's task ids known at this event."""
    detail: str | None = None
    """What the provider said about its progress (`progress` only)."""

    @property
    def ends_stream(self) -> bool:
        """Final, and the request goes on in no other operation."""
        return self.kind.is_final and self.operation.continued_by is None

    @property
    def summary(self) -> str:
        """The event in a few words, for people (the CLI's progress line)."""
        operation = self.operation
        tasks = f" as task {', '.join(self.task_ids)}" if self.task_ids else ""
        if self.kind is Kind.ACCEPTED:
            return f"accepted {operation.id}: its price is held"
        if self.kind is Kind.SENT:
            return f"sent to {operation.provider}{tasks}"
        if self.kind is Kind.PROGRESS:
            return f"{operation.provider}: {self.detail}"
        if self.kind is Kind.UNKNOWN:
            return f"unknown: sent to {operation.provider}{tasks}, its outcome not learnt yet"
        charged = format_usd(operation.charged)
        return f"settled: {operation.status.value}, charged {charged}"

    def data(self) -> Mapping[str, object]:
        """The event's fields as JSON values: the same on a stream, in a webhook and a log."""
        operation = self.operation
        fields: dict[str, object] = {
            "type": self.kind.type_name,
            "operation_id": operation.id,
            "status": operation.status.value,
            "kind": operation.kind.value,
            "model": operation.model_id,
            "provider": operation.provider,
            "task_ids": list(self.task_ids),
        }
        if self.detail is not None:
            fields["detail"] = self.detail
        if self.kind is Kind.UNKNOWN:
            fields["error"] = operation.error
        if self.kind is Kind.SETTLED:
            fields |= {
                "outcome": operation.status.value,
                "charged_micros": operation.charged,
                "charged_usd": format_usd(operation.charged),
                "asset_ids": list(operation.asset_ids),
                "error": operation.error,
                "continued_by": operation.continued_by,
            }
        return fields


def history(operation: ImageOperation, hop: int = 0) -> tuple[OperationEvent, ...]:
    """Every event the operation's state implies so far, in order (none while `requested`).

    An `unknown` passed through unseen cannot be told after the operation settled: only a
    listener who read it then heard it (its id still sorts between `sent` and `settled`).
    """
    status = operation.status
    if status is S.REQUESTED:
        return ()
    tasks = operation.provider_task_ids
    events: list[OperationEvent] = []

    def tell(step: Step, known: int = 0) -> None:
        events.append(
            OperationEvent(
                kind=_KIND_OF_STEP[step],
                operation=operation,
                id=EventId(hop, step, known),
                task_ids=tasks[:known] if step is Step.SENT else tasks,
            )
        )

    if operation.reservation_id is not None:
        tell(Step.ACCEPTED)
    if tasks:
        for known in range(1, len(tasks) + 1):
            tell(Step.SENT, known)
    elif status in (S.SUBMITTED, S.UNKNOWN):
        tell(Step.SENT)
    if status is S.UNKNOWN:
        tell(Step.UNKNOWN)
    if status.is_final:
        tell(Step.SETTLED)
    return tuple(events)


@dataclass(slots=True)
class Heard:
    """What one listener has heard so far: events at or before `last` are not told again."""

    last: EventId | None = None

    def unheard(self, events: tuple[OperationEvent, ...]) -> list[OperationEvent]:
        """`events` after the last heard, now marked heard."""
        fresh = [e for e in events if e.id is not None and (self.last is None or e.id > self.last)]
        if fresh:
            self.last = fresh[-1].id
        return fresh


def _digits(part: str) -> bool:
    return 0 < len(part) <= 7 and part.isascii() and part.isdigit()
