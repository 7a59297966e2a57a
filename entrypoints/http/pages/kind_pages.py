"""The page of every kind but text to image (`/edit`, `/upscale`, `/control`, `/face-swap`,
`/to-3d`, `/to-video`): the form of the chosen model (from the catalog), its live quote, and
running it, which the operation's page then follows until it settles. `?asset=<id>` preselects
one of the user's assets as the input; `/tools` lists every kind and `/transform` the two that
turn an image into something else."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from returns.result import Failure
from starlette.datastructures import FormData

from imagestudio.application.use_cases.list_models import ModelListing
from imagestudio.domain.asset import Asset
from imagestudio.domain.errors import InvalidInput, UnknownModel
from imagestudio.domain.model import Model
from imagestudio.entrypoints.http.pages.form_field import Target
from imagestudio.entrypoints.http.pages.form_fields import text
from imagestudio.entrypoints.http.pages.form_refusals import FormRefusal, refused
from imagestudio.entrypoints.http.pages.kind_forms import (
    KIND_PAGES,
    MASKED_MODES,
    KindPage,
    form_for,
)
from imagestudio.entrypoints.http.pages.kind_requests import ASSET_SUFFIX, kind_body
from imagestudio.entrypoints.http.pages.local_forms import LOCAL_PAGES
from imagestudio.entrypoints.http.pages.page_errors import PageProblem
from imagestudio.entrypoints.http.pages.page_requests import page_request
from imagestudio.entrypoints.http.pages.page_route import PageRoute
from imagestudio.entrypoints.http.pages.page_runs import (
    refuse_when_shutting_down,
    run_and_follow,
    run_operation_id,
)
from imagestudio.entrypoints.http.pages.quote_uploads import resolved
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
LIBRARY_CHOICES = 48
"""How many of the user's newest images the input pickers offer (plus a preselected one)."""
Picked = Annotated[str | None, Query(max_length=200)]


async def available_models(request: Request, page: KindPage) -> list[ModelListing]:
    listed = await app_state(request).studio.list_models.execute(page.kind)
    return [item for item in listed if item.available]


def chosen_model(listings: list[ModelListing], model_id: str | None) -> ModelListing:
    for item in listings:
        if item.model.id == model_id:
            return item
    if model_id or not listings:
        # Not run here (another kind's, unknown, or its provider not configured).
        raise PageProblem(problem_for(UnknownModel(model_id or "none")))
    return listings[0]


async def library_images(request: Request, user_id: str, preselected: str | None) -> list[Asset]:
    """The user's newest images, with the preselected one (if it is theirs) first."""
    studio = app_state(request).studio
    listed = await studio.list_assets.execute(user_id, None, LIBRARY_CHOICES)
    found = [] if isinstance(listed, Failure) else list(listed.unwrap().items)
    images = [asset for asset in found if asset.media_type.value.startswith("image/")]
    if preselected and all(asset.id != preselected for asset in images):
        picked = await studio.container.assets().describe(user_id, preselected)
        if picked is not None and picked.media_type.value.startswith("image/"):
            images.insert(0, picked)
    return images


async def _quoted(
    request: Request, user_id: str, page: KindPage, model: Model, form: FormData
) -> dict[str, Any]:
    """The quote's context for `form` (what a quote request of it answers)."""
    body = await kind_body(form, page.kind, model, quoting=True)
    if isinstance(body, InvalidInput):
        return await priced(request, body)
    try:
        return await priced(request, page_request(body, user_id))
    except PageProblem as refused_now:
        return {"quote": None, "problem": refused_now.problem}


async def _form_page(
    request: Request,
    user_id: str,
    page: KindPage,
    model: str | None,
    asset: str | None,
    refusal: FormRefusal | None = None,
    form: FormData | None = None,
) -> Response:
    """The page with the form of `model` (or the first), its quote priced for `form` (empty
    on a first visit, as sent after a refusal)."""
    listed = await app_state(request).studio.list_models.execute(page.kind)
    listings = [item for item in listed if item.available]
    if not listings:
        return render(request, "kind_unavailable.html", page=page, listed=listed)
    chosen = chosen_model(listings, model)
    kept = refusal.values if refusal else {}
    picked = next((kept[name] for name in sorted(kept) if name.endswith(ASSET_SUFFIX)), asset)
    quoted = await _quoted(request, user_id, page, chosen.model, form or FormData())
    return render(
        request,
        "kind.html",
        **quoted,
        status=200 if refusal is None else refusal.problem.status,
        page=page,
        kind_pages=KIND_PAGES,
        listings=listings,
        chosen=chosen,
        fields=form_for(page.kind, chosen.model),
        library=await library_images(request, user_id, picked or None),
        preselected=asset or "",
        asset_suffix=ASSET_SUFFIX,
        masked_modes=MASKED_MODES,
        refusal=refusal,
        kept=kept,
    )


def _routes(page: KindPage) -> None:
    async def show(
        request: Request, visit: UserVisit, model: Picked = None, asset: Picked = None
    ) -> Response:
        return await _form_page(request, visit.user_id, page, model, asset)

    async def quote(request: Request, visit: UserVisit, form: CheckedForm) -> Response:
        chosen = chosen_model(await available_models(request, page), text(form, "model"))
        images = [f.name for f in form_for(page.kind, chosen.model) if f.target is Target.IMAGE]
        sent = await resolved(request, visit.user_id, form, images)
        body = await kind_body(sent.form, page.kind, chosen.model, quoting=True)
        wanted = body if isinstance(body, InvalidInput) else page_request(body, visit.user_id)
        return sent.told(await quote_fragment(request, wanted, form))

    async def run(request: Request, visit: UserVisit, form: RunForm) -> Response:
        """Run the form's request; refused, the form again with the refusal beside its field.
        (A model this server does not run is no field to correct: the error page says so.)"""
        stale = stale_run_form(request, form)
        chosen = chosen_model(await available_models(request, page), text(form, "model"))
        fields = form_for(page.kind, chosen.model)
        roles: list[str] = []
        try:
            if stale is not None:
                raise PageProblem(stale)
            refuse_when_shutting_down(request)
            body = await kind_body(form, page.kind, chosen.model)
            if isinstance(body, InvalidInput):
                raise PageProblem(problem_for(body))
            roles = [image["role"] for image in body["images"]]
            wanted = page_request(body, visit.user_id, run_operation_id(form, visit.user_id))
            if isinstance(wanted, InvalidInput):
                raise PageProblem(problem_for(wanted))
            return await run_and_follow(request, visit.user_id, wanted)
        except PageProblem as refusal:
            names = [field.name for field in fields]
            shown = refused(refusal.problem, form, names, roles)
            return await _form_page(
                request, visit.user_id, page, chosen.model.id, None, shown, form
            )

    path = f"/{page.slug}"
    router.add_api_route(path, show, methods=["GET"], name=f"{page.slug}_page")
    router.add_api_route(f"{path}/quote", quote, methods=["POST"], name=f"{page.slug}_quote")
    router.add_api_route(path, run, methods=["POST"], name=f"{page.slug}_run")


for _page in KIND_PAGES:
    _routes(_page)


@router.get("/tools")
async def tools_page(request: Request, visit: UserVisit) -> Response:
    del visit
    return render(request, "tools.html", kind_pages=KIND_PAGES, local_pages=LOCAL_PAGES)


@router.get("/transform")
async def transform_page(request: Request, visit: UserVisit, asset: Picked = None) -> Response:
    """Where the send-on link "3D / video" leads: the two kinds that make another medium."""
    del visit
    pages = [page for page in KIND_PAGES if page.slug in ("to-3d", "to-video")]
    return render(request, "transform.html", kind_pages=pages, asset=asset or "")
