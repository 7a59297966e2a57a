"""Asking a provider what became of an operation's tasks, and turning the answers into the
outcomes a settlement takes (reconciliation)."""

from __future__ import annotations

import logging
from datetime import timedelta

from imagestudio.application.billable_units import units_for
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
from imagestudio.application.prepared_operation import PreparedOperation
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
    """The outcomes a settlement takes from what the provider said of each task.

    A task the provider accepted (it named it) and no longer knows is not a free failure: its
    result may have expired after it completed and was billed (Stability keeps results 24 h,
    and a 404 does not say which). Its outputs count as unresolved, like a call the provider
    never confirmed: the user pays nothing, the price is kept as a possible provider cost.
    """
    answered = [(count, _as_outcome(outcome)) for count, outcome in found if _answered(outcome)]
    gone = [(count, outcome) for count, outcome in found if isinstance(outcome, TaskMissing)]
    reasons = []
    if unresolved_outputs:
        reasons.append(
            f"the provider never confirmed {unresolved_outputs} output(s) and no task id "
            f"was known; released after waiting {waited}"
        )
    if gone:
        names = ", ".join(f"{outcome.task_id} ({outcome.detail})" for _, outcome in gone)
        reasons.append(
            f"the provider no longer knows task(s) {names}: it may have completed and billed "
            "them before their result expired, so their price is kept as a possible cost"
        )
    unresolved = unresolved_outputs + sum(count for count, _ in gone)
    unresolved_error = None
    if unresolved:
        unresolved_error = ProviderFailed(
            provider=provider, kind=ProviderErrorKind.UNAVAILABLE, detail="; ".join(reasons)
        )
    return sort_outcomes(
        provider,
        answered,
        unresolved_outputs=unresolved,
        unresolved_error=unresolved_error,
    )


def _answered(found: LookupOutcome) -> bool:
    return not isinstance(found, TaskMissing)


def _as_outcome(found: LookupOutcome) -> ProviderOutcome:
    assert not isinstance(found, TaskPending | TaskMissing), "sorted out before settling"
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
