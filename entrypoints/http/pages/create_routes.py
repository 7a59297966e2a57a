"""`/create`: text to image, with a live quote (htmx, on every change) before running, and
running it: the page of the operation then follows it until it settles."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from returns.result import Failure

from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.entrypoints.http.pages.create_form import MAX_VARIATIONS, SIZES, generate_request
from imagestudio.entrypoints.http.pages.page_errors import PageProblem, render_problem
from imagestudio.entrypoints.http.pages.templating import link, render
from imagestudio.entrypoints.http.pages.visits import CheckedForm, UserVisit
from imagestudio.entrypoints.http.problems import Problem, problem_for
from imagestudio.entrypoints.http.state import app_state
from imagestudio.entrypoints.http.studio_route import StudioRoute

router = APIRouter(include_in_schema=False, route_class=StudioRoute)
REFUSAL_SECONDS = 0.5
"""How long the run waits for a refusal before the operation's page takes over: a request
refused at once (a limit, a bad field) is answered on the Create page itself."""


@router.get("/create")
async def create_page(request: Request, visit: UserVisit) -> Response:
    del visit
    models = await app_state(request).studio.list_models.execute(OperationKind.TEXT_TO_IMAGE)
    return render(
        request,
        "create.html",
        models=[item for item in models if item.available],
        sizes=SIZES,
        max_variations=MAX_VARIATIONS,
    )


@router.post("/create/quote")
async def create_quote(request: Request, visit: UserVisit, form: CheckedForm) -> Response:
    """The quote fragment: what running the form's request would reserve now (nothing is
    reserved or called), or why it cannot run."""
    wanted = generate_request(form, visit.user_id)
    if isinstance(wanted, InvalidInput):
        return render(request, "_quote.html", quote=None, problem=problem_for(wanted))
    priced = await app_state(request).studio.quote.execute(wanted)
    if isinstance(priced, Failure):
        return render(request, "_quote.html", quote=None, problem=problem_for(priced.failure()))
    return render(request, "_quote.html", quote=priced.unwrap(), problem=None)


@router.post("/create")
async def create(request: Request, visit: UserVisit, form: CheckedForm) -> Response:
    state = app_state(request)
    if not state.jobs.accepting:
        raise PageProblem(
            Problem(
                status=503,
                slug="shutting-down",
                title="Shutting down",
                detail="this server is shutting down; try again in a moment",
            )
        )
    wanted = generate_request(form, visit.user_id, f"op_{uuid.uuid4().hex}")
    if isinstance(wanted, InvalidInput):
        raise PageProblem(problem_for(wanted))
    job = state.jobs.start(wanted)
    outcome = await state.jobs.wait(job, REFUSAL_SECONDS)
    if outcome is None:
        outcome = await state.jobs.wait_recorded(job, 5.0)
    if isinstance(outcome, Failure) and not await _recorded(request, visit.user_id, job):
        # Refused before it was accepted: nothing was reserved or charged.
        return render_problem(request, problem_for(outcome.failure()))
    return RedirectResponse(link(request, f"/operations/{job}"), status_code=303)


async def _recorded(request: Request, user_id: str, operation_id: str) -> bool:
    shown = await app_state(request).studio.show_operation.execute(user_id, operation_id)
    return not isinstance(shown, Failure)
