"""OpenAI's image requests read (the JSON body, the edit's multipart form, the idempotency
header) and turned into our `OperationRequest`; what cannot be read is refused in OpenAI's
error shape."""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import FormData

from imagestudio.application.requests import ImageInput, OperationRequest
from imagestudio.domain.operation import ParameterValue
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.entrypoints.http.auth import ProblemError
from imagestudio.entrypoints.http.invalid_requests import malformed
from imagestudio.entrypoints.http.openai_schemas import ImagesIn
from imagestudio.entrypoints.http.webhook_fields import events_of_form

IDEMPOTENCY_KEY_CHARS = 200
_FORM_BOOLEANS = {"true": True, "false": False}
"""A multipart form's booleans, as the `openai` client writes them (`stream=False` is "false")."""
_BOOLEAN_FIELDS = frozenset({"stream"})
OpenAIProblem = ProblemError
"""Raised by these routes: answered in OpenAI's error shape (see `openai_errors`), as is every
other refusal on them."""


async def edit_form(form: FormData) -> tuple[dict[str, object], bytes, bytes | None]:
    fields: dict[str, object] = {}
    images: list[bytes] = []
    mask: bytes | None = None
    for name, value in form.multi_items():
        if isinstance(value, str) and name == "webhook_events":
            fields[name] = events_of_form(value)
        elif isinstance(value, str) and name in _BOOLEAN_FIELDS:
            fields[name] = _FORM_BOOLEANS.get(value, value)
        elif isinstance(value, str):
            fields[name] = value
        elif name in ("image", "image[]"):
            images.append(await value.read())
        elif name == "mask":
            mask = await value.read()
        else:
            raise bad_request(name, "is not a file this route takes")
    if len(images) != 1:
        raise bad_request("image", "give exactly one image to edit, as a file")
    return fields, images[0], mask


def operation_request(
    request: Request,
    user: str,
    kind: OperationKind,
    body: ImagesIn,
    images: tuple[ImageInput, ...] = (),
    parameters: dict[str, ParameterValue] | None = None,
) -> OperationRequest:
    width, height = _size(body.size)
    key = request.headers.get("idempotency-key")
    if key is not None and len(key) > IDEMPOTENCY_KEY_CHARS:
        raise bad_request("idempotency-key", f"is longer than {IDEMPOTENCY_KEY_CHARS} characters")
    return OperationRequest(
        user_id=user,
        kind=kind,
        # Our ids are `provider/name`; OpenAI's own names mean: choose for me.
        model_id=body.model if body.model is not None and "/" in body.model else None,
        prompt=body.prompt,
        images=images,
        width=width,
        height=height,
        outputs=body.n or 1,
        seed=body.seed,
        parameters=parameters or {},
        idempotency_key=key,
    )


def _size(size: str | None) -> tuple[int | None, int | None]:
    if size is None or size == "auto":
        return None, None
    width, _, height = size.partition("x")
    return int(width), int(height)


def bad_request(field: str, reason: str) -> OpenAIProblem:
    return OpenAIProblem(malformed(field, reason))
