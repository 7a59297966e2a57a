"""`/operations`: the signed-in user's operations with their status (the `ListOperations`
use case), and one operation's page, whose status fragment polls itself until it settles, with
a Cancel button while it runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from returns.result import Failure

from imagestudio.application.operation_views import OperationView
from imagestudio.domain.asset import Asset
from imagestudio.entrypoints.http.auth import ProblemError
from imagestudio.entrypoints.http.cancelling import CONFLICT, cancel_owned
from imagestudio.entrypoints.http.pages.page_errors import PageProblem
from imagestudio.entrypoints.http.pages.page_route import PageRoute
from imagestudio.entrypoints.http.pages.templating import link, render
from imagestudio.entrypoints.http.pages.visits import CheckedForm, UserVisit
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


def _cancellable(request: Request, view: OperationView) -> bool:
    """Whether the page offers Cancel: the operation still runs, in this server."""
    operation = view.operation
    return not operation.status.is_settled and app_state(request).jobs.running(operation.id)


@router.get("/operations/{operation_id}")
async def operation_page(operation_id: str, request: Request, visit: UserVisit) -> Response:
    view = await _view(request, visit.user_id, operation_id)
    return render(
        request,
        "operation.html",
        view=view,
        assets=await _assets(request, view),
        send_on=SEND_ON,
        cancellable=_cancellable(request, view),
    )


@router.get("/operations/{operation_id}/status")
async def operation_status(
    operation_id: str,
    request: Request,
    visit: UserVisit,
    shown: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """The fragment the operation's page polls: it stops polling once the status settles.
    `shown`: the status the page shows now; when it is another, the live region and the Cancel
    button are updated too (out of band), else they are left as they are."""
    try:
        view = await _view(request, visit.user_id, operation_id)
    except PageProblem:
        if not request.headers.get("hx-request"):
            raise
        # Not this session's (another user signed in from another tab): the page reloads whole,
        # to show what this session may see, rather than a refusal amid the other's page.
        return Response(status_code=204, headers={"hx-refresh": "true"})
    return render(
        request,
        "_operation_status.html",
        view=view,
        assets=await _assets(request, view),
        send_on=SEND_ON,
        cancellable=_cancellable(request, view),
        status_changed=shown != view.operation.status.value,
    )


@router.post("/operations/{operation_id}/cancel")
async def cancel(
    operation_id: str, request: Request, visit: UserVisit, form: CheckedForm
) -> Response:
    """The Cancel button: the API's cancel, then the operation's page, which shows how it was
    settled. One that ended meanwhile (or a second click) just shows its page."""
    del form  # checked: a page from another site cannot cancel the visitor's operations
    try:
        await cancel_owned(app_state(request), visit.user_id, operation_id)
    except ProblemError as refused:
        if refused.problem.status != CONFLICT:
            raise PageProblem(refused.problem) from None
    return RedirectResponse(link(request, f"/operations/{operation_id}"), status_code=303)
