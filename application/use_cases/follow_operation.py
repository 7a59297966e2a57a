"""Follow operation: the events of one of the caller's operations, as they happen, until it
settles — read off its stored state, so any process can tell them and none writes anything."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from dataclasses import dataclass

from returns.result import Failure, Result, Success

from imagestudio.application.ports.clock import Clock
from imagestudio.application.ports.operation_store import OperationStore
from imagestudio.application.progress_notes import ProgressNotes
from imagestudio.application.use_cases.show_operation import FOLLOW_UP_GRACE, MOST_FOLLOW_UPS
from imagestudio.domain.errors import InvalidInput, OperationNotFound
from imagestudio.domain.operation import ImageOperation
from imagestudio.domain.operation_event import OperationEventKind
from imagestudio.domain.operation_history import EventId, Heard, OperationEvent, history

log = logging.getLogger(__name__)

DEFAULT_POLL_SECONDS = 0.25
DEFAULT_LONGEST_SECONDS = 3600.0


@dataclass(frozen=True, slots=True, kw_only=True)
class FollowTiming:
    poll_seconds: float = DEFAULT_POLL_SECONDS
    """How often the operation is read while nothing has settled it."""
    longest_seconds: float = DEFAULT_LONGEST_SECONDS
    """A stream still waiting this long ends (the listener may resume where it left off)."""


@dataclass(frozen=True, slots=True)
class Idle:
    """A read that found nothing new: the listener is still waiting."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Following:
    operation_id: str
    heard_all: bool
    """Settled, and the listener already heard its final event: nothing will be told."""
    events: AsyncGenerator[OperationEvent | Idle, None]
    """Each event once, in order; `Idle` after each read that found none. Ends after the
    final event, or when the longest wait has passed."""


FollowError = OperationNotFound | InvalidInput


class FollowOperation:
    """The caller's own operation's events, from its stored status changes (and, within the
    process running it, what its provider says of its progress); another user's does not
    exist for them. A request `auto` moved to another provider is followed to its end."""

    def __init__(
        self,
        operations: OperationStore,
        clock: Clock,
        notes: ProgressNotes,
        timing: FollowTiming | None = None,
    ) -> None:
        self._operations = operations
        self._clock = clock
        self._notes = notes
        self.timing = timing or FollowTiming()

    async def execute(
        self, user_id: str, operation_id: str, last_event_id: str | None = None
    ) -> Result[Following, FollowError]:
        """The events after `last_event_id` (all when None); an id no stream gave is refused."""
        heard = Heard()
        if last_event_id:
            heard.last = EventId.parse(last_event_id)
            if heard.last is None:
                return Failure(InvalidInput("Last-Event-ID", "is not an id this stream gave"))
        first = await self._own(user_id, operation_id)
        if first is None:
            return Failure(OperationNotFound(operation_id))
        done = heard.last is not None and await self._all_heard(user_id, first, heard.last)
        events = self._events(user_id, first, heard)
        return Success(Following(operation_id=operation_id, heard_all=done, events=events))

    async def _own(self, user_id: str, operation_id: str) -> ImageOperation | None:
        if not operation_id.isprintable():  # no id has one; PostgreSQL cannot compare a NUL
            return None
        tracked = await self._operations.describe(operation_id)
        if tracked is None or tracked.operation.user_id != user_id:
            return None
        return tracked.operation

    async def _all_heard(self, user_id: str, operation: ImageOperation, last: EventId) -> bool:
        for hop in range(MOST_FOLLOW_UPS + 1):
            told = history(operation, hop)
            if told and told[-1].ends_stream:
                return told[-1].id is not None and told[-1].id <= last
            follow_up = await self._next(user_id, operation)
            if follow_up is None:
                return False
            operation = follow_up
        return False

    async def _next(self, user_id: str, operation: ImageOperation) -> ImageOperation | None:
        """The operation `auto` moved a settled one's request to, once it is recorded."""
        if not operation.status.is_final or operation.continued_by is None:
            return None
        return await self._own(user_id, operation.continued_by)

    async def _events(
        self, user_id: str, operation: ImageOperation, heard: Heard
    ) -> AsyncGenerator[OperationEvent | Idle, None]:
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + self.timing.longest_seconds
        hop, progress = 0, None
        try:
            while True:
                implied = history(operation, hop)
                told = heard.unheard(implied)
                for event in told:
                    yield event
                if implied and implied[-1].ends_stream:
                    return
                note = self._notes.latest(operation.id)
                if note is not None and note != progress and not operation.status.is_settled:
                    progress = note
                    yield self._progress(operation, note)
                follow_up = await self._next(user_id, operation)
                if follow_up is not None and hop < MOST_FOLLOW_UPS:
                    hop, operation, progress = hop + 1, follow_up, None
                    continue
                if self._abandoned_chain(operation) or loop.time() >= give_up_at:
                    return
                if not told:
                    yield Idle()
                await asyncio.sleep(self.timing.poll_seconds)
                operation = await self._own(user_id, operation.id) or operation
        finally:
            log.debug("stopped following %s", operation.id)

    def _abandoned_chain(self, operation: ImageOperation) -> bool:
        """Settled naming a follow-up that never came: its own failure stands (as shown)."""
        if not operation.status.is_final or operation.continued_by is None:
            return False
        return self._clock.now() - operation.updated_at >= FOLLOW_UP_GRACE

    @staticmethod
    def _progress(operation: ImageOperation, note: str) -> OperationEvent:
        return OperationEvent(
            kind=OperationEventKind.PROGRESS,
            operation=operation,
            id=None,
            task_ids=operation.provider_task_ids,
            detail=note,
        )
