"""A kind page's form read by its fields (`kind_forms.form_for`): each image uploaded or one of
the user's assets, each number within its range, each choice among the catalog's; the result is
the API's body, made a request by `page_requests.page_request` like every page's."""

from __future__ import annotations

import base64
from typing import Any

from starlette.datastructures import FormData, UploadFile

from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.errors.echo import echoed
from imagestudio.domain.model import Model
from imagestudio.domain.operation import ParameterValue
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.entrypoints.http.pages.form_field import FormField, Target, Widget
from imagestudio.entrypoints.http.pages.form_fields import text
from imagestudio.entrypoints.http.pages.kind_forms import form_for

ASSET_SUFFIX = "_asset"
"""`<role>_asset` names the library asset chosen for the image of that role."""


async def _upload(form: FormData, name: str) -> bytes | None:
    given = form.get(name)
    if not isinstance(given, UploadFile):
        return None
    data = await given.read()
    return data or None  # a file input left empty sends an empty part


async def _image(
    form: FormData, field: FormField, quoting: bool
) -> dict[str, str] | InvalidInput | None:
    data = await _upload(form, field.name)
    if data is not None:
        return {"role": field.name, "base64": base64.b64encode(data).decode()}
    asset_id = text(form, field.name + ASSET_SUFFIX).strip()
    if asset_id and field.widget is Widget.IMAGE:
        return {"role": field.name, "asset_id": asset_id}
    if field.required and not quoting:
        return InvalidInput(field.name, "choose an image from your library or upload one")
    return None


def _number(form: FormData, field: FormField) -> int | InvalidInput | None:
    given = text(form, field.name).strip()
    if not given:
        return None
    low = 0 if field.low is None else field.low
    high = field.high
    if not given.isdigit() or int(given) < low or (high is not None and int(given) > high):
        return InvalidInput(
            field.name, f"must be a whole number from {low} to {high}, not {echoed(given)}"
        )
    return int(given)


def _value(form: FormData, field: FormField) -> ParameterValue | InvalidInput | None:
    if field.widget is Widget.NUMBER:
        return _number(form, field)
    given = text(form, field.name).strip()
    if field.widget is Widget.SELECT and given and given not in field.choices:
        return InvalidInput(field.name, f"{echoed(given)} is not one of {', '.join(field.choices)}")
    if field.widget is Widget.SELECT and given.isdigit():
        return int(given)  # durations are whole seconds
    return given or None


async def kind_body(
    form: FormData, kind: OperationKind, model: Model, *, quoting: bool = False
) -> dict[str, Any] | InvalidInput:
    """The `OperationIn` fields the form asks for, or the first field that is wrong. A quote
    needs no image yet (it prices the model's default size until one is chosen)."""
    mode = text(form, "mode").strip() or (model.modes[0] if model.modes else None)
    images: list[dict[str, str]] = []
    parameters: dict[str, ParameterValue] = {}
    body: dict[str, Any] = {"kind": kind.value, "model": model.id, "prompt": ""}
    for field in form_for(kind, model):
        if not field.applies(mode):
            continue
        if field.target is Target.IMAGE:
            image = await _image(form, field, quoting)
            if isinstance(image, InvalidInput):
                return image
            if image is not None:
                images.append(image)
            continue
        value = _value(form, field)
        if isinstance(value, InvalidInput):
            return value
        if field.target is Target.PROMPT:
            body["prompt"] = value or ""
        elif value is not None and field.target is Target.SEED:
            body["seed"] = value
        elif value is not None:
            parameters[field.name] = value
    return {**body, "parameters": parameters, "images": images}
