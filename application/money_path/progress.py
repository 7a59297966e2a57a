"""The two small transactions between accept and settle: "sent", and "the provider named a task".

Both are conditional on the status the run holds, so a run whose lease a sweeper took over
never sends (the sweep released its reservation) and never overwrites the sweeper's verdict.
"""

from __future__ import annotations

import asyncio

from imagestudio.application.money_path.webhook_outbox import write_owed
from imagestudio.application.ports.clock import Clock
from imagestudio.application.ports.unit_of_work import UnitOfWork
from imagestudio.application.progress_notes import ProgressNotes
from imagestudio.domain.operation import ImageOperation, OperationStatus

S = OperationStatus


class Progress:
    """The `SubmissionReport` of one attempt: it writes the operation down as it moves.

    `sending()` runs once, before the first billable request leaves, so a crash can never hide
    that it was sent; `accepted(task_id)` writes each task id the provider names at once, so
    reconciliation has something to look up. Calls of one operation share it (variations).
    """

    def __init__(
        self,
        unit_of_work: UnitOfWork,
        clock: Clock,
        operation: ImageOperation,
        notes: ProgressNotes | None = None,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._clock = clock
        self._notes = notes or ProgressNotes()
        self._lock = asyncio.Lock()
        self.operation = operation
        """The operation as last written by this run."""
        self.sent = False
        self.task_ids: list[str] = list(operation.provider_task_ids)

    async def sending(self, task_id: str | None = None) -> None:
        async with self._lock:
            if task_id is not None and task_id not in self.task_ids:
                self.task_ids.append(task_id)
            if self.sent and (task_id is None or task_id in self.operation.provider_task_ids):
                return
            now = self._clock.now()
            moved = self.operation
            if moved.status is S.RESERVED:
                moved = moved.advance(S.SUBMITTED, now).unwrap()
            if task_id is not None and task_id not in moved.provider_task_ids:
                known = (*moved.provider_task_ids, task_id)
                moved = moved.changed(provider_task_ids=known, updated_at=now)
            if moved is not self.operation:
                await self._write(moved)  # StaleOperation: swept meanwhile, never send
            self.sent = True

    async def accepted(self, task_id: str) -> None:
        async with self._lock:
            if task_id not in self.task_ids:
                self.task_ids.append(task_id)
            if task_id in self.operation.provider_task_ids:
                return
            if self.operation.status is not S.SUBMITTED:
                return  # an adapter naming a task without `sending()`: kept for settling
            noted = self.operation.changed(
                provider_task_ids=(*self.operation.provider_task_ids, task_id),
                updated_at=self._clock.now(),
            )
            await self._write(noted)

    def progressed(self, detail: str) -> None:
        self._notes.tell(self.operation.id, detail)

    def note(self, task_id: str) -> None:
        """A task id found in an outcome, not reported by `accepted`: kept for settling."""
        if task_id not in self.task_ids:
            self.task_ids.append(task_id)

    async def _write(self, operation: ImageOperation) -> None:
        async with self._unit_of_work.begin() as unit:
            await unit.operations.advance(self.operation.status, operation)
            await write_owed(unit, operation)
            await unit.commit()
        self.operation = operation
