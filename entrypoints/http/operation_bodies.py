"""The body of `POST /v1/operations`: JSON, or a multipart form with the images as files."""

from __future__ import annotations

import base64
from typing import Any

from fastapi import Request

from imagestudio.entrypoints.http.invalid_requests import BodyRefused, malformed, validated
from imagestudio.entrypoints.http.json_text import loads
from imagestudio.entrypoints.http.schemas import ImageIn, OperationIn
from imagestudio.entrypoints.http.studio_route import essence
from imagestudio.entrypoints.http.webhook_fields import EVENTS_FORM_FIELD

IMAGE_ROLES = ("image", "mask", "face", "target", "style")


async def operation_in(request: Request) -> OperationIn:
    """The body: JSON, or multipart form fields with the images as files named by role."""
    if essence(request.headers.get("content-type", "")) == "multipart/form-data":
        return await _from_form(request)
    return validated(OperationIn, await request.json())


async def _from_form(request: Request) -> OperationIn:
    form = await request.form()
    fields: dict[str, Any] = {}
    images: list[ImageIn] = []
    for name, value in form.multi_items():
        if name == "images":  # the JSON body's list; in a form it would be dropped below
            raise BodyRefused(malformed(name, "send each image as a file part named by its role"))
        if isinstance(value, str) and name == "webhook_events":
            fields[name] = [
                event.strip() for event in value.split(",")
            ]  # one field, comma-separated
        elif isinstance(value, str):
            fields[name] = loads(value, name) if name == "parameters" else value
        elif name in IMAGE_ROLES:
            images.append(ImageIn(role=name, base64=_b64(await value.read())))
        else:
            raise BodyRefused(malformed(name, "is not a file this route takes"))
    return validated(OperationIn, {**fields, "images": images})


def form_schema() -> dict[str, Any]:
    """The multipart body: OperationIn's fields as form fields (`parameters` as a JSON part) and
    each image as a file part named by its role."""
    fields = OperationIn.model_json_schema(ref_template="#/components/schemas/{model}")
    properties = {
        name: not_null(schema) for name, schema in fields["properties"].items() if name != "images"
    }
    properties["webhook_events"] = EVENTS_FORM_FIELD
    properties.update({role: {"type": "string", "format": "binary"} for role in IMAGE_ROLES})
    return {
        "type": "object",
        "required": ["kind"],
        "properties": properties,
        "additionalProperties": False,
    }


def not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A form field is text: it can be left out, never sent as a JSON null."""
    options = [option for option in schema.get("anyOf", ()) if option.get("type") != "null"]
    if len(options) != 1:
        return schema
    return {**{key: value for key, value in schema.items() if key != "anyOf"}, **options[0]}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
