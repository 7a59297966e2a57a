"""Asking a provider what became of an operation's tasks, and turning the answers into the
outcomes a settlement takes (reconciliation)."""

from __future__ import annotations

import logging
from datetime import timedelta

from imagestudio.application.outcomes import CallOutcomes, sort_outcomes
from imagestudio.application.ports.provider import (
    ImageProvider,
    LookupOutcome,
    ProviderDirectory,
    ProviderJob,
    ProviderOutcome,
    ProviderSuccess,
    TaskLookup,
    TaskMissing,
    TaskPending,
)
from imagestudio.application.preparation import PreparedOperation, units_for
from imagestudio.application.requests import OperationRequest
from imagestudio.domain.errors import ProviderErrorKind, ProviderFailed
from imagestudio.domain.model import Model
from imagestudio.domain.operation import ImageOperation
from imagestudio.domain.reservation import Reservation

log = logging.getLogger(__name__)


async def ask_about_tasks(
    providers: ProviderDirectory, operation: ImageOperation, model: Model
) -> list[tuple[int, LookupOutcome]] | None:
    """What the provider says of each task; None while any is pending or it cannot be
    reached (asked again next round)."""
    try:
        return await _look_up(providers, operation, model)
    except Exception:
        log.warning("operation %s: looking its tasks up failed", operation.id, exc_info=True)
        return None


async def _look_up(
    providers: ProviderDirectory, operation: ImageOperation, model: Model
) -> list[tuple[int, LookupOutcome]] | None:
    """Each task's outcome with its output count; None while any is still pending."""
    provider = providers.get(operation.provider)
    if not operation.provider_task_ids:
        return []
    if provider is None or not _can_look_up(provider):
        log.error(
            "operation %s: provider %s is not configured or cannot look tasks up",
            operation.id,
            operation.provider,
        )
        return None
    lookup: TaskLookup = provider  # type: ignore[assignment]
    per_call = max(1, model.limits.outputs_per_call)
    wanted = operation.outputs_requested
    width, height = operation.output_size or model.default_size
    found: list[tuple[int, LookupOutcome]] = []
    for index, task_id in enumerate(operation.provider_task_ids):
        count = max(1, min(per_call, wanted - index * per_call))
        job = ProviderJob(
            model=model,
            kind=operation.kind,
            prompt=operation.prompt,
            inputs=(),
            width=width,
            height=height,
            outputs=count,
            seed=None,
            parameters=operation.parameters,
        )
        outcome = await lookup.lookup(job, task_id)
        if isinstance(outcome, TaskPending):
            return None
        if isinstance(outcome, ProviderSuccess):
            # Task ids are kept in the order the provider accepted them, not the order of
            # the calls: a task's own outputs say how many it was asked for.
            count = min(per_call, len(outcome.artifacts)) or count
        found.append((count, outcome))
    return found


def _can_look_up(provider: ImageProvider) -> bool:
    return callable(getattr(provider, "lookup", None))


def sorted_answers(
    provider: str,
    found: list[tuple[int, LookupOutcome]],
    unresolved_outputs: int,
    waited: timedelta,
) -> CallOutcomes:
    answered = [(count, _as_outcome(provider, outcome)) for count, outcome in found]
    unresolved_error = None
    if unresolved_outputs:
        unresolved_error = ProviderFailed(
            provider=provider,
            kind=ProviderErrorKind.UNAVAILABLE,
            detail=(
                f"the provider never confirmed {unresolved_outputs} output(s) and no task id "
                f"was known; released after waiting {waited}"
            ),
        )
    return sort_outcomes(
        provider,
        answered,
        unresolved_outputs=unresolved_outputs,
        unresolved_error=unresolved_error,
    )


def _as_outcome(provider: str, found: LookupOutcome) -> ProviderOutcome:
    """A task the provider has no record of never produced (nor billed) anything."""
    if isinstance(found, TaskMissing):
        return ProviderFailed(
            provider=provider,
            kind=ProviderErrorKind.UNAVAILABLE,
            detail=f"the provider has no task {found.task_id}: {found.detail}",
        )
    assert not isinstance(found, TaskPending), "pending tasks are waited on, not settled"
    return found


def prepared_again(
    operation: ImageOperation, model: Model, reservation: Reservation
) -> PreparedOperation:
    """The operation as the run prepared it, rebuilt from its record (no input bytes needed)."""
    width, height = operation.output_size or model.default_size
    return PreparedOperation(
        request=OperationRequest(
            user_id=operation.user_id,
            kind=operation.kind,
            model_id=model.id,
            prompt=operation.prompt,
            outputs=operation.outputs_requested,
            parameters=operation.parameters,
            idempotency_key=operation.idempotency_key,
        ),
        model=model,
        inputs=(),
        input_digests=operation.input_digests,
        input_asset_ids=operation.input_asset_ids,
        width=width,
        height=height,
        parameters=operation.parameters,
        reserve_units=units_for(
            operation.kind, operation.outputs_requested, width, height, operation.parameters
        ),
        price=reservation.request.amount,
        request_hash="",
    )
