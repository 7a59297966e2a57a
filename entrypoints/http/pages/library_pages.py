"""`/library`: the signed-in user's assets as a grid of thumbnails, filtered as `GET /v1/assets`
filters (a GET form: a filtered view is a shareable URL), more by cursor as the page scrolls
(an htmx sentinel; a plain "More" link without JavaScript), and each image's thumbnail."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from returns.result import Failure
from starlette.datastructures import FormData

from imagestudio.application.use_cases.list_assets import AssetPage
from imagestudio.domain.asset import Asset
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.thumbnail import DEFAULT_THUMBNAIL_SIZE
from imagestudio.entrypoints.http.pages.asset_pages import owned_id
from imagestudio.entrypoints.http.pages.form_refusals import refused
from imagestudio.entrypoints.http.pages.library_filters import (
    DEFAULT_PAGE_SIZE,
    FAVOURITE_CHOICES,
    MAX_PAGE_SIZE,
    LibraryFilters,
)
from imagestudio.entrypoints.http.pages.page_errors import PageProblem
from imagestudio.entrypoints.http.pages.page_route import PageRoute
from imagestudio.entrypoints.http.pages.templating import render
from imagestudio.entrypoints.http.pages.visits import UserVisit
from imagestudio.entrypoints.http.problems import problem_for
from imagestudio.entrypoints.http.state import app_state

router = APIRouter(include_in_schema=False, route_class=PageRoute)
Field = Annotated[str, Query(max_length=200)]
Moment = Annotated[str, Query(max_length=64)]


def library_filters(
    kind: Field = "",
    model: Field = "",
    tag: Field = "",
    collection: Field = "",
    favourite: Field = "",
    created_from: Moment = "",
    created_before: Moment = "",
    q: Annotated[str, Query(max_length=500)] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
) -> LibraryFilters:
    return LibraryFilters(
        kind=kind,
        model=model,
        tag=tag,
        collection=collection,
        favourite=favourite,
        created_from=created_from,
        created_before=created_before,
        q=q,
        limit=limit,
    )


Cursor = Annotated[str | None, Query(max_length=400)]
FILTER_FIELDS = (
    "q",
    "kind",
    "model",
    "tag",
    "collection",
    "favourite",
    "created_from",
    "created_before",
)
"""The filter form's fields (a refusal that names one is shown beside it)."""


async def _page(
    request: Request, user_id: str, filters: LibraryFilters, cursor: str | None
) -> AssetPage:
    query = filters.query()
    if isinstance(query, InvalidInput):
        raise PageProblem(problem_for(query))
    listed = await app_state(request).studio.list_assets.execute(
        user_id, cursor, filters.limit, query=query
    )
    if isinstance(listed, Failure):
        raise PageProblem(problem_for(listed.failure()))
    return listed.unwrap()


Filters = Annotated[LibraryFilters, Depends(library_filters)]


@router.get("/library")
async def library_page(
    request: Request, visit: UserVisit, filters: Filters, cursor: Cursor = None
) -> Response:
    """The grid; a filter refused is the form again with the refusal beside its field (above
    the form when it names none: a cursor, say), and no tiles."""
    refusal = None
    try:
        page = await _page(request, visit.user_id, filters, cursor)
    except PageProblem as refused_now:
        form = FormData(list(request.query_params.multi_items()))
        refusal = refused(refused_now.problem, form, FILTER_FIELDS)
        page = AssetPage(items=(), next_cursor=None)
    return render(
        request,
        "library.html",
        status=200 if refusal is None else refusal.problem.status,
        filters=filters,
        kinds=[kind.value for kind in OperationKind],
        favourite_choices=FAVOURITE_CHOICES,
        assets=[tile(asset) for asset in page.items],
        next_cursor=page.next_cursor,
        resumed=cursor is not None,
        refusal=refusal,
    )


@router.get("/library/more")
async def library_more(
    request: Request, visit: UserVisit, filters: Filters, cursor: Cursor = None
) -> Response:
    """The next page's tiles and, while more remain, the sentinel that loads the page after."""
    page = await _page(request, visit.user_id, filters, cursor)
    return render(
        request,
        "_library_tiles.html",
        filters=filters,
        assets=[tile(asset) for asset in page.items],
        next_cursor=page.next_cursor,
    )


@router.get("/library/{asset_id}/thumbnail")
async def asset_thumbnail(
    asset_id: str,
    request: Request,
    visit: UserVisit,
    size: Annotated[int, Query()] = DEFAULT_THUMBNAIL_SIZE,
) -> Response:
    """The image's thumbnail (`GetThumbnail`: made once, kept beside its bytes, in one of its
    sizes); 404 for another user's asset, as for the asset itself, and for a model or a video."""
    made = await app_state(request).studio.get_thumbnail.execute(
        visit.user_id, owned_id(asset_id), size
    )
    if isinstance(made, Failure):
        raise PageProblem(problem_for(made.failure()))
    thumbnail = made.unwrap()
    tag = '"' + hashlib.blake2b(thumbnail.data, digest_size=16).hexdigest() + '"'
    headers = {
        "cache-control": "private, max-age=3600",
        "etag": tag,
        "x-content-type-options": "nosniff",
    }
    return Response(thumbnail.data, media_type=thumbnail.media_type.value, headers=headers)


@dataclass(frozen=True, slots=True)
class Tile:
    """An asset in the grid, with its thumbnail's size (the image fitted inside the square,
    never enlarged) so the grid keeps its place while thumbnails load."""

    asset: Asset
    width: int | None
    height: int | None

    @property
    def has_thumbnail(self) -> bool:
        return self.asset.media_type.is_image


def tile(asset: Asset) -> Tile:
    if not asset.width or not asset.height:
        return Tile(asset, None, None)
    scale = min(1.0, DEFAULT_THUMBNAIL_SIZE / max(asset.width, asset.height))
    return Tile(asset, max(1, round(asset.width * scale)), max(1, round(asset.height * scale)))
