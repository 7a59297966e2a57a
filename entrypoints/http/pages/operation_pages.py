"""`/operations`: the signed-in user's operations with their status (the `ListOperations`
use case), and one operation's page, whose status fragment polls itself until it settles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from returns.result import Failure

from imagestudio.application.operation_views import OperationView
from imagestudio.domain.asset import Asset
from imagestudio.entrypoints.http.pages.page_errors import PageProblem
from imagestudio.entrypoints.http.pages.page_route import PageRoute
from imagestudio.entrypoints.http.pages.templating import render
from imagestudio.entrypoints.http.pages.visits import UserVisit
from imagestudio.entrypoints.http.problems import problem_for
from imagestudio.entrypoints.http.state import app_state

router = APIRouter(include_in_schema=False, route_class=PageRoute)
PAGE_SIZE = 50
SEND_ON = (
    ("edit", "Edit"),
    ("upscale", "Upscale"),
    ("control", "Control"),
    ("transform", "3D / video"),
    ("face-swap", "Face swap"),
    ("social", "Social"),
)
"""Where an output can be sent on: each kind's page takes `?asset=<id>`."""


@router.get("/operations")
async def operations_page(
    request: Request,
    visit: UserVisit,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> Response:
    listed = await app_state(request).studio.list_operations.execute(
        visit.user_id, cursor, PAGE_SIZE
    )
    if isinstance(listed, Failure):
        raise PageProblem(problem_for(listed.failure()))
    page = listed.unwrap()
    return render(request, "operations.html", views=page.items, next_cursor=page.next_cursor)


async def _view(request: Request, user_id: str, operation_id: str) -> OperationView:
    shown = await app_state(request).studio.show_operation.execute(user_id, operation_id)
    if isinstance(shown, Failure):
        raise PageProblem(problem_for(shown.failure()))
    return shown.unwrap()


async def _assets(request: Request, view: OperationView) -> list[Asset]:
    assets = app_state(request).studio.container.assets()
    found = [await assets.describe(view.operation.user_id, i) for i in view.operation.asset_ids]
    return [asset for asset in found if asset is not None]


@router.get("/operations/{operation_id}")
async def operation_page(operation_id: str, request: Request, visit: UserVisit) -> Response:
    view = await _view(request, visit.user_id, operation_id)
    return render(
        request,
        "operation.html",
        view=view,
        assets=await _assets(request, view),
        send_on=SEND_ON,
    )


@router.get("/operations/{operation_id}/status")
async def operation_status(operation_id: str, request: Request, visit: UserVisit) -> Response:
    """The fragment the operation's page polls: it stops polling once the status settles."""
    view = await _view(request, visit.user_id, operation_id)
    return render(
        request,
        "_operation_status.html",
        view=view,
        assets=await _assets(request, view),
        send_on=SEND_ON,
    )
