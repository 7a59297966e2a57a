"""Cancelling one of the caller's operations, for `POST /v1/operations/{id}/cancel` and the
operation page's Cancel button alike: the task running it in this server is cancelled, and the
money path settles it (released if its request was not yet sent; held for reconciliation once
it was, since the provider may bill)."""

from __future__ import annotations

from imagestudio.application.ports.operation_store import OperationStore
from imagestudio.domain.errors import OperationNotFound
from imagestudio.domain.operation import ImageOperation
from imagestudio.entrypoints.http.auth import ProblemError
from imagestudio.entrypoints.http.problems import Problem, problem_for
from imagestudio.entrypoints.http.state import AppState

CONFLICT = 409
"""The status of `not-cancellable`: the operation is not running here (any more)."""


async def cancel_owned(state: AppState, user_id: str, operation_id: str) -> ImageOperation:
    """Cancel `user_id`'s operation and return it as it was settled; `ProblemError` 404 for
    another user's or no operation, 409 (`not-cancellable`) for one not running here."""
    operations: OperationStore = state.studio.container.operations()
    operation = await operations.get(operation_id)
    if operation is None or operation.user_id != user_id:
        raise ProblemError(problem_for(OperationNotFound(operation_id)))
    if not await state.jobs.cancel(operation_id):
        raise ProblemError(
            Problem(
                status=CONFLICT,
                slug="not-cancellable",
                title="Not cancellable",
                detail=f"operation {operation_id} is {operation.status.value} and not running "
                "in this server",
                extra={"operation_status": operation.status.value},
                headers={"x-should-retry": "false"},
            )
        )
    after = await operations.get(operation_id)
    assert after is not None
    return after
