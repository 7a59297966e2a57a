"""`GET /v1/assets/{asset_id}/thumbnail`: a small WebP preview of one of the caller's images.

Made on first request and kept beside the asset's bytes; served with a strong `ETag` (of its
bytes) so a browser revalidates with `If-None-Match` and gets a bodiless 304. Another user's
asset is a 404 (`asset-not-found`), as for the asset itself; a 3D model or a video is a 404
`no-thumbnail` problem naming its media type, so a page shows a placeholder instead.
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from returns.result import Failure

from imagestudio.domain.thumbnail import DEFAULT_THUMBNAIL_SIZE, THUMBNAIL_MEDIA, THUMBNAIL_SIZES
from imagestudio.entrypoints.http.asset_routes import findable
from imagestudio.entrypoints.http.auth import ProblemError, current_user
from imagestudio.entrypoints.http.operation_routes import RESPONSES
from imagestudio.entrypoints.http.problems import problem_for
from imagestudio.entrypoints.http.state import app_state
from imagestudio.entrypoints.http.studio_route import StudioRoute

router = APIRouter(tags=["assets"], route_class=StudioRoute)
User = Annotated[str, Depends(current_user)]
CACHING = "private, max-age=3600"
"""As for the asset's own bytes: only the owner's browser keeps it."""


@router.get(
    "/v1/assets/{asset_id}/thumbnail",
    name="get_thumbnail",
    response_class=Response,
    responses={
        200: {
            "description": "the thumbnail: the image fitted inside a `size` square, as WebP",
            "content": {THUMBNAIL_MEDIA.value: {"schema": {"type": "string", "format": "binary"}}},
        },
        304: {"description": "not modified (`If-None-Match` named this `ETag`)"},
        **RESPONSES,
    },
)
async def get_thumbnail(
    asset_id: str,
    request: Request,
    user: User,
    size: Annotated[
        int,
        Query(
            description="The longest side in pixels: one of "
            + ", ".join(map(str, THUMBNAIL_SIZES))
            + " (others are refused, 422).",
            json_schema_extra={"enum": list(THUMBNAIL_SIZES)},
        ),
    ] = DEFAULT_THUMBNAIL_SIZE,
) -> Response:
    """A preview of one of your images, never larger than the image itself."""
    made = await app_state(request).studio.get_thumbnail.execute(user, findable(asset_id), size)
    if isinstance(made, Failure):
        raise ProblemError(problem_for(made.failure()))
    thumbnail = made.unwrap()
    tag = '"' + hashlib.blake2b(thumbnail.data, digest_size=16).hexdigest() + '"'
    headers = {"cache-control": CACHING, "etag": tag}
    if _matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=headers)
    return Response(thumbnail.data, media_type=thumbnail.media_type.value, headers=headers)


def _matches(header: str | None, tag: str) -> bool:
    """Whether `If-None-Match` names `tag` (weakly, as RFC 9110 compares it) or is `*`."""
    if header is None:
        return False
    named = {part.strip().removeprefix("W/") for part in header.split(",")}
    return tag in named or "*" in named
