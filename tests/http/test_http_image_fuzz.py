"""Image decoding under hypothesis: real images (PNG, JPEG, WebP) with bytes flipped, cut short or
given a header that claims any size. Decoding never raises; over HTTP (a local operation and a
provider operation) every answer comes within the time limit, is never a 5xx or a traceback,
and a refused image charged and stored nothing."""

from __future__ import annotations

import base64
import io
import struct
import zlib
from collections.abc import Iterator

import pytest
from http_support import Api, footprint, serving
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from returns.result import Failure, Success

from imagestudio.adapters.images.pillow_inspector import PillowImageInspector

USER = "fuzz-user"
MAX_PIXELS = 9_437_184


def _sample(image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buffer, image_format)
    return buffer.getvalue()


SAMPLES = [_sample(image_format) for image_format in ("PNG", "JPEG", "WEBP")]


def _claiming(width: int, height: int) -> bytes:
    """A PNG whose header (with a correct checksum) claims `width`×`height`."""
    png = SAMPLES[0]
    header = struct.pack(">II", width, height) + png[24:29]
    chunk = b"IHDR" + header
    return png[:8] + png[8:12] + chunk + struct.pack(">I", zlib.crc32(chunk)) + png[33:]


@st.composite
def damaged_images(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SAMPLES)))
    if draw(st.booleans()):
        data = bytearray(
            _claiming(draw(st.integers(0, 2**32 - 1)), draw(st.integers(0, 2**32 - 1)))
        )
    for _ in range(draw(st.integers(0, 8))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data[: draw(st.integers(0, len(data)))])


@given(data=damaged_images())
@settings(max_examples=300, deadline=None, derandomize=True, database=None)
def test_decoding_never_raises(data: bytes) -> None:
    result = PillowImageInspector().inspect(data, "image", MAX_PIXELS)

    assert isinstance(result, Success | Failure)
    if isinstance(result, Success):
        assert result.unwrap().width * result.unwrap().height <= MAX_PIXELS


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with serving(tmp_path_factory.mktemp("image-fuzz"), users={USER: "local"}) as served:
        yield served


@given(data=damaged_images())
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_damaged_images_are_refused_cleanly_over_http(api: Api, data: bytes) -> None:
    before = footprint(api, USER)
    with api.client(USER) as client:  # its 30 s time-out catches a hang
        answers = [
            client.post(
                "/v1/local/compress",
                json={"image": base64.b64encode(data).decode(), "quality": 50},
            ),
            client.post(
                "/v1/operations",
                data={"kind": "upscale", "parameters": '{"scale": 2}'},
                files={"image": ("damaged", data, "application/octet-stream")},
            ),
        ]

    for answer in answers:
        assert answer.status_code < 500, answer.text
        assert "Traceback" not in answer.text
    if all(answer.status_code >= 400 for answer in answers):
        assert footprint(api, USER) == before
