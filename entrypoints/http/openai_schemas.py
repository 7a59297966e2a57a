"""The wire shapes of OpenAI's images API as we take and answer them: the JSON body of a
generation, the multipart form of an edit, the answer, and the error bodies in the schema."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from imagestudio.domain.seed import MAX_SEED
from imagestudio.entrypoints.http.openai_options import IGNORED, SERVED, schema
from imagestudio.entrypoints.http.webhook_fields import (
    EVENTS_FORM_FIELD,
    WebhookFields,
)
from imagestudio.entrypoints.http.whole_numbers import WholeNumberOrNone

SIZE = r"^(auto|[0-9]{1,5}x[0-9]{1,5})$"
_ERROR = {"application/json": {"schema": {"type": "object", "properties": {"error": {}}}}}
_BINARY = {"type": "string", "format": "binary"}
EDIT_FORM = {
    "type": "object",
    "required": ["image", "prompt"],
    "additionalProperties": False,
    "properties": {
        "image": _BINARY,
        "mask": _BINARY | {"description": "transparent where the image should be edited"},
        "prompt": {"type": "string"},
        "model": {"type": "string"},
        "n": {"type": "integer", "minimum": 1, "maximum": 16},
        "size": {"type": "string", "pattern": SIZE},
        "response_format": {"enum": ["url", "b64_json"]},
        "seed": {"type": "integer", "minimum": 0, "maximum": MAX_SEED},
        "output_format": {"enum": ["png", "jpeg", "webp"]},
        "output_compression": {"type": "integer", "minimum": 0, "maximum": 100},
        **{field: {"enum": list(values)} for field, values in SERVED.items()},
        "webhook": {"type": "string", "maxLength": 2048},
        "webhook_events": EVENTS_FORM_FIELD,
    },
}
RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": "an error in OpenAI's shape", "content": _ERROR}
    for status in (400, 401, 402, 404, 409, 413, 415, 422, 429, 502, 503, 504)
}


class ImagesIn(WebhookFields):
    """OpenAI's image request. `quality`, `style`, `background`, `moderation`, `complexity` and
    `input_fidelity` are taken, mapped or refused as openai_options.py says; what changes
    nothing made (`user`, openai_options.IGNORED) is ignored.
    `webhook` and `webhook_events` are ours, sent as extra body fields. `size` is the output's:
    an edit makes its output at the input's size, so another one is refused. Any other field is
    refused (400 naming it), as OpenAI refuses a parameter it does not know: ignored, an extra
    body's misspelt `seed` or a `negative_prompt` never read charged an image made without it."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _without_ignored(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {name: value for name, value in data.items() if name not in IGNORED}
        return data

    prompt: str
    model: str | None = Field(
        default=None,
        description="One of our model ids (`provider/name`); `auto`, OpenAI's names "
        "(`dall-e-3`, `gpt-image-1`…) and none mean auto.",
    )
    n: WholeNumberOrNone = Field(default=None, ge=1, le=16)
    size: str | None = Field(default=None, pattern=SIZE, description="`WIDTHxHEIGHT`, or `auto`.")
    response_format: Literal["url", "b64_json"] | None = Field(
        default=None, description="`url` (a signed link) unless the model is `gpt-image-*`."
    )
    seed: WholeNumberOrNone = Field(default=None, ge=0, le=MAX_SEED)
    stream: Literal[False] | None = Field(default=None, description="Streaming is not offered.")
    output_format: Literal["png", "jpeg", "webp"] | None = Field(
        default=None, description="The images' format, as made by the model when left out."
    )
    output_compression: WholeNumberOrNone = Field(
        default=None, ge=0, le=100, description="0-100, for `jpeg` and `webp` only."
    )
    quality: str | None = Field(
        default=None,
        description="`auto` or `standard`: no other level is offered.",
        json_schema_extra=schema("quality"),
    )
    style: str | None = Field(
        default=None,
        description="`vivid` (DALL·E 3's default): `natural` is not offered.",
        json_schema_extra=schema("style"),
    )
    background: str | None = Field(
        default=None,
        description="`auto`, or `opaque` with `output_format=jpeg`: `transparent` is not offered.",
        json_schema_extra=schema("background"),
    )
    moderation: str | None = Field(
        default=None,
        description="`auto`, or `low`: the model's safety checker off, on a model that has one "
        "(`auto` chooses one).",
        json_schema_extra=schema("moderation"),
    )
    complexity: str | None = Field(
        default=None,
        description="`high` (OpenAI's default): no other planning effort is offered.",
        json_schema_extra=schema("complexity"),
    )
    input_fidelity: str | None = Field(
        default=None,
        description="`low` (OpenAI's default): `high` is not offered.",
        json_schema_extra=schema("input_fidelity"),
    )


class ImageOut(BaseModel):
    url: str | None = None
    b64_json: str | None = None


class ImagesOut(BaseModel):
    created: int
    data: list[ImageOut]
