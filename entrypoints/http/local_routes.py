"""Local operations over HTTP: compress, convert and fit to a social format, done in this
process. Free, but recorded like any operation (a new asset with its lineage, a zero-cost
ledger line, a call in the plan's `local` category), and answered with the operation's JSON.

Bodies are JSON (`image` as base64, or `asset_id`) or multipart (an `image` file part and the
same fields as form fields), as `POST /v1/operations` reads them.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel
from returns.result import Failure, Result

from imagestudio.application.requests import ImageInput, OperationResult
from imagestudio.domain.errors import InvalidInput, OperationError
from imagestudio.entrypoints.http.asset_routes import findable
from imagestudio.entrypoints.http.auth import ProblemError, current_user
from imagestudio.entrypoints.http.invalid_requests import BodyRefused, malformed, validated
from imagestudio.entrypoints.http.local_schemas import (
    CompressIn,
    ConvertIn,
    LocalImageIn,
    SocialFormatOut,
    SocialIn,
    media_type,
)
from imagestudio.entrypoints.http.operation_bodies import not_null
from imagestudio.entrypoints.http.operation_routes import RESPONSES, refuse
from imagestudio.entrypoints.http.problems import problem_for
from imagestudio.entrypoints.http.schemas import AssetOut, OperationOut
from imagestudio.entrypoints.http.state import app_state
from imagestudio.entrypoints.http.studio_route import StudioRoute, essence

router = APIRouter(tags=["local operations"], route_class=StudioRoute)
User = Annotated[str, Depends(current_user)]
Body = TypeVar("Body", bound=LocalImageIn)
Outcome = Result[OperationResult, OperationError]
FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")


def _documented(model: type[BaseModel]) -> dict[str, Any]:
    """The request body in both encodings: JSON, and multipart with `image` as a file part."""
    schema = model.model_json_schema()
    assert "$defs" not in schema  # an inline copy could not resolve them
    properties = {
        name: {"type": "string", "format": "binary"} if name == "image" else not_null(field)
        for name, field in schema["properties"].items()
    }
    form = {
        "type": "object",
        "properties": properties,
        "required": schema.get("required", []),
        "additionalProperties": False,
    }
    plain_form = {**form, "properties": {**properties, "image": schema["properties"]["image"]}}
    return {
        "requestBody": {
            "content": {
                "application/json": {"schema": schema},
                "multipart/form-data": {"schema": form},
                # A request naming an `asset_id` has no file to send; `image` is then base64.
                "application/x-www-form-urlencoded": {"schema": plain_form},
            },
            "required": True,
        }
    }


async def _read(request: Request, model: type[Body]) -> Body:
    if essence(request.headers.get("content-type", "")) in FORMS:
        return validated(model, await _form_fields(request))
    return validated(model, await request.json())


async def _form_fields(request: Request) -> dict[str, str]:
    fields: dict[str, str] = {}
    form = await request.form()
    for name, value in form.multi_items():
        if isinstance(value, str):
            fields[name] = value
        elif name == "image":
            fields[name] = base64.b64encode(await value.read()).decode()
        else:
            raise BodyRefused(malformed(name, "is not a file this route takes"))
    return fields


def _image(body: LocalImageIn) -> ImageInput:
    if body.asset_id is not None:
        findable(body.asset_id)
    image = body.to_input()
    if isinstance(image, InvalidInput):
        raise refuse(image)
    return image


async def _answer(
    request: Request, work: Awaitable[Outcome], body: type[LocalImageIn]
) -> OperationOut:
    """The finished operation, or its refusal with each use-case field named as in the body."""
    outcome = await work
    if isinstance(outcome, Failure):
        raise ProblemError(problem_for(body.named_here(outcome.failure())))
    done = outcome.unwrap()
    assets = [
        AssetOut.of(asset, str(request.url_for("get_asset", asset_id=asset.id)))
        for asset in done.assets
    ]
    return OperationOut.of(done.operation, assets, done.failed_outputs)


@router.post(
    "/v1/local/compress",
    response_model=OperationOut,
    responses=RESPONSES,
    openapi_extra=_documented(CompressIn),
)
async def compress(request: Request, user: User) -> OperationOut:
    """Re-encode an image smaller, at a `quality` (1-100) or as good as fits in `target_bytes`,
    optionally in another `format`. Free."""
    body = await _read(request, CompressIn)
    work = app_state(request).studio.compress.execute(user, _image(body), body.spec())
    return await _answer(request, work, CompressIn)


@router.post(
    "/v1/local/convert",
    response_model=OperationOut,
    responses=RESPONSES,
    openapi_extra=_documented(ConvertIn),
)
async def convert(request: Request, user: User) -> OperationOut:
    """Convert an image to `format`; transparency becomes `background` where the format has no
    alpha channel. Free."""
    body = await _read(request, ConvertIn)
    work = app_state(request).studio.convert.execute(user, _image(body), body.spec())
    return await _answer(request, work, ConvertIn)


@router.post(
    "/v1/local/social",
    response_model=OperationOut,
    responses=RESPONSES,
    openapi_extra=_documented(SocialIn),
)
async def social(request: Request, user: User) -> OperationOut:
    """Resize and smart-crop an image to exactly a social platform's `preset`
    (`instagram/story`...), in the preset's file type unless `format` says otherwise. Free."""
    body = await _read(request, SocialIn)
    work = app_state(request).studio.social.execute(
        user,
        _image(body),
        body.preset,
        media_type=media_type(body.format),
        metadata=body.kept_metadata(),
    )
    return await _answer(request, work, SocialIn)


@router.get("/v1/social-formats", response_model=list[SocialFormatOut], responses=RESPONSES)
async def social_formats(
    request: Request,
    platform: Annotated[
        str | None, Query(max_length=100, description="Only this platform's formats.")
    ] = None,
) -> list[SocialFormatOut]:
    """The social platform formats `POST /v1/local/social` knows, sorted by key."""
    formats = await app_state(request).studio.social_formats.execute(platform)
    return [SocialFormatOut.of(found) for found in formats]
