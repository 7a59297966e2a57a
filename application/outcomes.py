"""Calling the provider for every output of an operation, and sorting what came back by output."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace

from imagestudio.application.money_path.progress import Progress
from imagestudio.application.ports.provider import (
    Artifact,
    ImageProvider,
    ProviderJob,
    ProviderOutcome,
    ProviderSuccess,
    SubmitUnknown,
)
from imagestudio.application.prepared_operation import PreparedOperation
from imagestudio.domain.errors import OutputFiltered, ProviderErrorKind, ProviderFailed
from imagestudio.domain.pricing import BillableUnits


@dataclass(frozen=True, slots=True, kw_only=True)
class CallOutcomes:
    """What every output of one operation came to: delivered, failed, filtered or unknown."""

    artifacts: tuple[Artifact, ...]
    failures: tuple[ProviderFailed, ...]
    failed_reasons: tuple[str, ...]
    """One reason per output that did not come back (a failed 4-output call gives four)."""
    filtered_outputs: int
    """Outputs the provider billed but withheld."""
    first_filter: OutputFiltered | None
    unknown: tuple[SubmitUnknown, ...]
    unknown_outputs: int = 0
    """How many outputs the unknown calls asked for."""
    unresolved_outputs: int = 0
    """Outputs of calls whose submission the provider never confirmed, given up on by
    reconciliation: the user pays nothing, their price is kept as a possible provider cost."""
    unresolved_error: ProviderFailed | None = None

    @property
    def traceable_unknown(self) -> bool:
        """Whether any call left unknown named a task that reconciliation could look up."""
        return any(call.task_id for call in self.unknown)

    def unknown_given_up(self, provider: str) -> CallOutcomes:
        """The unknown calls counted as unresolved: never charged, their price kept as ours."""
        error = ProviderFailed(
            provider=provider,
            kind=ProviderErrorKind.UNAVAILABLE,
            detail=(
                f"{self.unknown_outputs} output(s) never confirmed by the provider and "
                f"impossible to look up ({self.unknown[0].detail})"
            ),
        )
        return replace(
            self,
            unknown=(),
            unknown_outputs=0,
            unresolved_outputs=self.unknown_outputs,
            unresolved_error=error,
            failed_reasons=(*self.failed_reasons, *[error.message] * self.unknown_outputs),
        )

    @property
    def reached_provider(self) -> bool:
        """Whether anything came back that only a sent request can produce."""
        return bool(self.artifacts or self.filtered_outputs or self.unknown)

    def first_error(self) -> ProviderFailed | OutputFiltered:
        if self.failures:
            return self.failures[0]
        if self.first_filter is not None:
            return self.first_filter
        assert self.unresolved_error is not None
        return self.unresolved_error

    def billable_units(self, reserved: BillableUnits, width: int, height: int) -> BillableUnits:
        """The units of what came back; an output without a stated size counts as asked."""
        return BillableUnits(
            outputs=len(self.artifacts),
            pixels=sum((a.width or width) * (a.height or height) for a in self.artifacts),
            seconds=max((a.duration_seconds or 0 for a in self.artifacts), default=0)
            or reserved.seconds,
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
    provider: ImageProvider, prepared: PreparedOperation, report: Progress
) -> CallOutcomes:
    """Run every call concurrently; each output succeeds or fails on its own."""
    jobs = split_into_calls(prepared)
    if len(jobs) == 1:  # the common case: awaited in place, without gather's task and future
        results = [await _call(provider, jobs[0], report)]
    else:
        results = await asyncio.gather(*(_call(provider, job, report) for job in jobs))
    return sort_outcomes(
        provider.name, [(job.outputs, result) for job, result in zip(jobs, results, strict=True)]
    )


def sort_outcomes(
    provider: str,
    results: Sequence[tuple[int, ProviderOutcome]],
    *,
    unresolved_outputs: int = 0,
    unresolved_error: ProviderFailed | None = None,
) -> CallOutcomes:
    """What came back from each call (asked for `count` outputs), sorted output by output.

    Used for a live run and for reconciliation alike, so both settle the same way.
    """
    artifacts: list[Artifact] = []
    failures: list[ProviderFailed] = []
    reasons: list[str] = []
    filtered = 0
    first_filter: OutputFiltered | None = None
    unknown: list[SubmitUnknown] = []
    unknown_outputs = 0
    for count, result in results:
        if isinstance(result, ProviderSuccess):
            # More outputs than asked were not reserved: they are not delivered or charged.
            delivered = result.artifacts[:count]
            artifacts.extend(delivered)
            missing = count - len(delivered)
            reasons.extend([f"{provider} returned {len(delivered)} of {count}"] * missing)
        elif isinstance(result, ProviderFailed):
            failures.append(result)
            reasons.extend([result.message] * count)
        elif isinstance(result, OutputFiltered):
            filtered += count
            first_filter = first_filter or result
            reasons.extend([result.message] * count)
        else:
            unknown.append(result)
            unknown_outputs += count
    if unresolved_error is not None:
        reasons.extend([unresolved_error.message] * unresolved_outputs)
    nothing = not artifacts and not failures and first_filter is None and not unknown
    if nothing and unresolved_error is None:
        failures.append(
            ProviderFailed(
                provider=provider,
                kind=ProviderErrorKind.UNAVAILABLE,
                detail="the provider reported success but returned no output",
            )
        )
    return CallOutcomes(
        artifacts=tuple(artifacts),
        failures=tuple(failures),
        failed_reasons=tuple(reasons),
        filtered_outputs=filtered,
        first_filter=first_filter,
        unknown=tuple(unknown),
        unknown_outputs=unknown_outputs,
        unresolved_outputs=unresolved_outputs if unresolved_error is not None else 0,
        unresolved_error=unresolved_error,
    )


async def _call(provider: ImageProvider, job: ProviderJob, report: Progress) -> ProviderOutcome:
    try:
        outcome = await provider.run(job, report)
    except Exception as error:
        # An adapter bug must not leak money: a crash after sending is an unknown outcome.
        detail = f"{type(error).__name__}: {error}"
        if report.sent:
            return SubmitUnknown(task_id=None, detail=detail)
        return ProviderFailed(
            provider=provider.name, kind=ProviderErrorKind.UNAVAILABLE, detail=detail
        )
    # Keep every task id the provider named, reported or not: reconciliation looks them up.
    named = outcome.task_id if isinstance(outcome, ProviderSuccess | SubmitUnknown) else None
    if named:
        report.note(named)
    return outcome
