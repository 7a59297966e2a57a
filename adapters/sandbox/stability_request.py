"""A v2beta form checked against its endpoint: every problem in one 400, or a ValidRequest."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from starlette.datastructures import FormData

from imagestudio.adapters.sandbox.rendering import media_type_for
from imagestudio.adapters.sandbox.stability_endpoints import MAX_SEED, Endpoint
from imagestudio.adapters.sandbox.stability_errors import bad_request
from imagestudio.adapters.sandbox.stability_fields import FieldProblem, ImageFile, Value
from imagestudio.adapters.sandbox.stability_images import UploadedImage
from imagestudio.domain.media import MediaType

PROMPT_FIELDS = (
    "prompt",
    "search_prompt",
    "select_prompt",
    "background_prompt",
    "foreground_prompt",
)
"""The texts that say what to draw: moderation and the language check read these."""
CLIENT_HEADERS = ("stability-client-id", "stability-client-user-id", "stability-client-version")
CLIENT_HEADER_LENGTH = 256


@dataclass(frozen=True, slots=True)
class ValidRequest:
    endpoint: Endpoint
    values: Mapping[str, Value]
    """Every field given or defaulted, parsed."""
    images: Mapping[str, UploadedImage]
    seed: int
    """The seed used: the caller's, or a random one when they sent 0 or none."""

    @property
    def media(self) -> MediaType:
        if self.endpoint.returns_model:
            return MediaType.GLB
        return media_type_for(str(self.values["output_format"]))

    @property
    def prompts(self) -> tuple[str, ...]:
        return tuple(str(self.values[name]) for name in PROMPT_FIELDS if name in self.values)

    def text(self, name: str, default: str = "") -> str:
        value = self.values.get(name, default)
        return value if isinstance(value, str) else default

    def integer(self, name: str, default: int = 0) -> int:
        value = self.values.get(name, default)
        return value if isinstance(value, int) else default


def check_client_headers(headers: Mapping[str, str]) -> None:
    """The optional `stability-client-*` headers may be at most 256 characters (§2.1)."""
    too_long = [
        f"{name}: must be at most {CLIENT_HEADER_LENGTH} characters"
        for name in CLIENT_HEADERS
        if len(headers.get(name, "")) > CLIENT_HEADER_LENGTH
    ]
    if too_long:
        raise bad_request(*too_long)


async def validated(endpoint: Endpoint, form: FormData) -> ValidRequest:
    """The form's values against the endpoint's fields and rules; raises a 400 Refusal."""
    values: dict[str, Value] = {}
    images: dict[str, UploadedImage] = {}
    problems: list[str] = []
    for field in endpoint.fields:
        raw = form.get(field.name)
        if raw is None or raw == "":
            if field.required:
                problems.append(f"{field.name}: is required")
            elif not isinstance(field, ImageFile) and field.default is not None:
                values[field.name] = field.default
            continue
        try:
            if isinstance(field, ImageFile):
                images[field.name] = await field.read_image(raw)
            else:
                values[field.name] = field.read(raw)
        except FieldProblem as problem:
            problems.append(f"{field.name}: {problem}")
    if not problems:
        for rule in endpoint.rules:
            problems.extend(rule(values, images))
    if problems:
        raise bad_request(*problems)
    seed = values.get("seed", 0)
    chosen = seed if isinstance(seed, int) and seed > 0 else 1 + secrets.randbelow(MAX_SEED)
    return ValidRequest(endpoint, values, images, chosen)
