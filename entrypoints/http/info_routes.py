"""Reading routes: models, quotes, the caller's usage, the caller's asset bytes, health."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from returns.result import Failure

from imagestudio.domain.media import MediaType
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.entrypoints.http.auth import current_user
from imagestudio.entrypoints.http.model_schemas import ModelOut, QuoteOut
from imagestudio.entrypoints.http.operation_routes import RESPONSES, refuse, to_request
from imagestudio.entrypoints.http.schemas import OperationIn
from imagestudio.entrypoints.http.state import app_state
from imagestudio.entrypoints.http.studio_route import StudioRoute
from imagestudio.entrypoints.http.usage_schemas import UsageOut
from imagestudio.entrypoints.http.webhook_fields import subscription

router = APIRouter(tags=["reading"], route_class=StudioRoute)
User = Annotated[str, Depends(current_user)]


@router.get(
    "/v1/models",
    response_model=list[ModelOut],
    responses={status: RESPONSES[status] for status in (400, 422)},
)
async def list_models(
    request: Request, kind: Annotated[OperationKind | None, Query()] = None
) -> list[ModelOut]:
    """Every catalog model (serving `kind`), its price, and whether it is usable here."""
    listings = await app_state(request).studio.list_models.execute(kind)
    return [ModelOut.of(item) for item in listings]


@router.post("/v1/quotes", response_model=QuoteOut, responses=RESPONSES)
async def quote(body: OperationIn, request: Request, user: User) -> QuoteOut:
    """What running this request would reserve, and how it fits your plan now (what it would
    use, what would remain, and whose limit would refuse it); nothing is reserved or called.
    A `webhook` is checked as running would check it."""
    asked = to_request(body, user, webhook=subscription(body))
    priced = await app_state(request).studio.quote.execute(asked)
    if isinstance(priced, Failure):
        raise refuse(priced.failure())
    return QuoteOut.of(priced.unwrap())


@router.get("/v1/usage", response_model=UsageOut, responses=RESPONSES)
async def usage(request: Request, user: User) -> UsageOut:
    """Your own usage this billing period: used, held and limit for each of your plan's limits."""
    report = await app_state(request).studio.usage.execute(user)
    if isinstance(report, Failure):
        raise refuse(report.failure())
    return UsageOut.of(report.unwrap())


@router.get(
    "/v1/assets/{asset_id}",
    name="get_asset",
    response_class=Response,
    responses={
        200: {
            "description": "the asset's bytes",
            "content": {
                media.value: {"schema": {"type": "string", "format": "binary"}}
                for media in MediaType
            },
        },
        **RESPONSES,
    },
)
async def get_asset(asset_id: str, request: Request, user: User) -> Response:
    """The bytes of one of your assets, with its media type."""
    found = await app_state(request).studio.get_asset.execute(user, asset_id)
    if isinstance(found, Failure):
        raise refuse(found.failure())
    content = found.unwrap()
    return Response(
        content.data,
        media_type=content.asset.media_type.value,
        headers={"cache-control": "private, max-age=3600"},
    )


@router.get("/healthz")
async def healthz(request: Request) -> dict[str, str]:
    """Alive and serving (and whether it still takes new operations)."""
    accepting = app_state(request).jobs.accepting
    return {"status": "ok" if accepting else "draining"}
