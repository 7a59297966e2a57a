"""A 200 carrying an artifact, read either way Stability sends it (provider_contracts.md §2.1).

`image/*` (and GLB): raw bytes, the media type in `content-type`, `finish-reason` and `seed` in
headers. `application/json`: `{image: base64, finish_reason, seed}`, the format in the
content-type's `type=` parameter. Either way the bytes' own signature wins over the type named.
Only `SUCCESS` is delivered: `CONTENT_FILTERED` was billed but blurred, anything else is a
failure. A 200 whose artifact cannot be read (a body cut short or mangled on the way) is
`Unreadable`: Stability bills what it answers 200, so it is never a failure, which would release
what was billed; each caller keeps it held in its own way.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
from dataclasses import dataclass

import httpx
from PIL import Image, UnidentifiedImageError

from imagestudio.adapters.providers.output_media import cut_short, media_type_of
from imagestudio.adapters.stability.errors import PROVIDER
from imagestudio.application.ports.provider import Artifact, ProviderSuccess
from imagestudio.domain.errors import OutputFiltered, ProviderErrorKind, ProviderFailed
from imagestudio.domain.media import MediaType

JSON_ACCEPT = "application/json"
IMAGE_ACCEPT = "image/*"
SUCCESS = "SUCCESS"
CONTENT_FILTERED = "CONTENT_FILTERED"
GLB_MAGIC = b"glTF"


class UnreadableReply(Exception):
    """A 200 whose artifact cannot be read: bad JSON or base64, an undecodable image."""


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A 200 (so billed) whose artifact could not be read."""

    detail: str


ArtifactReply = ProviderSuccess | OutputFiltered | ProviderFailed | Unreadable


def read_artifact(
    response: httpx.Response, expected: MediaType, *, task_id: str | None = None
) -> ArtifactReply:
    """The outcome a 200 reply carries; `expected` is the model's output when none is named."""
    try:
        reply = _unpack(response, expected)
        if reply.finish_reason == CONTENT_FILTERED:
            return OutputFiltered(provider=PROVIDER, detail="finish reason CONTENT_FILTERED")
        if reply.finish_reason != SUCCESS:
            return ProviderFailed(
                provider=PROVIDER,
                kind=ProviderErrorKind.UNAVAILABLE,
                detail=f"finish reason {reply.finish_reason}",
            )
        artifact = _artifact(reply)
    except UnreadableReply as error:
        return Unreadable(f"unreadable reply: {error}")
    return ProviderSuccess(artifacts=(artifact,), task_id=task_id)


@dataclass(frozen=True, slots=True)
class _Reply:
    data: bytes
    media_type: MediaType
    finish_reason: str
    seed: int | None


def _unpack(response: httpx.Response, expected: MediaType) -> _Reply:
    main, *extras = response.headers.get("content-type", "").split(";")
    if main.strip().lower() != JSON_ACCEPT:
        return _Reply(
            response.content,
            media_type_of(response.content, main, expected),
            # A GLB answers with no finish reason: the artifact itself is the success.
            response.headers.get("finish-reason", SUCCESS),
            _seed(response.headers.get("seed")),
        )
    try:
        body = json.loads(response.content)
        data = base64.b64decode(body["image"], validate=True)
    except (ValueError, KeyError, TypeError, binascii.Error) as error:
        raise UnreadableReply(f"JSON without a base64 image ({type(error).__name__})") from None
    named = next((x.split("=", 1)[1] for x in map(str.strip, extras) if x.startswith("type=")), "")
    return _Reply(
        data,
        media_type_of(data, named, expected),
        str(body.get("finish_reason") or SUCCESS),
        _seed(body.get("seed")),
    )


def _seed(value: object) -> int | None:
    try:
        return int(str(value)) if value is not None else None
    except ValueError:
        return None


def _artifact(reply: _Reply) -> Artifact:
    data, media_type, seed = reply.data, reply.media_type, reply.seed
    if media_type is MediaType.GLB:
        if not data.startswith(GLB_MAGIC):
            raise UnreadableReply("a GLB that does not start with glTF")
        return Artifact(data=data, media_type=media_type, seed=seed)
    if not media_type.is_image:
        raise UnreadableReply(f"unexpected content type {media_type}")
    if cut_short(data, media_type):
        raise UnreadableReply(f"an image ({len(data)} bytes) that stops before its end")
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise UnreadableReply(f"an image Pillow cannot read ({error})") from None
    return Artifact(data=data, media_type=media_type, width=width, height=height, seed=seed)
