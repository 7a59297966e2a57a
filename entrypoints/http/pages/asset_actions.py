"""The details page's forms: tag, favourite, collect (one labels route on `LabelAsset`, as
`PATCH /v1/assets/{id}`) and delete (`DeleteAsset`, after the confirmation page). Each is a
CSRF-checked POST that goes back with a 303; a refused label is the details page again, the
refusal beside the field it was typed in (`form_refusals`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from returns.result import Failure
from starlette.datastructures import FormData

from imagestudio.domain.asset_query import Relabel
from imagestudio.domain.errors import InvalidInput
from imagestudio.entrypoints.http.pages.asset_pages import asset_answer, owned_id
from imagestudio.entrypoints.http.pages.form_fields import text
from imagestudio.entrypoints.http.pages.form_refusals import refused
from imagestudio.entrypoints.http.pages.page_errors import PageProblem
from imagestudio.entrypoints.http.pages.page_route import PageRoute
from imagestudio.entrypoints.http.pages.templating import link
from imagestudio.entrypoints.http.pages.visits import CheckedForm, UserVisit
from imagestudio.entrypoints.http.problems import problem_for
from imagestudio.entrypoints.http.state import app_state

router = APIRouter(include_in_schema=False, route_class=PageRoute)
LABEL_FIELDS = ("add_tag", "add_collection")
"""The label forms' typed fields (the rest are buttons' hidden fields)."""


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
        return await _refused(request, visit.user_id, asset_id, change, form)
    labelled = await app_state(request).studio.label_asset.execute(
        visit.user_id, owned_id(asset_id), change
    )
    if isinstance(labelled, Failure):
        error = labelled.failure()
        if isinstance(error, InvalidInput):
            return await _refused(request, visit.user_id, asset_id, error, form)
        raise PageProblem(problem_for(error))  # not found: the not-found page
    return RedirectResponse(link(request, f"/library/{asset_id}"), status_code=303)


async def _refused(
    request: Request, user_id: str, asset_id: str, error: InvalidInput, form: FormData
) -> Response:
    # A label is refused by the name of what it adds to (`tags`); it was typed in `add_tag`.
    # One to remove was a button's: the refusal goes above the forms.
    typed = {"tags": "add_tag", "collections": "add_collection"}
    sent = tuple(name for name in LABEL_FIELDS if name in form)
    shown = refused(problem_for(error), form, sent, aliases=typed)
    return await asset_answer(request, user_id, asset_id, shown)


@router.post("/library/{asset_id}/delete")
async def delete(asset_id: str, request: Request, visit: UserVisit, form: CheckedForm) -> Response:
    del form  # checked: a page from another site cannot delete the visitor's assets
    deleting = app_state(request).studio.delete_asset
    removed = await deleting.execute(visit.user_id, owned_id(asset_id))
    if isinstance(removed, Failure):
        raise PageProblem(problem_for(removed.failure()))
    return RedirectResponse(link(request, "/library"), status_code=303)
