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
import io
import time
from dataclasses import replace
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from PIL import Image, ImageOps
from pydantic import BaseModel, ConfigDict, Field
from returns.result import Failure
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from imagestudio.application.requests import ImageInput, OperationRequest
from imagestudio.domain.asset import Asset
from imagestudio.domain.operation import ParameterValue
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.entrypoints.http import signed_urls
from imagestudio.entrypoints.http.auth import ProblemError, current_user
from imagestudio.entrypoints.http.invalid_requests import malformed, validated
from imagestudio.entrypoints.http.problems import Problem, problem_for
from imagestudio.entrypoints.http.signed_urls import AssetLinks, LinkRefusal
from imagestudio.entrypoints.http.state import AppState, app_state
from imagestudio.entrypoints.http.studio_route import StudioRoute
from imagestudio.entrypoints.http.webhook_fields import (
    EVENTS_FORM_FIELD,
    WebhookFields,
    events_of_form,
    subscription,
)
from imagestudio.entrypoints.settings import Settings

router = APIRouter(tags=["openai"], route_class=StudioRoute)

SIZE = r"^(auto|[0-9]{1,5}x[0-9]{1,5})$"
MASK_MAX_PIXELS = 1 << 26
IDEMPOTENCY_KEY_CHARS = 200
_ERROR = {"application/json": {"schema": {"type": "object", "properties": {"error": {}}}}}
_PROBLEM = {"application/problem+json": {"schema": {"type": "object"}}}
_BINARY = {"type": "string", "format": "binary"}
EDIT_FORM = {
    "type": "object",
    "required": ["image", "prompt"],
    "properties": {
        "image": _BINARY,
        "mask": _BINARY | {"description": "transparent where the image should be edited"},
        "prompt": {"type": "string"},
        "model": {"type": "string"},
        "n": {"type": "integer", "minimum": 1, "maximum": 16},
        "size": {"type": "string", "pattern": SIZE},
        "response_format": {"enum": ["url", "b64_json"]},
        "seed": {"type": "integer", "minimum": 0, "maximum": 4_294_967_294},
        "webhook": {"type": "string", "maxLength": 2048},
        "webhook_events": EVENTS_FORM_FIELD,
    },
}
RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": "an error in OpenAI's shape", "content": _ERROR}
    for status in (400, 401, 402, 404, 409, 413, 415, 422, 429, 502, 503, 504)
}


OpenAIProblem = ProblemError
"""Raised by these routes: answered in OpenAI's error shape (see `openai_errors`), as is every
other refusal on them."""


class ImagesIn(WebhookFields):
    """OpenAI's image request; what we have no use for (quality, style, user…) is ignored.
    `webhook` and `webhook_events` are ours, sent as extra body fields."""

    model_config = ConfigDict(extra="ignore")
    prompt: str
    model: str | None = Field(
        default=None,
        description="One of our model ids (`provider/name`); `auto`, OpenAI's names "
        "(`dall-e-3`, `gpt-image-1`…) and none mean auto.",
    )
    n: int | None = Field(default=None, ge=1, le=16)
    size: str | None = Field(default=None, pattern=SIZE, description="`WIDTHxHEIGHT`, or `auto`.")
    response_format: Literal["url", "b64_json"] | None = Field(
        default=None, description="`url` (a signed link) unless the model is `gpt-image-*`."
    )
    seed: int | None = Field(default=None, ge=0, le=4_294_967_294)
    stream: Literal[False] | None = Field(default=None, description="Streaming is not offered.")


class ImageOut(BaseModel):
    url: str | None = None
    b64_json: str | None = None


class ImagesOut(BaseModel):
    created: int
    data: list[ImageOut]


def install(app: FastAPI, settings: Settings) -> None:
    """Sign asset links with the settings' key."""
    app.state.asset_links = AssetLinks.from_settings(settings)


def asset_links(request: Request) -> AssetLinks:
    links: AssetLinks = request.app.state.asset_links
    return links


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
    operation = _operation(request, user, OperationKind.TEXT_TO_IMAGE, body)
    operation = replace(operation, webhook=subscription(body))
    return await _run(request, operation, _format(body))


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
            fields, image, mask = await _edit_form(form)
    except HTTPException as unreadable:
        raise _bad_request("body", str(unreadable.detail)) from None
    body = validated(ImagesIn, fields)
    images = [ImageInput(data=image)]
    parameters: dict[str, ParameterValue] = {}
    if mask is not None:
        images.append(ImageInput(data=await _our_mask(app_state(request), mask), role="mask"))
        parameters["mode"] = "inpaint"
    operation = _operation(request, user, OperationKind.IMAGE_EDIT, body, tuple(images), parameters)
    operation = replace(operation, webhook=subscription(body))
    return await _run(request, operation, _format(body))


@router.get(
    f"{signed_urls.PATH}{{token}}",
    name="get_signed_asset",
    response_class=Response,
    responses={
        200: {"content": {"image/png": {}, "application/octet-stream": {}}},
        403: {"description": "not a link this server signed", "content": _PROBLEM},
        404: {"description": "the asset is gone", "content": _PROBLEM},
        410: {"description": "the link has expired", "content": _PROBLEM},
        422: {"description": "a URL holding NUL", "content": _PROBLEM},
    },
)
async def get_signed_asset(token: str, request: Request) -> Response:
    """The bytes a signed link grants, without an API key, until the link expires."""
    granted = asset_links(request).verify(token)
    if isinstance(granted, LinkRefusal):
        raise ProblemError(_refused(granted))
    found = await app_state(request).studio.get_asset.execute(granted.owner, granted.asset_id)
    if isinstance(found, Failure):
        raise ProblemError(problem_for(found.failure()))
    content = found.unwrap()
    media = content.asset.media_type
    return Response(
        content.data,
        media_type=media.value,
        headers={
            "cache-control": f"private, max-age={max(0, granted.expires - int(time.time()))}",
            "content-disposition": f'inline; filename="{content.asset.id}.{media.extension}"',
        },
    )


async def _edit_form(form: FormData) -> tuple[dict[str, object], bytes, bytes | None]:
    fields: dict[str, object] = {}
    images: list[bytes] = []
    mask: bytes | None = None
    for name, value in form.multi_items():
        if isinstance(value, str) and name == "webhook_events":
            fields[name] = events_of_form(value)
        elif isinstance(value, str):
            fields[name] = value
        elif name in ("image", "image[]"):
            images.append(await value.read())
        elif name == "mask":
            mask = await value.read()
        else:
            raise _bad_request(name, "is not a file this route takes")
    if len(images) != 1:
        raise _bad_request("image", "give exactly one image to edit, as a file")
    return fields, images[0], mask


async def _our_mask(state: AppState, data: bytes) -> bytes:
    """OpenAI's mask is transparent where the edit applies, ours is white there; a mask without
    transparency is taken to be ours already."""
    inspector = state.studio.container.inspector()
    checked = await asyncio.to_thread(inspector.inspect, data, "mask", MASK_MAX_PIXELS)
    if isinstance(checked, Failure):
        raise OpenAIProblem(problem_for(checked.failure()))
    return await asyncio.to_thread(_transparency_to_white, data)


def _transparency_to_white(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        if image.mode not in ("RGBA", "LA", "PA") and "transparency" not in image.info:
            return data
        alpha = image.convert("RGBA").getchannel("A")
    converted = io.BytesIO()
    ImageOps.invert(alpha).save(converted, "PNG")
    return converted.getvalue()


def _operation(
    request: Request,
    user: str,
    kind: OperationKind,
    body: ImagesIn,
    images: tuple[ImageInput, ...] = (),
    parameters: dict[str, ParameterValue] | None = None,
) -> OperationRequest:
    width, height = _size(body.size)
    key = request.headers.get("idempotency-key")
    if key is not None and len(key) > IDEMPOTENCY_KEY_CHARS:
        raise _bad_request("idempotency-key", f"is longer than {IDEMPOTENCY_KEY_CHARS} characters")
    return OperationRequest(
        user_id=user,
        kind=kind,
        # Our ids are `provider/name`; OpenAI's own names mean: choose for me.
        model_id=body.model if body.model is not None and "/" in body.model else None,
        prompt=body.prompt,
        images=images,
        width=width,
        height=height,
        outputs=body.n or 1,
        seed=body.seed,
        parameters=parameters or {},
        idempotency_key=key,
    )


def _size(size: str | None) -> tuple[int | None, int | None]:
    if size is None or size == "auto":
        return None, None
    width, _, height = size.partition("x")
    return int(width), int(height)


def _format(body: ImagesIn) -> str:
    """As OpenAI: `gpt-image-*` models answer base64 only, the others a URL by default."""
    if body.response_format is not None:
        return body.response_format
    return "b64_json" if (body.model or "").startswith("gpt-image") else "url"


async def _run(request: Request, operation: OperationRequest, response_format: str) -> ImagesOut:
    state = app_state(request)
    if not state.jobs.accepting:
        raise OpenAIProblem(
            Problem(
                status=503,
                slug="shutting-down",
                title="Shutting down",
                detail="this server is shutting down; retry on another",
                headers={"retry-after": "1"},
            )
        )
    outcome = await state.studio.container.run_operation().execute(operation)
    if isinstance(outcome, Failure):
        raise OpenAIProblem(problem_for(outcome.failure()))
    result = outcome.unwrap()
    return ImagesOut(
        created=int(result.operation.created_at.timestamp()),
        data=[await _image(request, state, asset, response_format) for asset in result.assets],
    )


async def _image(request: Request, state: AppState, asset: Asset, response_format: str) -> ImageOut:
    if response_format == "url":
        token = asset_links(request).sign(asset.owner, asset.id)
        return ImageOut(url=str(request.url_for("get_signed_asset", token=token)))
    found = await state.studio.get_asset.execute(asset.owner, asset.id)
    if isinstance(found, Failure):
        raise OpenAIProblem(problem_for(found.failure()))
    return ImageOut(b64_json=base64.b64encode(found.unwrap().data).decode())


def _refused(refusal: LinkRefusal) -> Problem:
    if refusal is LinkRefusal.EXPIRED:
        return Problem(
            status=410,
            slug="link-expired",
            title="Link expired",
            detail="this asset link has expired; ask for the image again for a new one",
        )
    return Problem(
        status=403,
        slug="link-invalid",
        title="Invalid link",
        detail="this asset link was not signed by this server",
    )


def _bad_request(field: str, reason: str) -> OpenAIProblem:
    return OpenAIProblem(malformed(field, reason))
