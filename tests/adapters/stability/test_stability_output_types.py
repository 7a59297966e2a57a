"""An artifact is stored as what its bytes are, whatever type Stability's reply names (an alias,
a generic type, another format): a JPEG kept as `.png` is served wrong for as long as it lives.
One that cannot be read safely (a decompression bomb) is unreadable, held as billed."""

from __future__ import annotations

import base64
import io
import json
import struct
import zlib
from collections.abc import Callable

import httpx
import pytest
from PIL import Image

from imagestudio.adapters.stability.replies import Unreadable, read_artifact
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


def bomb() -> bytes:
    """A PNG whose header claims 100,000 × 100,000 pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    pixels = chunk(b"IDAT", zlib.compress(b"\0" * 64))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + pixels + chunk(b"IEND", b"")


@pytest.mark.parametrize("shape", [bytes_reply, json_reply], ids=["bytes", "json"])
def test_a_decompression_bomb_is_unreadable_not_an_error(
    shape: Callable[[bytes, str], httpx.Response],
) -> None:
    outcome = read_artifact(shape(bomb(), "image/png"), MediaType.PNG)

    assert isinstance(outcome, Unreadable)
    assert "decompression bomb" in outcome.detail
