"""The offline provider: every operation performed locally, with no network and no account.

Rendering is deterministic, so a task is looked up by rendering it again. The task id carries
what the job rebuilt from a stored operation lacks (the seed, this call's output count and size;
see `task_ids`), so any process, even one started after the first died, answers a lookup with
the same bytes the run gave. Input images cannot ride in an id: given a `folder`, the provider
keeps each task's inputs there (`kept_inputs`, for `keep_for`) and any process sharing the
folder can look those tasks up too. Without a folder, or once they are pruned, a task that had
inputs is `TaskMissing`: the provider cannot honestly give back outputs it cannot re-render.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

from imagestudio.adapters.offline_provider import task_ids, video
from imagestudio.adapters.offline_provider.faults import FaultMarker, fault_in
from imagestudio.adapters.offline_provider.kept_inputs import KeptInputs
from imagestudio.adapters.offline_provider.reading import UnusableInput
from imagestudio.adapters.offline_provider.rendering import render
from imagestudio.application.ports.provider import (
    LookupOutcome,
    ProviderJob,
    ProviderOutcome,
    ProviderSuccess,
    SubmissionReport,
    SubmitUnknown,
    TaskMissing,
    TaskPending,
)
from imagestudio.domain.errors import OutputFiltered, ProviderErrorKind, ProviderFailed
from imagestudio.domain.operation_kind import OperationKind

log = logging.getLogger(__name__)

DEFAULT_SLOW_SECONDS = 0.2
DEFAULT_KEEP_FOR = timedelta(days=7)
_NEVER_ACCEPTED = (FaultMarker.FAIL, FaultMarker.MODERATE, FaultMarker.UNKNOWN)


class OfflineProvider:
    """An ImageProvider and TaskLookup that really performs each job on this machine; the same
    job gives the same bytes. Its submission is "sent" when rendering starts and "accepted" once
    it succeeds.

    With `honour_fault_markers`, prompts may carry the markers of `faults` to fail on purpose.
    """

    name = "offline"

    def __init__(
        self,
        *,
        honour_fault_markers: bool = True,
        slow_seconds: float = DEFAULT_SLOW_SECONDS,
        folder: Path | None = None,
        keep_for: timedelta = DEFAULT_KEEP_FOR,
    ) -> None:
        self._honour_fault_markers = honour_fault_markers
        self._slow_seconds = slow_seconds
        self._kept = None if folder is None else KeptInputs(folder, keep_for)

    async def run(self, job: ProviderJob, report: SubmissionReport) -> ProviderOutcome:
        refusal = self._refusal(job)
        if refusal is not None:
            return refusal
        fault = self._fault(job.prompt)
        task = task_ids.issued_for(job)
        # The id is ours and known up front: written down with "sent", in one step. A lost
        # reply ([offline:unknown]) is a submit whose id the client never learnt.
        await report.sending(None if fault is FaultMarker.UNKNOWN else task.id)
        if fault is FaultMarker.FAIL:
            return self._failed(ProviderErrorKind.UNAVAILABLE, f"simulated outage ({fault})")
        if fault is FaultMarker.MODERATE:
            return self._failed(ProviderErrorKind.MODERATION, f"prompt refused ({fault})")
        if fault is FaultMarker.UNKNOWN:
            return SubmitUnknown(task_id=None, detail=f"connection dropped after sending ({fault})")
        if fault is FaultMarker.SLOW:
            report.progressed("rendering")
            await asyncio.sleep(self._slow_seconds)
        if job.inputs and self._kept is not None:
            await asyncio.to_thread(self._keep_inputs, self._kept, task, job)
        if fault is FaultMarker.FILTER:
            await report.accepted(task.id)
            return OutputFiltered(provider=self.name, detail=f"output withheld ({fault})")
        try:
            artifacts = await asyncio.to_thread(render, job)
        except UnusableInput as problem:
            return self._failed(ProviderErrorKind.INVALID_INPUT, problem.detail)
        except video.VideoUnavailable as missing:
            return self._failed(ProviderErrorKind.NOT_SUPPORTED, str(missing))
        await report.accepted(task.id)
        if fault is FaultMarker.LOST:
            return SubmitUnknown(task_id=task.id, detail=f"the result was lost ({fault})")
        return ProviderSuccess(artifacts=artifacts, task_id=task.id)

    async def lookup(self, job: ProviderJob, task_id: str) -> LookupOutcome:
        """What `run` gave for the task, rendered again; never sends anything."""
        task = task_ids.read(task_id)
        if task is None:
            return TaskMissing(task_id, "not a task id the offline provider issues")
        fault = self._fault(job.prompt)
        if not job.model.serves(job.kind) or fault in _NEVER_ACCEPTED:
            return TaskMissing(task_id, "the offline provider accepts no task for this job")
        try:
            issued = await asyncio.to_thread(self._issued_job, task, job)
        except OSError as error:
            log.warning("offline task %s: its kept inputs cannot be read: %s", task_id, error)
            return TaskPending(task_id)
        if issued is None:
            return TaskMissing(
                task_id, "issued for another job, or for inputs the offline provider did not keep"
            )
        if fault is FaultMarker.FILTER:
            return OutputFiltered(provider=self.name, detail=f"output withheld ({fault})")
        try:
            artifacts = await asyncio.to_thread(render, issued)
        except UnusableInput as problem:
            return TaskMissing(task_id, f"never accepted: {problem.detail}")
        except video.VideoUnavailable as missing:
            log.warning("offline task %s cannot be rendered in this process: %s", task_id, missing)
            return TaskPending(task_id)
        return ProviderSuccess(artifacts=artifacts, task_id=task_id)

    @staticmethod
    def _keep_inputs(kept: KeptInputs, task: task_ids.IssuedTask, job: ProviderJob) -> None:
        try:
            kept.keep(task.digest, job.inputs)
        except OSError as error:
            log.warning("offline task %s: its inputs were not kept: %s", task.id, error)

    def _issued_job(self, task: task_ids.IssuedTask, rebuilt: ProviderJob) -> ProviderJob | None:
        """The job `task` was issued for: `rebuilt`, with what the id and kept inputs add."""
        without_inputs = task.job(rebuilt, ())
        if without_inputs is not None or self._kept is None:
            return without_inputs
        inputs = self._kept.recall(task.digest)
        return None if inputs is None else task.job(rebuilt, inputs)

    def _fault(self, prompt: str) -> FaultMarker | None:
        return fault_in(prompt) if self._honour_fault_markers else None

    def _refusal(self, job: ProviderJob) -> ProviderFailed | None:
        """What is refused before anything is sent: a kind the model lacks, a missing encoder."""
        if not job.model.serves(job.kind):
            return self._failed(
                ProviderErrorKind.INVALID_INPUT, f"model {job.model.id!r} cannot do {job.kind}"
            )
        if job.kind is OperationKind.IMAGE_TO_VIDEO and video.load_av() is None:
            return self._failed(ProviderErrorKind.NOT_SUPPORTED, video.MISSING_PYAV)
        return None

    def _failed(self, kind: ProviderErrorKind, detail: str) -> ProviderFailed:
        return ProviderFailed(provider=self.name, kind=kind, detail=detail)
