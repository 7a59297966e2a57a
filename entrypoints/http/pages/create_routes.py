"""`/create`: text to image, with a live quote (htmx, on every change) before running, and
running it: the page of the operation then follows it until it settles."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.entrypoints.http.pages.create_form import MAX_VARIATIONS, SIZES, generate_request
from imagestudio.entrypoints.http.pages.form_refusals import FormRefusal, refused
from imagestudio.entrypoints.http.pages.page_errors import PageProblem
from imagestudio.entrypoints.http.pages.page_route import PageRoute
from imagestudio.entrypoints.http.pages.page_runs import (
    refuse_when_shutting_down,
    run_and_follow,
    run_operation_id,
)
from imagestudio.entrypoints.http.pages.quotes import priced, quote_fragment
from imagestudio.entrypoints.http.pages.templating import render
from imagestudio.entrypoints.http.pages.visits import (
    CheckedForm,
    RunForm,
    UserVisit,
    stale_run_form,
)
from imagestudio.entrypoints.http.problems import problem_for
from imagestudio.entrypoints.http.state import app_state

router = APIRouter(include_in_schema=False, route_class=PageRoute)


FIELDS = ("prompt", "negative_prompt", "model", "size", "n", "seed")
"""The form's fields (a refusal that names one is shown beside it)."""


async def _form(
    request: Request, user_id: str, form: FormData, refusal: FormRefusal | None = None
) -> Response:
    """The page, its quote priced for `form` (empty on a first visit, as sent after a refusal)."""
    models = await app_state(request).studio.list_models.execute(OperationKind.TEXT_TO_IMAGE)
    return render(
        request,
        "create.html",
        **await priced(request, generate_request(form, user_id)),
        status=200 if refusal is None else refusal.problem.status,
        models=[item for item in models if item.available],
        sizes=SIZES,
        max_variations=MAX_VARIATIONS,
        refusal=refusal,
        kept=refusal.values if refusal else {},
    )


@router.get("/create")
async def create_page(request: Request, visit: UserVisit) -> Response:
    return await _form(request, visit.user_id, FormData())


@router.post("/create/quote")
async def create_quote(request: Request, visit: UserVisit, form: CheckedForm) -> Response:
    """The quote fragment: what running the form's request would reserve now (nothing is
    reserved or called), or why it cannot run."""
    return await quote_fragment(request, generate_request(form, visit.user_id), form)


@router.post("/create")
async def create(request: Request, visit: UserVisit, form: RunForm) -> Response:
    """Run the form's request; refused, the form again with the refusal beside its field."""
    stale = stale_run_form(request, form)
    try:
        if stale is not None:
            raise PageProblem(stale)
        refuse_when_shutting_down(request)
        wanted = generate_request(form, visit.user_id, run_operation_id(form, visit.user_id))
        if isinstance(wanted, InvalidInput):
            raise PageProblem(problem_for(wanted))
        return await run_and_follow(request, visit.user_id, wanted)
    except PageProblem as refusal:
        return await _form(request, visit.user_id, form, refused(refusal.problem, form, FIELDS))
