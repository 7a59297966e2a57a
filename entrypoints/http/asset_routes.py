"""The caller's asset library: list and search, describe, label, delete (the bytes are served by
`GET /v1/assets/{asset_id}` in `info_routes`). Another user's asset is a 404, never a 403: the
answer does not tell whether it exists."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from returns.result import Failure

from imagestudio.application.use_cases.list_assets import MAX_SEARCH_CHARS
from imagestudio.domain.asset import Asset
from imagestudio.domain.asset_query import AssetQuery
from imagestudio.domain.errors import AssetNotFound, InvalidInput
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.entrypoints.cli.limits import export_moment
from imagestudio.entrypoints.http.asset_schemas import (
    AssetDetailsOut,
    LibraryAssetOut,
    LibraryPageOut,
    RelabelIn,
)
from imagestudio.entrypoints.http.auth import current_user
from imagestudio.entrypoints.http.operation_routes import RESPONSES, refuse
from imagestudio.entrypoints.http.state import app_state
from imagestudio.entrypoints.http.studio_route import StudioRoute

router = APIRouter(tags=["assets"], route_class=StudioRoute)
User = Annotated[str, Depends(current_user)]
MOMENT = "A day (2026-11-01, from its midnight UTC) or an ISO 8601 time (UTC when it has no zone)."


@router.get("/v1/assets", response_model=LibraryPageOut, responses=RESPONSES)
async def list_assets(
    request: Request,
    user: User,
    kind: Annotated[OperationKind | None, Query(description="Only this operation kind.")] = None,
    model: Annotated[str | None, Query(max_length=200, description="Only this model's.")] = None,
    tag: Annotated[str | None, Query(max_length=200, description="Only with this tag.")] = None,
    collection: Annotated[
        str | None, Query(max_length=200, description="Only in this collection.")
    ] = None,
    favourite: Annotated[bool | None, Query(description="Only (not) favourites.")] = None,
    created_from: Annotated[
        str | None, Query(max_length=64, description=f"Created at or after. {MOMENT}")
    ] = None,
    created_before: Annotated[
        str | None, Query(max_length=64, description=f"Created strictly before. {MOMENT}")
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=MAX_SEARCH_CHARS,
            description="Words that must all appear in the prompt (whole words, any case).",
        ),
    ] = None,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> LibraryPageOut:
    """Your assets matching every filter given, newest first; pass `next_cursor` back as
    `cursor`, with the same filters, for the next page."""
    query = AssetQuery(
        kind=kind,
        model_id=model,
        tag=tag,
        collection=collection,
        favourite=favourite,
        created_from=query_moment("created_from", created_from),
        created_before=query_moment("created_before", created_before),
        text=q,
    )
    page = await app_state(request).studio.list_assets.execute(user, cursor, limit, query=query)
    if isinstance(page, Failure):
        raise refuse(page.failure())
    found = page.unwrap()
    return LibraryPageOut(
        items=[LibraryAssetOut.of(asset, _url(request, asset)) for asset in found.items],
        next_cursor=found.next_cursor,
    )


@router.get("/v1/assets/{asset_id}/details", response_model=AssetDetailsOut, responses=RESPONSES)
async def show_asset(asset_id: str, request: Request, user: User) -> AssetDetailsOut:
    """One of your assets described, with every asset it was derived from (nearest first;
    `deleted` once an ancestor is gone)."""
    shown = await app_state(request).studio.show_asset.execute(user, findable(asset_id))
    if isinstance(shown, Failure):
        raise refuse(shown.failure())
    details = shown.unwrap()
    return AssetDetailsOut.of_details(details, _url(request, details.asset))


@router.patch("/v1/assets/{asset_id}", response_model=LibraryAssetOut, responses=RESPONSES)
async def label_asset(
    asset_id: str, body: RelabelIn, request: Request, user: User
) -> LibraryAssetOut:
    """Add or remove tags and collections, set or clear the favourite flag, in one atomic
    change; the asset as it is afterwards. A label is 1-64 printable characters; an asset keeps
    at most 50 tags and 50 collections."""
    labelled = await app_state(request).studio.label_asset.execute(
        user, findable(asset_id), body.to_relabel()
    )
    if isinstance(labelled, Failure):
        raise refuse(labelled.failure())
    asset = labelled.unwrap()
    return LibraryAssetOut.of(asset, _url(request, asset))


@router.delete(
    "/v1/assets/{asset_id}",
    status_code=204,
    response_class=Response,
    responses={204: {"description": "deleted"}, **RESPONSES},
)
async def delete_asset(asset_id: str, request: Request, user: User) -> Response:
    """Delete one of your assets and its bytes; the ledger lines that paid for it stay, and
    assets derived from it keep naming it in their lineage."""
    removed = await app_state(request).studio.delete_asset.execute(user, findable(asset_id))
    if isinstance(removed, Failure):
        raise refuse(removed.failure())
    return Response(status_code=204)


def findable(asset_id: str) -> str:
    """The id, or 404 at once for one no asset can have (PostgreSQL cannot even compare text
    holding a NUL)."""
    if not asset_id.isprintable():
        raise refuse(AssetNotFound(asset_id))
    return asset_id


def query_moment(field: str, text: str | None, *, day_end: bool = False) -> datetime | None:
    """Read as `imagestudio assets list --since/--before` reads it (`day_end`: a day means the
    next day's start, as an export's `until`)."""
    if text is None:
        return None
    moment = export_moment(field, text, day_end=day_end)  # in UTC, within the calendar
    if isinstance(moment, InvalidInput):
        raise refuse(moment)
    return moment


def _url(request: Request, asset: Asset) -> str:
    return str(request.url_for("get_asset", asset_id=asset.id))
