"""OpenAI's images API over the same money path as `/v1/operations`, so an app written for the
`openai` client needs only another `base_url` and API key: quota, ledger and assets as usual.

`url` answers are signed links (`/v1/signed-assets/{token}`) that need no API key. Errors here
take OpenAI's body, `{"error": {"message", "type", "code", "param"}}`, with the status and retry
headers of `problems.py`: the client retries 408, 409, 429 and 5xx unless the answer says
`x-should-retry: false`, as every refusal not worth repeating does.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.exceptions import HTTPException

from imagestudio.application.requests import ImageInput
from imagestudio.domain.operation import ParameterValue
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.entrypoints.http.auth import current_user
from imagestudio.entrypoints.http.invalid_requests import validated
from imagestudio.entrypoints.http.openai_calls import run_call
from imagestudio.entrypoints.http.openai_formats import AnswerFormat
from imagestudio.entrypoints.http.openai_masks import our_mask
from imagestudio.entrypoints.http.openai_options import SERVED, option_parameters
from imagestudio.entrypoints.http.openai_requests import (
    OpenAIProblem,
    bad_request,
    edit_form,
    operation_request,
)
from imagestudio.entrypoints.http.openai_schemas import (
    EDIT_FORM,
    RESPONSES,
    ImagesIn,
    ImagesOut,
)
from imagestudio.entrypoints.http.problems import NO_RETRY, Problem
from imagestudio.entrypoints.http.state import app_state
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
    return await run_call(request, operation, _format(body), answer)


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
    return await run_call(request, operation, _format(body), answer)


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


def _options(body: ImagesIn) -> dict[str, ParameterValue]:
    return option_parameters({field: getattr(body, field) for field in SERVED}, body.output_format)


def _format(body: ImagesIn) -> str:
    """As OpenAI: `gpt-image-*` models answer base64 only, the others a URL by default."""
    if body.response_format is not None:
        return body.response_format
    return "b64_json" if (body.model or "").startswith("gpt-image") else "url"
