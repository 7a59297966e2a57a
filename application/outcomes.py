"""Calling the provider for every output of an operation, and sorting what came back."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

from imagestudio.application.ports.provider import (
    Artifact,
    ImageProvider,
    ProviderJob,
    ProviderOutcome,
    ProviderSuccess,
    SubmitUnknown,
)
from imagestudio.application.preparation import PreparedOperation
from imagestudio.application.submission_tracker import SubmissionTracker
from imagestudio.domain.errors import OutputFiltered, ProviderErrorKind, ProviderFailed
from imagestudio.domain.pricing import BillableUnits


@dataclass(frozen=True, slots=True, kw_only=True)
class CallOutcomes:
    artifacts: tuple[Artifact, ...]
    failures: tuple[ProviderFailed, ...]
    filtered: tuple[OutputFiltered, ...]
    unknown: tuple[SubmitUnknown, ...]

    def first_error(self) -> ProviderFailed | OutputFiltered:
        return self.failures[0] if self.failures else self.filtered[0]

    def failure_reasons(self) -> list[str]:
        problems: tuple[ProviderFailed | OutputFiltered, ...] = (*self.failures, *self.filtered)
        return [problem.message for problem in problems]

    def billable_units(self, reserved: BillableUnits) -> BillableUnits:
        """The units of what actually came back (pixels measured, duration as delivered)."""
        pixels = sum((a.width or 0) * (a.height or 0) for a in self.artifacts)
        seconds = max((a.duration_seconds or 0 for a in self.artifacts), default=0)
        return replace(
            reserved,
            outputs=len(self.artifacts),
            pixels=pixels,
            seconds=seconds or reserved.seconds,
            resolution=next(
                (a.resolution for a in self.artifacts if a.resolution), reserved.resolution
            ),
        )


def split_into_calls(prepared: PreparedOperation) -> list[ProviderJob]:
    """One job per provider call: a model returning k outputs per call needs ceil(n / k) calls."""
    wanted = prepared.request.outputs
    per_call = max(1, prepared.model.limits.outputs_per_call)
    jobs: list[ProviderJob] = []
    while wanted > 0:
        count = min(per_call, wanted)
        jobs.append(
            ProviderJob(
                model=prepared.model,
                kind=prepared.request.kind,
                prompt=prepared.request.prompt,
                inputs=prepared.inputs,
                width=prepared.width,
                height=prepared.height,
                outputs=count,
                seed=_seed_for(prepared.request.seed, len(jobs)),
                parameters=prepared.parameters,
            )
        )
        wanted -= count
    return jobs


def _seed_for(seed: int | None, call_index: int) -> int | None:
    # Each call of a multi-call request gets its own seed so its variations differ.
    return None if seed is None else seed + call_index


async def gather_outcomes(
    provider: ImageProvider, prepared: PreparedOperation, report: SubmissionTracker
) -> CallOutcomes:
    """Run every call concurrently; each succeeds or fails on its own."""
    results = await asyncio.gather(
        *(_call(provider, job, report) for job in split_into_calls(prepared))
    )
    return CallOutcomes(
        artifacts=tuple(a for r in results if isinstance(r, ProviderSuccess) for a in r.artifacts),
        failures=tuple(r for r in results if isinstance(r, ProviderFailed)),
        filtered=tuple(r for r in results if isinstance(r, OutputFiltered)),
        unknown=tuple(r for r in results if isinstance(r, SubmitUnknown)),
    )


async def _call(
    provider: ImageProvider, job: ProviderJob, report: SubmissionTracker
) -> ProviderOutcome:
    try:
        return await provider.run(job, report)
    except Exception as error:
        # An adapter bug must not leak money: a crash after sending is an unknown outcome.
        detail = f"{type(error).__name__}: {error}"
        if report.sent:
            return SubmitUnknown(task_id=None, detail=detail)
        return ProviderFailed(
            provider=provider.name, kind=ProviderErrorKind.UNAVAILABLE, detail=detail
        )
