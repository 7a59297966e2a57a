"""A paid tool's run: the operation runs as a job of this process (as `POST /v1/operations`
runs it), and the call answers with its outcome, or, when it takes longer than the wait, with
the operation still running, for `get_operation` to follow."""

from __future__ import annotations

import uuid
from dataclasses import replace

import anyio
from mcp.server.mcpserver.exceptions import ToolError
from returns.result import Failure

from imagestudio.application.operation_ports import StoredOutcome
from imagestudio.application.requests import OperationRequest
from imagestudio.entrypoints.http.jobs import OperationJobs
from imagestudio.entrypoints.http.schemas import OperationOut
from imagestudio.entrypoints.http.shutting_down import shutting_down
from imagestudio.entrypoints.mcp.acting import Acting
from imagestudio.entrypoints.mcp.inputs import named_as_arguments
from imagestudio.entrypoints.mcp.refusals import problem_error, refused
from imagestudio.entrypoints.mcp.results import operation_out

RECORD_SECONDS = 5.0
"""How long a run still waits for its operation to be recorded, so an answer names a real one."""


async def run(
    acting: Acting, request: OperationRequest, images: dict[str, str] | None = None
) -> OperationOut:
    """Run `request`: its outcome, its refusal (a tool error: nothing charged; `images` names
    each of the request's images by the argument that gave it), or the operation still
    running."""
    jobs = acting.jobs
    if not jobs.accepting:
        raise problem_error(shutting_down(retry_after=False))
    job = jobs.start(replace(request, operation_id=f"op_{uuid.uuid4().hex}"))
    outcome = await _awaited(jobs, job, acting.wait_seconds)
    if outcome is not None:
        if isinstance(outcome, Failure):
            raise refused(named_as_arguments(outcome.failure(), images or {}))
        done = outcome.unwrap()
        return await operation_out(acting, done.operation, done.failed_outputs)
    shown = await acting.studio.show_operation.execute(acting.user, job)
    if isinstance(shown, Failure):
        if jobs.crashed(job):
            raise ToolError("the operation failed before it was accepted; nothing was charged")
        raise ToolError(f"operation {job} has not started yet; ask get_operation about it")
    view = shown.unwrap()
    return await operation_out(acting, view.operation, view=view)


async def _awaited(jobs: OperationJobs, job: str, seconds: float) -> StoredOutcome | None:
    """The job's outcome if it ends within `seconds`, else None once it is recorded. A call the
    client cancels (`notifications/cancelled`, or a dropped connection) cancels its operation
    as `POST /v1/operations/{id}/cancel` does (released if not sent; left for reconciliation
    if it was): nobody is left to hear of it, so it must not run on and be charged."""
    try:
        outcome = await jobs.wait(job, seconds)
        if outcome is None:
            outcome = await jobs.wait_recorded(job, RECORD_SECONDS)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await jobs.cancel(job)
        raise
    return outcome


async def follow(acting: Acting, operation_id: str) -> OperationOut:
    """One of the caller's operations as it stands (another user's does not exist for them)."""
    finished = acting.jobs.finished(operation_id)
    if finished is not None and not isinstance(finished, Failure):
        done = finished.unwrap()
        if done.operation.user_id == acting.user:
            return await operation_out(acting, done.operation, done.failed_outputs)
    shown = await acting.studio.show_operation.execute(acting.user, operation_id)
    if isinstance(shown, Failure):
        raise refused(shown.failure())
    view = shown.unwrap()
    return await operation_out(acting, view.operation, view=view)
