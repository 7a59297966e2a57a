"""The offline provider: every operation performed locally, with no network and no account."""

from __future__ import annotations

import asyncio

from imagestudio.adapters.offline_provider import video
from imagestudio.adapters.offline_provider.faults import FaultMarker, fault_in
from imagestudio.adapters.offline_provider.reading import UnusableInput
from imagestudio.adapters.offline_provider.rendering import render
from imagestudio.adapters.offline_provider.seeding import task_id
from imagestudio.application.ports.provider import (
    ProviderJob,
    ProviderOutcome,
    ProviderSuccess,
    SubmissionReport,
    SubmitUnknown,
)
from imagestudio.domain.errors import OutputFiltered, ProviderErrorKind, ProviderFailed
from imagestudio.domain.operation_kind import OperationKind

DEFAULT_SLOW_SECONDS = 0.2


class OfflineProvider:
    """An ImageProvider that really performs each job on this machine; the same job gives the
    same bytes. Its submission is "sent" when rendering starts and "accepted" once it succeeds.

    With `honour_fault_markers`, prompts may carry the markers of `faults` to fail on purpose.
    """

    name = "offline"

    def __init__(
        self,
        *,
        honour_fault_markers: bool = True,
        slow_seconds: float = DEFAULT_SLOW_SECONDS,
    ) -> None:
        self._honour_fault_markers = honour_fault_markers
        self._slow_seconds = slow_seconds

    async def run(self, job: ProviderJob, report: SubmissionReport) -> ProviderOutcome:
        refusal = self._refusal(job)
        if refusal is not None:
            return refusal
        fault = fault_in(job.prompt) if self._honour_fault_markers else None
        await report.sending()
        if fault is FaultMarker.FAIL:
            return self._failed(ProviderErrorKind.UNAVAILABLE, f"simulated outage ({fault})")
        if fault is FaultMarker.MODERATE:
            return self._failed(ProviderErrorKind.MODERATION, f"prompt refused ({fault})")
        if fault is FaultMarker.UNKNOWN:
            return SubmitUnknown(task_id=None, detail=f"connection dropped after sending ({fault})")
        if fault is FaultMarker.SLOW:
            await asyncio.sleep(self._slow_seconds)
        task = task_id(job)
        if fault is FaultMarker.FILTER:
            await report.accepted(task)
            return OutputFiltered(provider=self.name, detail=f"output withheld ({fault})")
        try:
            artifacts = await asyncio.to_thread(render, job)
        except UnusableInput as problem:
            return self._failed(ProviderErrorKind.INVALID_INPUT, problem.detail)
        except video.VideoUnavailable as missing:
            return self._failed(ProviderErrorKind.NOT_SUPPORTED, str(missing))
        await report.accepted(task)
        return ProviderSuccess(artifacts=artifacts, task_id=task)

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
