"""`/files/{asset_id}`: the bytes of one of the signed-in user's assets, for the pages' images
and downloads (another user's asset does not exist here, as on `/v1`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from returns.result import Failure

from imagestudio.entrypoints.http.pages.page_errors import PageProblem
from imagestudio.entrypoints.http.pages.page_route import PageRoute
from imagestudio.entrypoints.http.pages.visits import UserVisit
from imagestudio.entrypoints.http.problems import problem_for
from imagestudio.entrypoints.http.state import app_state

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.get("/files/{asset_id}")
async def asset_file(asset_id: str, request: Request, visit: UserVisit) -> Response:
    found = await app_state(request).studio.get_asset.execute(visit.user_id, asset_id)
    if isinstance(found, Failure):
        raise PageProblem(problem_for(found.failure()))
    content = found.unwrap()
    return Response(
        content.data,
        media_type=content.asset.media_type.value,
        headers={"cache-control": "private, max-age=3600", "x-content-type-options": "nosniff"},
    )
