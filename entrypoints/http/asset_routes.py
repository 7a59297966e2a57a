"""`GET /v1/assets`: the caller's own assets, newest first, a page at a time."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from returns.result import Failure

from imagestudio.entrypoints.http.auth import current_user
from imagestudio.entrypoints.http.operation_routes import RESPONSES, refuse
from imagestudio.entrypoints.http.schemas import AssetOut, AssetPageOut
from imagestudio.entrypoints.http.state import app_state

router = APIRouter(tags=["assets"])
User = Annotated[str, Depends(current_user)]


@router.get("/v1/assets", response_model=AssetPageOut, responses=RESPONSES)
async def list_assets(
    request: Request,
    user: User,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AssetPageOut:
    """Your assets, newest first; pass `next_cursor` back as `cursor` for the next page."""
    page = await app_state(request).studio.list_assets.execute(user, cursor, limit)
    if isinstance(page, Failure):
        raise refuse(page.failure())
    found = page.unwrap()
    return AssetPageOut(
        items=[
            AssetOut.of(asset, str(request.url_for("get_asset", asset_id=asset.id)))
            for asset in found.items
        ],
        next_cursor=found.next_cursor,
    )
