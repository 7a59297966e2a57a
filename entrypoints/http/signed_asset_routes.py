"""`GET /v1/signed-assets/{token}`: the bytes a signed asset link grants, without an API key,
until it expires (the links OpenAI's routes and webhooks answer with)."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request, Response
from returns.result import Failure

from imagestudio.domain.errors import InvalidInput
from imagestudio.entrypoints.http import signed_urls
from imagestudio.entrypoints.http.auth import ProblemError
from imagestudio.entrypoints.http.openai_formats import from_query
from imagestudio.entrypoints.http.problems import Problem, problem_for
from imagestudio.entrypoints.http.signed_urls import AssetLinks, LinkRefusal
from imagestudio.entrypoints.http.state import app_state
from imagestudio.entrypoints.http.studio_route import StudioRoute
from imagestudio.entrypoints.settings import Settings

router = APIRouter(tags=["openai"], route_class=StudioRoute)

_PROBLEM = {"application/problem+json": {"schema": {"type": "object"}}}


def install(app: FastAPI, settings: Settings) -> None:
    """Sign asset links with the settings' key."""
    app.state.asset_links = AssetLinks.from_settings(settings)


def asset_links(request: Request) -> AssetLinks:
    links: AssetLinks = request.app.state.asset_links
    return links


@router.get(
    f"{signed_urls.PATH}{{token}}",
    name="get_signed_asset",
    response_class=Response,
    responses={
        200: {"content": {"image/png": {}, "image/jpeg": {}, "image/webp": {}}},
        403: {"description": "not a link this server signed", "content": _PROBLEM},
        404: {"description": "the asset is gone", "content": _PROBLEM},
        410: {"description": "the link has expired", "content": _PROBLEM},
        422: {"description": "a URL holding NUL, or a format not offered", "content": _PROBLEM},
    },
)
async def get_signed_asset(
    token: str,
    request: Request,
    image_format: Annotated[
        str | None,
        Query(alias="format", description="png, jpeg or webp: the image re-encoded so."),
    ] = None,
    compression: Annotated[str | None, Query(description="0-100, for jpeg and webp.")] = None,
) -> Response:
    """The bytes a signed link grants, without an API key, until the link expires; in another
    image format when the link asks (an OpenAI answer's `output_format`)."""
    answer = from_query(image_format, compression)
    if isinstance(answer, InvalidInput):
        raise ProblemError(problem_for(answer))
    granted = asset_links(request).verify(token)
    if isinstance(granted, LinkRefusal):
        raise ProblemError(_refused(granted))
    state = app_state(request)
    found = await state.studio.get_asset.execute(granted.owner, granted.asset_id)
    if isinstance(found, Failure):
        raise ProblemError(problem_for(found.failure()))
    content = found.unwrap()
    made = content.asset.media_type
    data, media_type = await answer.applied(state, content.data, made)
    extension = answer.media_type.extension if answer.media_type else made.extension
    return Response(
        data,
        media_type=media_type,
        headers={
            "cache-control": f"private, max-age={max(0, granted.expires - int(time.time()))}",
            "content-disposition": f'inline; filename="{content.asset.id}.{extension}"',
        },
    )


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
