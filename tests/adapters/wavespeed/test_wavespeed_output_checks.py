"""A completed task's output is kept only when it is what the model makes: a CDN's error page
answered 200, a file of another kind or an image that is a decompression bomb is no success
to charge for; the billed task is held, and a lookup asks again later."""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterator

import pytest
from starlette.responses import Response
from wavespeed_scripted_server import TASK_ID, ScriptedWaveSpeed, envelope, prediction
from wavespeed_test_support import RecordingReport, StubServer, job, png, settings

from imagestudio.adapters.wavespeed.client import new_client
from imagestudio.adapters.wavespeed.provider import WaveSpeedProvider
from imagestudio.application.ports.provider import ProviderSuccess, SubmitUnknown, TaskPending
from imagestudio.domain.media import MediaType


def glb() -> bytes:
    chunk = json.dumps({"asset": {"version": "2.0"}}).encode().ljust(32, b" ")
    header = struct.pack("<4sII", b"glTF", 2, 12 + 8 + len(chunk))
    return header + struct.pack("<I4s", len(chunk), b"JSON") + chunk


def mp4() -> bytes:
    return struct.pack(">I4s4sI", 16, b"ftyp", b"isom", 512) + b"\0" * 64


def bomb() -> bytes:
    """A PNG whose header claims 100,000 × 100,000 pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    pixels = chunk(b"IDAT", zlib.compress(b"\0" * 64))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + pixels + chunk(b"IEND", b"")


MODELS = {
    MediaType.JPEG: "wavespeed/qwen-image",
    MediaType.GLB: "wavespeed/hunyuan3d-v2.1",
    MediaType.MP4: "wavespeed/wan-2.5-image-to-video",
}
GOOD = {MediaType.JPEG: (png, "image/png"), MediaType.GLB: (glb, "model/gltf-binary")}
GOOD[MediaType.MP4] = (mp4, "video/mp4")
ERROR_PAGE = b"<html><body>502 Bad Gateway</body></html>"


def bad_bodies(output: MediaType) -> dict[str, tuple[bytes, str]]:
    """Bodies a download may give that are not an output of `output`, by name."""
    bodies = {
        "an error page": (ERROR_PAGE, "text/html"),
        "an error page named as the output": (ERROR_PAGE, GOOD[output][1]),
        "nothing known": (b"\0" * 256, "application/octet-stream"),
    }
    for other, (make, named) in GOOD.items():
        if other is not output:
            bodies[f"a {other.extension} file"] = (make(), named)
    if output.is_image:
        bodies["a decompression bomb"] = (bomb(), "image/png")
    return bodies


CASES = [(output, name) for output in MODELS for name in bad_bodies(output)]


@pytest.fixture(scope="module")
def serving() -> Iterator[ScriptedWaveSpeed]:
    script = ScriptedWaveSpeed()
    with StubServer(script.app()) as server:
        script.base_url = server.base_url
        yield script


@pytest.fixture
def scripted(serving: ScriptedWaveSpeed) -> ScriptedWaveSpeed:
    serving.reset()
    serving.polls.append(lambda _: envelope(prediction("completed", [serving.file_url()])))
    return serving


def serve(scripted: ScriptedWaveSpeed, body: bytes, content_type: str) -> None:
    scripted.downloads.append(lambda _: Response(body, headers={"content-type": content_type}))


async def look_up(scripted: ScriptedWaveSpeed, output: MediaType) -> object:
    async with new_client(settings(scripted.base_url)) as client:
        provider = WaveSpeedProvider(settings(scripted.base_url), client)
        return await provider.lookup(job(MODELS[output]), TASK_ID)


@pytest.mark.parametrize(("output", "body"), CASES, ids=[f"{o.extension}-{b}" for o, b in CASES])
async def test_an_output_that_is_not_what_the_model_makes_is_fetched_again_later(
    scripted: ScriptedWaveSpeed, output: MediaType, body: str
) -> None:
    serve(scripted, *bad_bodies(output)[body])

    assert await look_up(scripted, output) == TaskPending(TASK_ID)


@pytest.mark.parametrize("output", list(MODELS), ids=lambda o: o.extension)
async def test_an_output_of_the_models_kind_is_kept(
    scripted: ScriptedWaveSpeed, output: MediaType
) -> None:
    make, named = GOOD[output]
    serve(scripted, make(), named)

    found = await look_up(scripted, output)

    assert isinstance(found, ProviderSuccess)
    assert found.artifacts[0].data == make()


async def test_a_run_whose_output_is_an_error_page_is_held_by_its_task(
    scripted: ScriptedWaveSpeed,
) -> None:
    serve(scripted, ERROR_PAGE, "image/jpeg")
    async with new_client(settings(scripted.base_url)) as client:
        provider = WaveSpeedProvider(settings(scripted.base_url), client)
        outcome = await provider.run(job(MODELS[MediaType.JPEG]), RecordingReport())

    assert isinstance(outcome, SubmitUnknown)
    assert outcome.task_id == TASK_ID
    assert "not an image" in outcome.detail
