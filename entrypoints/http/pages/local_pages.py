"""`/social`, `/compress`, `/convert`: the local operations from the browser. They finish while
the request waits, so a run goes straight to the operation's page (its before and after)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from returns.result import Failure, Result

from imagestudio.application.requests import ImageInput, OperationResult
from imagestudio.domain.errors import InvalidInput, OperationError
from imagestudio.entrypoints.http.local_schemas import (
    CompressIn,
    ConvertIn,
    LocalImageIn,
    SocialIn,
    media_type,
)
from imagestudio.entrypoints.http.pages.form_refusals import FormRefusal, refused
from imagestudio.entrypoints.http.pages.kind_pages import library_images
from imagestudio.entrypoints.http.pages.local_forms import (
    FORMATS,
    LOCAL_OF,
    LOCAL_PAGES,
    local_body,
)
from imagestudio.entrypoints.http.pages.page_errors import PageProblem
from imagestudio.entrypoints.http.pages.page_requests import checked
from imagestudio.entrypoints.http.pages.page_route import PageRoute
from imagestudio.entrypoints.http.pages.run_tokens import run_key
from imagestudio.entrypoints.http.pages.templating import link, render
from imagestudio.entrypoints.http.pages.visits import (
    RunForm,
    UserVisit,
    stale_run_form,
)
from imagestudio.entrypoints.http.problems import problem_for
from imagestudio.entrypoints.http.state import AppState, app_state

router = APIRouter(include_in_schema=False, route_class=PageRoute)
Outcome = Result[OperationResult, OperationError]
Work = Callable[[AppState, str, LocalImageIn], Awaitable[Outcome]]


def _social(state: AppState, user: str, body: LocalImageIn) -> Awaitable[Outcome]:
    assert isinstance(body, SocialIn)
    image = _input(body)
    return state.studio.social.execute(
        user, image, body.preset, media_type=media_type(body.format), metadata=body.kept_metadata()
    )


def _compress(state: AppState, user: str, body: LocalImageIn) -> Awaitable[Outcome]:
    assert isinstance(body, CompressIn)
    return state.studio.compress.execute(user, _input(body), body.spec())


def _convert(state: AppState, user: str, body: LocalImageIn) -> Awaitable[Outcome]:
    assert isinstance(body, ConvertIn)
    return state.studio.convert.execute(user, _input(body), body.spec())


def _input(body: LocalImageIn) -> ImageInput:
    image = body.to_input()
    if isinstance(image, InvalidInput):
        raise PageProblem(problem_for(image))
    return image


RUNS: dict[str, tuple[type[LocalImageIn], Work, dict[str, str]]] = {
    "social": (SocialIn, _social, {"format": "preset", "media_type": "format"}),
    "compress": (CompressIn, _compress, {"media_type": "format"}),
    "convert": (ConvertIn, _convert, {"media_type": "format"}),
}
"""Each page's body, its use case, and the use case's field names as the form names them."""


FIELDS = ("image", "preset", "quality", "target_bytes", "background", "format", "metadata")
"""The local pages' fields (a refusal that names one is shown beside it)."""


async def _form_page(
    request: Request,
    user_id: str,
    slug: str,
    asset: str | None,
    refusal: FormRefusal | None = None,
) -> Response:
    formats = await app_state(request).studio.social_formats.execute()
    kept = refusal.values if refusal else {}
    return render(
        request,
        "local.html",
        status=200 if refusal is None else refusal.problem.status,
        page=LOCAL_OF[slug],
        local_pages=LOCAL_PAGES,
        library=await library_images(request, user_id, kept.get("image_asset") or asset),
        preselected=asset or "",
        social_formats=formats,
        formats=FORMATS,
        refusal=refusal,
        kept=kept,
    )


def _routes(slug: str) -> None:
    body_model, work, renamed = RUNS[slug]

    async def show(
        request: Request,
        visit: UserVisit,
        asset: Annotated[str | None, Query(max_length=200)] = None,
    ) -> Response:
        return await _form_page(request, visit.user_id, slug, asset)

    async def run(request: Request, visit: UserVisit, form: RunForm) -> Response:
        """Run the form's request; refused, the form again with the refusal beside its field."""
        stale = stale_run_form(request, form)
        try:
            if stale is not None:
                raise PageProblem(stale)
            fields = await local_body(form)
            body = fields if isinstance(fields, InvalidInput) else checked(body_model, fields)
            if isinstance(body, InvalidInput):
                raise PageProblem(problem_for(body))
            state = app_state(request)
            outcome = await state.local_runs.once(
                run_key(form, visit.user_id), lambda: work(state, visit.user_id, body)
            )
            if isinstance(outcome, Failure):
                error = outcome.failure()
                if isinstance(error, InvalidInput) and error.field in renamed:
                    error = replace(error, field=renamed[error.field])
                raise PageProblem(problem_for(error))
        except PageProblem as refusal:
            shown = refused(refusal.problem, form, FIELDS)
            return await _form_page(request, visit.user_id, slug, None, shown)
        operation = outcome.unwrap().operation
        return RedirectResponse(link(request, f"/operations/{operation.id}"), status_code=303)

    router.add_api_route(f"/{slug}", show, methods=["GET"], name=f"{slug}_page")
    router.add_api_route(f"/{slug}", run, methods=["POST"], name=f"{slug}_run")


for _slug in RUNS:
    _routes(_slug)
