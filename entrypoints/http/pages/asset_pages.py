"""`/library/{asset_id}`: one of the signed-in user's assets in detail (what made it, what it
cost, its labels) with its lineage drawn as a small layered graph: the assets it was made from
above it, those made from it below; each node links to its own details."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response
from returns.result import Failure, Success

from imagestudio.application.use_cases.show_asset import Ancestor, AssetDetails
from imagestudio.domain.asset import Asset
from imagestudio.domain.asset_query import AssetQuery
from imagestudio.domain.errors import AssetNotFound
from imagestudio.domain.operation import ImageOperation
from imagestudio.entrypoints.http.pages.form_refusals import FormRefusal
from imagestudio.entrypoints.http.pages.operation_pages import SEND_ON
from imagestudio.entrypoints.http.pages.page_errors import PageProblem
from imagestudio.entrypoints.http.pages.page_route import PageRoute
from imagestudio.entrypoints.http.pages.templating import render
from imagestudio.entrypoints.http.pages.visits import UserVisit
from imagestudio.entrypoints.http.problems import problem_for
from imagestudio.entrypoints.http.state import app_state

router = APIRouter(include_in_schema=False, route_class=PageRoute)
CHILDREN_SHOWN = 24
"""Assets made from this one shown in its graph (newest first); the rest are a filtered link."""


@dataclass(frozen=True, slots=True)
class Lineage:
    """The graph's layers: ancestors by depth (furthest first), then this asset's children."""

    ancestors: tuple[tuple[Ancestor, ...], ...]
    children: tuple[Asset, ...]
    more_children: bool


async def details_of(request: Request, user_id: str, asset_id: str) -> AssetDetails:
    """The asset's details, or the not-found page (another user's asset is not found too)."""
    shown = await app_state(request).studio.show_asset.execute(user_id, owned_id(asset_id))
    if isinstance(shown, Failure):
        raise PageProblem(problem_for(shown.failure()))
    return shown.unwrap()


def owned_id(asset_id: str) -> str:
    """The id, or the not-found page at once for one no asset can have (a database cannot
    even compare text holding a NUL)."""
    if not asset_id.isprintable():
        raise PageProblem(problem_for(AssetNotFound(asset_id)))
    return asset_id


async def _operation(request: Request, user_id: str, asset: Asset) -> ImageOperation | None:
    shown = await app_state(request).studio.show_operation.execute(user_id, asset.operation_id)
    return shown.unwrap().operation if isinstance(shown, Success) else None


async def _lineage(request: Request, user_id: str, details: AssetDetails) -> Lineage:
    depths = sorted({step.depth for step in details.lineage}, reverse=True)
    layers = tuple(
        tuple(step for step in details.lineage if step.depth == depth) for depth in depths
    )
    listed = await app_state(request).studio.list_assets.execute(
        user_id, None, CHILDREN_SHOWN, query=AssetQuery(derived_from=details.asset.id)
    )
    page = listed.unwrap() if isinstance(listed, Success) else None
    return Lineage(
        ancestors=layers,
        children=page.items if page else (),
        more_children=bool(page and page.next_cursor),
    )


@router.get("/library/{asset_id}")
async def asset_page(asset_id: str, request: Request, visit: UserVisit) -> Response:
    return await asset_answer(request, visit.user_id, asset_id)


async def asset_answer(
    request: Request, user_id: str, asset_id: str, refusal: FormRefusal | None = None
) -> Response:
    """The details page; with `refusal`, a label form's refusal beside its field (above the
    page's forms when it names none) and the label sent kept."""
    details = await details_of(request, user_id, asset_id)
    asset = details.asset
    return render(
        request,
        "asset.html",
        status=200 if refusal is None else refusal.problem.status,
        asset=asset,
        operation=await _operation(request, user_id, asset),
        lineage=await _lineage(request, user_id, details),
        send_on=SEND_ON if asset.media_type.is_image else (),
        refusal=refusal,
        kept=refusal.values if refusal and refusal.field else {},
    )


@router.get("/library/{asset_id}/delete")
async def delete_page(asset_id: str, request: Request, visit: UserVisit) -> Response:
    """The confirmation step before a delete (the POST is the delete itself)."""
    details = await details_of(request, visit.user_id, asset_id)
    return render(request, "asset_delete.html", asset=details.asset)
