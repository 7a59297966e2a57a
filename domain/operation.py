"""One image operation and its lifecycle (DESIGN.md): illegal transitions are refused."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from itertools import repeat
from operator import attrgetter
from typing import TYPE_CHECKING

from returns.result import Failure, Result, Success

from imagestudio.domain.operation_kind import OperationKind

if TYPE_CHECKING:  # webhook.py reads the statuses defined here
    from imagestudio.domain.webhook import WebhookSubscription

ParameterValue = str | int | float | bool


class OperationStatus(StrEnum):
    REQUESTED = "requested"
    RESERVED = "reserved"
    SUBMITTED = "submitted"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"
    ABANDONED = "abandoned"

    @property
    def is_final(self) -> bool:
        return not _NEXT[self]

    @property
    def is_settled(self) -> bool:
        """Final, or `unknown`: nobody works on it any more (reconciliation takes it from here)."""
        return self.is_final or self is OperationStatus.UNKNOWN


S = OperationStatus
_NEXT: Mapping[OperationStatus, frozenset[OperationStatus]] = {
    S.REQUESTED: frozenset({S.RESERVED, S.FAILED}),
    S.RESERVED: frozenset({S.SUBMITTED, S.FAILED, S.CANCELLED, S.ABANDONED}),
    S.SUBMITTED: frozenset({S.SUCCEEDED, S.FAILED, S.CANCELLED, S.UNKNOWN}),
    S.UNKNOWN: frozenset({S.SUCCEEDED, S.FAILED, S.ABANDONED}),
    S.SUCCEEDED: frozenset(),
    S.FAILED: frozenset(),
    S.CANCELLED: frozenset(),
    S.ABANDONED: frozenset(),
}


@dataclass(frozen=True, slots=True)
class IllegalTransition:
    operation_id: str
    current: OperationStatus
    wanted: OperationStatus

    @property
    def message(self) -> str:
        return f"operation {self.operation_id} cannot go from {self.current} to {self.wanted}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageOperation:
    id: str
    user_id: str
    kind: OperationKind
    model_id: str
    provider: str
    prompt: str
    input_digests: tuple[str, ...]
    """SHA-256 of each input, in order: what the operation was run on, without the bytes."""
    parameters: Mapping[str, ParameterValue]
    outputs_requested: int
    created_at: datetime
    updated_at: datetime
    status: OperationStatus = OperationStatus.REQUESTED
    reservation_id: str | None = None
    provider_task_ids: tuple[str, ...] = ()
    asset_ids: tuple[str, ...] = ()
    charged: int = 0
    error: str | None = None
    idempotency_key: str | None = None
    input_asset_ids: tuple[str, ...] = field(default=())
    output_size: tuple[int, int] | None = None
    """The width and height the outputs were asked at (reconciliation prices what it finds)."""
    continued_by: str | None = None
    """The operation `auto` moved the request to when this one failed with its provider's own
    trouble: the request's outcome is that one's (named before this one settles, so a reader
    never sees the request end here while it runs on)."""
    webhook: WebhookSubscription | None = None
    """Where its events are delivered (outbox rows written with each status change it asked
    for)."""

    def advance(
        self, to: OperationStatus, at: datetime, **changes: object
    ) -> Result[ImageOperation, IllegalTransition]:
        """The operation in state `to`, with `changes` applied, if the lifecycle allows it."""
        if to not in _NEXT[self.status]:
            return Failure(IllegalTransition(self.id, self.status, to))
        return Success(self.changed(status=to, updated_at=at, **changes))

    def changed(self, **changes: object) -> ImageOperation:
        """`dataclasses.replace(self, **changes)` in a few C calls: the money path copies an
        operation at every status change, and both `replace` and a frozen dataclass's
        `__init__` set its 23 fields one by one in Python (the class has no `__post_init__`
        for this to skip)."""
        values = list(_read_fields(self))
        for name, value in changes.items():
            index = _FIELD_INDEX.get(name)
            if index is None:
                raise TypeError(f"ImageOperation has no field {name}")
            values[index] = value
        copy = object.__new__(ImageOperation)
        _drain(map(object.__setattr__, repeat(copy, len(values)), _FIELD_NAMES, values))
        return copy


_FIELD_NAMES = tuple(field.name for field in fields(ImageOperation))
_FIELD_INDEX = {name: index for index, name in enumerate(_FIELD_NAMES)}
_read_fields = attrgetter(*_FIELD_NAMES)
_drain = deque[None](maxlen=0).extend
"""Runs an iterator to its end in C (keeping nothing)."""
