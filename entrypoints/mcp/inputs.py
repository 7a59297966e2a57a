"""Tool arguments into requests, by the HTTP API's own bodies: an operation is an `OperationIn`
(built into an OperationRequest by `OperationIn.to_request`, as `POST /v1/operations` builds
it), a local one a `CompressIn`, `ConvertIn` or `SocialIn`. Their rules are the HTTP API's, and a
broken one is a tool error before anything is reserved."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from imagestudio.application.requests import ImageInput, OperationRequest
from imagestudio.domain.errors import AssetNotFound, InvalidInput, OperationError
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.seed import MAX_SEED
from imagestudio.entrypoints.http.local_schemas import LocalImageIn
from imagestudio.entrypoints.http.schemas import OperationIn, ParameterValue
from imagestudio.entrypoints.http.whole_numbers import NO_BOOLEAN
from imagestudio.entrypoints.mcp.refusals import refused, validated

Parameters = dict[str, ParameterValue]
Model = Annotated[str, Field(description="A model id (see list_models), or `auto`.")]
Seed = Annotated[
    int | None,
    Field(description=f"For reproducible output: 0 to {MAX_SEED}.", ge=0, le=MAX_SEED),
    NO_BOOLEAN,
]
Params = Annotated[
    Parameters | None,
    Field(description="Model fields by name (negative_prompt, style_preset...), as list_models."),
]


class ImageArg(BaseModel):
    """An input image: one of your own assets by id, or its bytes as base64 (or a data URI)."""

    model_config = ConfigDict(extra="forbid")
    asset_id: str | None = Field(default=None, max_length=200, description="One of your assets.")
    base64: str | None = Field(default=None, description="The image bytes, base64 or data URI.")

    def findable(self) -> ImageArg:
        # No asset id holds a control character (and PostgreSQL cannot compare a NUL).
        if self.asset_id is not None and not self.asset_id.isprintable():
            raise refused(AssetNotFound(self.asset_id))
        return self


ROLE_ARGUMENTS = {"style": "style_image"}
"""Image roles whose tool argument is named otherwise."""


def image_arguments(images: dict[str, ImageArg | None]) -> dict[str, str]:
    """The request's name of each given image (`images[1]`) and the argument that gave it."""
    given = [role for role, image in images.items() if image is not None]
    return {f"images[{i}]": ROLE_ARGUMENTS.get(role, role) for i, role in enumerate(given)}


def named_as_arguments(error: OperationError, arguments: dict[str, str]) -> OperationError:
    """`error` naming an image by the tool's argument, as a refusal must (the HTTP body's
    `images[1]` is no argument of a tool)."""
    if isinstance(error, InvalidInput) and error.field in arguments:
        return replace(error, field=arguments[error.field])
    return error


def operation_request(
    user: str,
    kind: OperationKind,
    *,
    images: dict[str, ImageArg | None],
    parameters: Parameters | None,
    named: dict[str, ParameterValue | None],
    idempotency_key: str | None,
    **fields: Any,
) -> OperationRequest:
    """The request for `kind`: `images` by role, `named` parameters (those left None are not
    sent) over the free-form `parameters`, and OperationIn's own `fields`."""
    given = [
        {"role": role, **image.findable().model_dump(exclude_none=True)}
        for role, image in images.items()
        if image is not None
    ]
    chosen = {**(parameters or {}), **{k: v for k, v in named.items() if v is not None}}
    sent = {k: v for k, v in fields.items() if v is not None}
    body = validated(OperationIn, {"kind": kind, **sent, "parameters": chosen, "images": given})
    request = body.to_request(user, idempotency_key=idempotency_key)
    if isinstance(request, InvalidInput):
        raise refused(named_as_arguments(request, image_arguments(images)))
    return request


def local_input(body: LocalImageIn) -> ImageInput:
    """The image of a local operation's body."""
    if body.asset_id is not None:
        ImageArg(asset_id=body.asset_id).findable()
    image = body.to_input()
    if isinstance(image, InvalidInput):
        raise refused(image)
    return image


def local_fields(image: ImageArg, **fields: Any) -> dict[str, Any]:
    """A local body's fields: `image` (base64) or `asset_id`, and the rest as given."""
    sent = {k: v for k, v in fields.items() if v is not None}
    return {"image": image.base64, "asset_id": image.asset_id, **sent}
