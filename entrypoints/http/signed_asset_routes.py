"""`GET /v1/signed-assets/{token}`: the bytes a signed asset link grants, without an API key,
until it expires (the links OpenAI's routes and webhooks answer with)."""

from __future__ import annotations

import time

from fastapi import APIRouter, FastAPI, Request, Response
from returns.result import Failure

from imagestudio.entrypoints.http import signed_urls
from imagestudio.entrypoints.http.auth import ProblemError
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
