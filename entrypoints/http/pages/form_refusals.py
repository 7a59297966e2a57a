"""A run refused on a tool page (a bad field, a limit, the server shutting down) is answered with
the page's form again, never an error page: the values sent are kept, the field the refusal names
is marked invalid, described by the message shown beside it and focused; a refusal of no field (a
limit) is shown above the form, focused, with whose limit it is and when it clears. Its status is
the problem's (a 4xx, as the API answers). Files cannot be put back in a file input: the form says
which ones to choose again."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as member

from starlette.datastructures import FormData, UploadFile

from imagestudio.entrypoints.http.pages.refusals import refusal_facts
from imagestudio.entrypoints.http.problems import Problem

KEPT_CHARS = 20_000
"""The most of one field's text the form is filled with again: twice the longest prompt any
model takes, so a refused field megabytes long is not sent back whole (its message says how long
it may be)."""
_ALIASES = {"width": "size", "height": "size", "outputs": "n", "media_type": "format"}
"""Request fields the forms ask for under another name."""
_SLUG_FIELDS = {"unknown-model": "model"}
"""Refusals about one field that do not name it."""
_IMAGE = re.compile(r"images?(?:\[(\d+)\]|\.(\d+))?(?:\..*)?")


@dataclass(frozen=True, slots=True, kw_only=True)
class FormRefusal:
    problem: Problem
    field: str | None
    """The form field the problem is about; None: the form as a whole (a limit, a shutdown)."""
    facts: list[tuple[str, str]]
    values: dict[str, str] = member(default_factory=dict)
    """The text fields as they were sent, to fill the form again."""
    uploads: dict[str, str] = member(default_factory=dict)
    """File fields a file was sent in (by its name): the browser must be given them again."""

    @property
    def message(self) -> str:
        """What the field's message says: the reason alone beside the field it names (the
        label says which; the API's name for it, `images[0]`, would only puzzle), else the
        problem's detail."""
        reason = self.problem.extra.get("reason")
        if self.field is not None and isinstance(reason, str) and reason:
            return reason[:1].upper() + reason[1:]
        return self.problem.detail


def refused(
    problem: Problem,
    form: FormData,
    names: Sequence[str],
    image_roles: Sequence[str] = (),
    aliases: Mapping[str, str] | None = None,
) -> FormRefusal:
    """The refusal of the form `form`, whose fields are `names`; `image_roles` are the roles of
    the request's images in order (an image's refusal names it by its place: `images[1]`);
    `aliases`: this form's names for fields the use case calls otherwise."""
    values = {
        name: value[:KEPT_CHARS] for name, value in form.multi_items() if isinstance(value, str)
    }
    uploads = {
        name: value.filename or name
        for name, value in form.multi_items()
        if isinstance(value, UploadFile) and value.size
    }
    return FormRefusal(
        problem=problem,
        field=refused_field(problem, names, image_roles, aliases),
        facts=refusal_facts(problem),
        values=values,
        uploads=uploads,
    )


def refused_field(
    problem: Problem,
    names: Sequence[str],
    image_roles: Sequence[str] = (),
    aliases: Mapping[str, str] | None = None,
) -> str | None:
    """The one of the form's `names` that the problem's `field` is, if any."""
    named = problem.extra.get("field", _SLUG_FIELDS.get(problem.slug))
    if not isinstance(named, str):
        return None
    image = _IMAGE.fullmatch(named)
    if image is not None:
        place = image.group(1) or image.group(2)
        role = None
        if place is not None and int(place) < len(image_roles):
            role = image_roles[int(place)]
        pictures = [role] if role else [*image_roles, "image", "face", "target"]
        return next((name for name in pictures if name in names), None)
    own = (aliases or {}).get(named)
    for candidate in (own, named, named.removeprefix("parameters."), _ALIASES.get(named)):
        if candidate in names:
            return candidate
    return None
