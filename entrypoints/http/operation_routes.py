"""`/v1/operations`: run one, read one, cancel one — always the caller's own."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response
from returns.result import Failure, Success

from imagestudio.application.operation_ports import StoredOutcome
from imagestudio.application.requests import OperationRequest
from imagestudio.domain.errors import InvalidInput, OperationError
from imagestudio.domain.operation import ImageOperation
from imagestudio.entrypoints.http.auth import ProblemError, current_user
from imagestudio.entrypoints.http.cancelling import cancel_owned
from imagestudio.entrypoints.http.operation_bodies import form_schema, operation_in
from imagestudio.entrypoints.http.operation_schemas import standing
from imagestudio.entrypoints.http.problems import Problem, problem_for
from imagestudio.entrypoints.http.schemas import (
    AssetOut,
    OperationIn,
    OperationOut,
    ProblemOut,
)
from imagestudio.entrypoints.http.shutting_down import shutting_down
from imagestudio.entrypoints.http.state import AppState, app_state
from imagestudio.entrypoints.http.studio_route import StudioRoute
from imagestudio.entrypoints.http.webhook_fields import (
    subscription,
)

router = APIRouter(prefix="/v1/operations", tags=["operations"], route_class=StudioRoute)
User = Annotated[str, Depends(current_user)]

_PROBLEM = {"application/problem+json": {"schema": ProblemOut.model_json_schema()}}
RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": "a problem (RFC 9457)", "content": _PROBLEM}
    for status in (400, 401, 402, 404, 409, 413, 415, 422, 429, 502, 503, 504)
}


def refuse(error: OperationError) -> ProblemError:
    return ProblemError(problem_for(error))


def to_request(body: OperationIn, user: str, **extra: Any) -> OperationRequest:
    request = body.to_request(user, **extra)
    if isinstance(request, InvalidInput):
        raise refuse(request)
    return request


async def describe(state: AppState, operation: ImageOperation, request: Request) -> list[AssetOut]:
    assets = []
    for asset_id in operation.asset_ids:
        asset = await state.studio.container.assets().describe(operation.user_id, asset_id)
        if asset is not None:
            assets.append(AssetOut.of(asset, str(request.url_for("get_asset", asset_id=asset.id))))
    return assets


async def answer(state: AppState, request: Request, outcome: StoredOutcome) -> OperationOut:
    if isinstance(outcome, Failure):
        raise refuse(outcome.failure())
    done = outcome.unwrap()
    return OperationOut.of(
        done.operation, await describe(state, done.operation, request), done.failed_outputs
    )


@router.post(
    "",
    response_model=OperationOut,
    status_code=200,
    responses={202: {"model": OperationOut, "description": "still running"}, **RESPONSES},
    openapi_extra={
        "requestBody": {
            "content": {
                # The component, not an inline copy: an inline copy's `#/$defs/...` references
                # point at the document's root, where there is nothing.
                "application/json": {"schema": {"$ref": "#/components/schemas/OperationIn"}},
                "multipart/form-data": {
                    "schema": form_schema(),
                    "encoding": {"parameters": {"contentType": "application/json"}},
                },
            },
            "required": True,
        }
    },
)
async def run_operation(
    request: Request,
    response: Response,
    user: User,
    prefer: Annotated[str | None, Header()] = None,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> OperationOut:
    """Run an operation; 200 when it ends within the wait, else 202 with a Location."""
    state = app_state(request)
    if not state.jobs.accepting:
        raise ProblemError(shutting_down())
    body = await operation_in(request)
    webhook = subscription(body)
    operation_id = f"op_{uuid.uuid4().hex}"
    job = state.jobs.start(
        to_request(
            body, user, operation_id=operation_id, idempotency_key=idempotency_key, webhook=webhook
        )
    )
    respond_async = prefer is not None and "respond-async" in prefer.lower()
    wait = 0.0 if respond_async else state.settings.http_wait_seconds
    outcome = await state.jobs.wait(job, wait)
    if outcome is None:
        outcome = await state.jobs.wait_recorded(job, 5.0)
    if outcome is not None and not respond_async:
        return await answer(state, request, outcome)
    stored = await state.studio.show_operation.execute(user, job)
    if outcome is not None and isinstance(stored, Failure):
        # Refused before it was recorded (or another operation's outcome replayed under the
        # key): there is no operation to poll, so the answer is the outcome itself.
        return await answer(state, request, outcome)
    # With `Prefer: respond-async`, a recorded operation is always a 202 to poll, even one
    # already over (a quick failure can end before this answer leaves): the caller asked for
    # one shape of answer, not a race.
    if isinstance(stored, Failure) and state.jobs.crashed(job):
        # It raised before it was accepted (the acceptance records it with its reservation, in
        # one transaction): nothing is held, and it is no "busy" to retry into.
        raise ProblemError(
            Problem(
                status=500,
                slug="internal",
                title="Internal error",
                detail="the operation failed unexpectedly before it was accepted; nothing was "
                "reserved or charged",
            )
        )
    if isinstance(stored, Failure):  # still preparing after 5 s: say where to look
        raise ProblemError(
            Problem(status=503, slug="busy", title="Busy", detail="the operation has not started")
        )
    response.status_code = 202
    response.headers["location"] = str(request.url_for("get_operation", operation_id=job))
    view = stored.unwrap()
    return OperationOut.of(view.operation, []).model_copy(update=standing(view))


@router.get("/{operation_id}", response_model=OperationOut, responses=RESPONSES)
async def get_operation(operation_id: str, request: Request, user: User) -> OperationOut:
    """The operation's state, what it still holds of your plan and what it waits for; only
    your own operations exist for you."""
    state = app_state(request)
    finished = state.jobs.finished(operation_id)
    if isinstance(finished, Success) and finished.unwrap().operation.user_id == user:
        done = finished.unwrap()
        return OperationOut.of(
            done.operation, await describe(state, done.operation, request), done.failed_outputs
        )
    shown = await state.studio.show_operation.execute(user, operation_id)
    if isinstance(shown, Failure):
        raise refuse(shown.failure())
    view = shown.unwrap()
    described = OperationOut.of(view.operation, await describe(state, view.operation, request))
    return described.model_copy(update=standing(view))


@router.post("/{operation_id}/cancel", response_model=OperationOut, responses=RESPONSES)
async def cancel_operation(operation_id: str, request: Request, user: User) -> OperationOut:
    """Cancel: released if not yet sent; once sent, left for reconciliation (never charged
    twice)."""
    state = app_state(request)
    after = await cancel_owned(state, user, operation_id)
    return OperationOut.of(after, await describe(state, after, request))
