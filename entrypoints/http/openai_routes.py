"""OpenAI's images API over the same money path as `/v1/operations`, so an app written for the
`openai` client needs only another `base_url` and API key: quota, ledger and assets as usual.

`url` answers are signed links (`/v1/signed-assets/{token}`) that need no API key. Errors here
take OpenAI's body, `{"error": {"message", "type", "code", "param"}}`, with the status and retry
headers of `problems.py`: the client retries 408, 409, 429 and 5xx unless the answer says
`x-should-retry: false`, as every refusal not worth repeating does.
"""

from __future__ import annotations

import asyncio
import base64
import math
import uuid
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from returns.result import Failure
from starlette.exceptions import HTTPException

from imagestudio.application.requests import ImageInput, OperationRequest
from imagestudio.domain.asset import Asset
from imagestudio.domain.errors import Cancelled, OutcomeUnknown
from imagestudio.domain.operation import OperationStatus, ParameterValue
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.entrypoints.http.auth import current_user
from imagestudio.entrypoints.http.invalid_requests import validated
from imagestudio.entrypoints.http.openai_formats import AnswerFormat
from imagestudio.entrypoints.http.openai_masks import our_mask
from imagestudio.entrypoints.http.openai_options import SERVED, option_parameters
from imagestudio.entrypoints.http.openai_requests import (
    OpenAIProblem,
    bad_request,
    edit_form,
    operation_request,
)
from imagestudio.entrypoints.http.openai_retries import (
    IN_PROGRESS_POLL_SECONDS,
    call_fingerprint,
    is_client_retry,
    still_running,
)
from imagestudio.entrypoints.http.openai_schemas import (
    EDIT_FORM,
    RESPONSES,
    ImageOut,
    ImagesIn,
    ImagesOut,
)
from imagestudio.entrypoints.http.problems import NO_RETRY, Problem, problem_for
from imagestudio.entrypoints.http.shutting_down import shutting_down
from imagestudio.entrypoints.http.signed_asset_routes import asset_links
from imagestudio.entrypoints.http.state import AppState, app_state
from imagestudio.entrypoints.http.studio_route import StudioRoute
from imagestudio.entrypoints.http.webhook_fields import subscription

router = APIRouter(tags=["openai"], route_class=StudioRoute)

User = Annotated[str, Depends(current_user)]


@router.post(
    "/v1/images/generations",
    response_model=ImagesOut,
    response_model_exclude_none=True,
    responses=RESPONSES,
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": ImagesIn.model_json_schema()}},
            "required": True,
        }
    },
)
async def create_images(request: Request, user: User) -> ImagesOut:
    """Text to image, answered as OpenAI's `images.generate` (seed in the extra body)."""
    body = validated(ImagesIn, await request.json())
    answer = AnswerFormat.asked(body.output_format, body.output_compression)
    operation = operation_request(
        request, user, OperationKind.TEXT_TO_IMAGE, body, parameters=_options(body)
    )
    operation = replace(operation, webhook=subscription(body))
    return await _run(request, operation, _format(body), answer)


@router.post(
    "/v1/images/edits",
    response_model=ImagesOut,
    response_model_exclude_none=True,
    responses=RESPONSES,
    openapi_extra={
        "requestBody": {
            "content": {"multipart/form-data": {"schema": EDIT_FORM}},
            "required": True,
        }
    },
)
async def edit_images(request: Request, user: User) -> ImagesOut:
    """Image edit from multipart `image` (+ optional `mask`, transparent where to edit) and
    `prompt`, answered as OpenAI's `images.edit`."""
    try:
        async with request.form() as form:
            fields, image, mask = await edit_form(form)
    except HTTPException as unreadable:
        raise bad_request("body", str(unreadable.detail)) from None
    body = validated(ImagesIn, fields)
    answer = AnswerFormat.asked(body.output_format, body.output_compression)
    parameters = _options(body)
    images = [ImageInput(data=image)]
    if mask is not None:
        images.append(ImageInput(data=await our_mask(app_state(request), mask), role="mask"))
        parameters["mode"] = "inpaint"
    operation = operation_request(
        request, user, OperationKind.IMAGE_EDIT, body, tuple(images), parameters
    )
    operation = replace(operation, webhook=subscription(body))
    return await _run(request, operation, _format(body), answer)


@router.post("/v1/images/variations", responses=RESPONSES, include_in_schema=False)
async def create_variations(user: User) -> None:
    """OpenAI's `images.create_variation`, which is not offered: said in OpenAI's error shape,
    so the client shows why (a plain 404 showed only "Error code: 404")."""
    del user  # a key that opens nothing is refused first, as on every route
    raise OpenAIProblem(
        Problem(
            status=404,
            slug="not-offered",
            title="Not offered",
            detail="image variations are not offered here: use images.edit with a prompt "
            "(POST /v1/images/edits), or n > 1 on images.generate",
            headers=NO_RETRY,
        )
    )


def _earlier_attempts_job(state: AppState, fingerprint: str) -> str | None:
    """The job a repeat joins (or whose success it replays): the one an earlier attempt of the
    call waited on, unless it failed, which the client repeats to have it run anew."""
    job = state.call_jobs.take(fingerprint)
    if job is None or state.jobs.crashed(job) or isinstance(state.jobs.finished(job), Failure):
        return None
    return job


def _options(body: ImagesIn) -> dict[str, ParameterValue]:
    return option_parameters({field: getattr(body, field) for field in SERVED}, body.output_format)


def _format(body: ImagesIn) -> str:
    """As OpenAI: `gpt-image-*` models answer base64 only, the others a URL by default."""
    if body.response_format is not None:
        return body.response_format
    return "b64_json" if (body.model or "").startswith("gpt-image") else "url"


async def _run(
    request: Request, operation: OperationRequest, response_format: str, answer: AnswerFormat
) -> ImagesOut:
    state = app_state(request)
    if not state.jobs.accepting:
        raise OpenAIProblem(shutting_down())
    # A job of this server, as `POST /v1/operations` runs it: counted in /metrics and drained
    # on shutdown. OpenAI's API answers with the images, so the answer waits for the end.
    fingerprint = call_fingerprint(operation, response_format)
    job = _earlier_attempts_job(state, fingerprint) if is_client_retry(request) else None
    while True:
        if job is None:
            job = state.jobs.start(replace(operation, operation_id=f"op_{uuid.uuid4().hex}"))
        state.call_jobs.remember(fingerprint, job)  # for this call's next repeat, if any
        outcome = await state.jobs.wait(job, math.inf)
        if not still_running(outcome) or await request.is_disconnected():
            break
        await asyncio.sleep(IN_PROGRESS_POLL_SECONDS)  # then the key's replay answers
        job = None
    if outcome is None:
        raise OpenAIProblem(await _stopped(state, job))
    if isinstance(outcome, Failure):
        raise OpenAIProblem(problem_for(outcome.failure()))
    result = outcome.unwrap()
    return ImagesOut(
        created=int(result.operation.created_at.timestamp()),
        data=[
            await _image(request, state, asset, response_format, answer) for asset in result.assets
        ],
    )


async def _stopped(state: AppState, job: str) -> Problem:
    """Why a run ended without an outcome: it raised (a bug), or it was cancelled (by
    `POST /v1/operations/{id}/cancel` or shutting down) — answered as its stored row says."""
    stored = await state.studio.container.operations().get(job)
    if state.jobs.crashed(job) or stored is None:
        return Problem(
            status=500,
            slug="internal",
            title="Internal error",
            detail="the operation failed unexpectedly; see the operations list for what it "
            "holds or was charged",
        )
    if stored.status is OperationStatus.UNKNOWN:
        task = stored.provider_task_ids[0] if stored.provider_task_ids else None
        unknown = OutcomeUnknown(operation_id=job, provider=stored.provider, provider_task_id=task)
        return problem_for(unknown)
    # Someone cancelled it: the client must not quietly run it again.
    return replace(problem_for(Cancelled(job)), headers=NO_RETRY)


async def _image(
    request: Request, state: AppState, asset: Asset, response_format: str, answer: AnswerFormat
) -> ImageOut:
    if response_format == "url":
        token = asset_links(request).sign(asset.owner, asset.id)
        link = request.url_for("get_signed_asset", token=token).include_query_params(
            **answer.query()
        )
        return ImageOut(url=str(link))
    found = await state.studio.get_asset.execute(asset.owner, asset.id)
    if isinstance(found, Failure):
        raise OpenAIProblem(problem_for(found.failure()))
    data, _ = await answer.applied(state, found.unwrap().data, asset.media_type)
    return ImageOut(b64_json=base64.b64encode(data).decode())
