"""The details page's forms: tag, favourite, collect (one labels route on `LabelAsset`, as
`PATCH /v1/assets/{id}`) and delete (`DeleteAsset`, after the confirmation page). Each is a
CSRF-checked POST that goes back with a 303."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from returns.result import Failure
from starlette.datastructures import FormData

from imagestudio.domain.asset_query import Relabel
from imagestudio.domain.errors import InvalidInput
from imagestudio.entrypoints.http.pages.asset_pages import owned_id
from imagestudio.entrypoints.http.pages.form_fields import text
from imagestudio.entrypoints.http.pages.page_errors import PageProblem
from imagestudio.entrypoints.http.pages.page_route import PageRoute
from imagestudio.entrypoints.http.pages.templating import link
from imagestudio.entrypoints.http.pages.visits import CheckedForm, UserVisit
from imagestudio.entrypoints.http.problems import problem_for
from imagestudio.entrypoints.http.state import app_state

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def relabel_of(form: FormData) -> Relabel | InvalidInput:
    """The change the submitted form asks for: a tag or collection added or removed, or the
    favourite flag set; the use case checks the labels themselves."""

    def one(name: str) -> frozenset[str]:
        value = text(form, name)
        return frozenset({value}) if value else frozenset()

    favourite = text(form, "favourite")
    if favourite not in ("", "true", "false"):
        return InvalidInput("favourite", "must be true or false")
    change = Relabel(
        add_tags=one("add_tag"),
        remove_tags=one("remove_tag"),
        add_collections=one("add_collection"),
        remove_collections=one("remove_collection"),
        favourite=None if not favourite else favourite == "true",
    )
    if change == Relabel():
        return InvalidInput("label", "give a tag or collection to add or remove, or favourite")
    return change


@router.post("/library/{asset_id}/labels")
async def relabel(asset_id: str, request: Request, visit: UserVisit, form: CheckedForm) -> Response:
    change = relabel_of(form)
    if isinstance(change, InvalidInput):
        raise PageProblem(problem_for(change))
    labelled = await app_state(request).studio.label_asset.execute(
        visit.user_id, owned_id(asset_id), change
    )
    if isinstance(labelled, Failure):
        raise PageProblem(problem_for(labelled.failure()))
    return RedirectResponse(link(request, f"/library/{asset_id}"), status_code=303)


@router.post("/library/{asset_id}/delete")
async def delete(asset_id: str, request: Request, visit: UserVisit, form: CheckedForm) -> Response:
    del form  # checked: a page from another site cannot delete the visitor's assets
    deleting = app_state(request).studio.delete_asset
    removed = await deleting.execute(visit.user_id, owned_id(asset_id))
    if isinstance(removed, Failure):
        raise PageProblem(problem_for(removed.failure()))
    return RedirectResponse(link(request, "/library"), status_code=303)
