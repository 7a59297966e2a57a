"""`GET /v1/operations`: the caller's operations, newest first, each with what it holds of their
plan and what it waits for. Another user's operations never appear (one operation is read at
`GET /v1/operations/{operation_id}` in `operation_routes`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from returns.result import Failure

from imagestudio.application.use_cases.list_operations import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.operation_query import OperationQuery, statuses_asked
from imagestudio.entrypoints.http.asset_routes import MOMENT, query_moment
from imagestudio.entrypoints.http.auth import current_user
from imagestudio.entrypoints.http.operation_routes import RESPONSES, refuse
from imagestudio.entrypoints.http.operation_schemas import OperationItemOut, OperationPageOut
from imagestudio.entrypoints.http.state import app_state
from imagestudio.entrypoints.http.studio_route import StudioRoute

router = APIRouter(tags=["operations"], route_class=StudioRoute)
User = Annotated[str, Depends(current_user)]


@router.get("/v1/operations", response_model=OperationPageOut, responses=RESPONSES)
async def list_operations(
    request: Request,
    user: User,
    status: Annotated[
        list[OperationStatus] | None,
        Query(description="Only in one of these statuses (repeat it for several)."),
    ] = None,
    unfinished: Annotated[
        bool, Query(description="Only those not final yet: what may still hold quota.")
    ] = False,
    kind: Annotated[OperationKind | None, Query(description="Only this operation kind.")] = None,
    created_from: Annotated[
        str | None, Query(max_length=64, description=f"Created at or after. {MOMENT}")
    ] = None,
    created_before: Annotated[
        str | None, Query(max_length=64, description=f"Created strictly before. {MOMENT}")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
) -> OperationPageOut:
    """Your operations matching every filter given, newest first, each with what it still holds
    of your plan and what it waits for (and until when); pass `next_cursor` back as `cursor`,
    with the same filters, for the next page."""
    query = OperationQuery(
        statuses=statuses_asked(status or (), unfinished=unfinished),
        kind=kind,
        created_from=query_moment("created_from", created_from),
        created_before=query_moment("created_before", created_before),
    )
    page = await app_state(request).studio.list_operations.execute(user, cursor, limit, query)
    if isinstance(page, Failure):
        raise refuse(page.failure())
    found = page.unwrap()
    return OperationPageOut(
        items=[OperationItemOut.of(view) for view in found.items], next_cursor=found.next_cursor
    )
