"""An artifact is stored as what its bytes are, whatever type Stability's reply names (an alias,
a generic type, another format): a JPEG kept as `.png` is served wrong for as long as it lives."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable

import httpx
import pytest
from PIL import Image

from imagestudio.adapters.stability.replies import read_artifact
from imagestudio.application.ports.provider import ProviderSuccess
from imagestudio.domain.media import MediaType

FORMATS = {MediaType.PNG: "PNG", MediaType.JPEG: "JPEG", MediaType.WEBP: "WEBP"}
DECLARED = ["image/png", "image/jpeg", "image/webp", "image/jpg", "image/*", "", "bogus/type"]


def encoded(media_type: MediaType) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "olive").save(buffer, FORMATS[media_type])
    return buffer.getvalue()


def bytes_reply(data: bytes, declared: str) -> httpx.Response:
    headers = {"finish-reason": "SUCCESS", "seed": "7"}
    if declared:
        headers["content-type"] = declared
    return httpx.Response(200, content=data, headers=headers)


def json_reply(data: bytes, declared: str) -> httpx.Response:
    body = {"image": base64.b64encode(data).decode(), "finish_reason": "SUCCESS", "seed": 7}
    content_type = f"application/json; type={declared}" if declared else "application/json"
    return httpx.Response(200, content=json.dumps(body), headers={"content-type": content_type})


@pytest.mark.parametrize("shape", [bytes_reply, json_reply], ids=["bytes", "json"])
@pytest.mark.parametrize("declared", DECLARED)
@pytest.mark.parametrize("actual", list(FORMATS), ids=lambda m: m.extension)
def test_the_artifact_is_what_its_bytes_are(
    shape: Callable[[bytes, str], httpx.Response], declared: str, actual: MediaType
) -> None:
    reply = shape(encoded(actual), declared)

    outcome = read_artifact(reply, MediaType.PNG)

    assert isinstance(outcome, ProviderSuccess), outcome
    (artifact,) = outcome.artifacts
    assert artifact.media_type is actual
    assert (artifact.width, artifact.height) == (40, 30)
