"""The two-step upload of WaveSpeed's Python SDK 2.x (contract §1.6): a ticket, then a PUT of
the bytes to its URL; and the official SDK's own `upload()` against the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from wavespeed_fixtures import client, download, error_envelope, image_bytes, opened, run_sync

from imagestudio.adapters.sandbox.config import SANDBOX_KEY, SandboxConfig
from imagestudio.adapters.sandbox.runner import RunningSandbox

UPSCALER = "wavespeed-ai/image-upscaler"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with RunningSandbox(SandboxConfig(latency_seconds=0.05)) as running:
        yield running


@pytest.fixture
def http(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with client(sandbox.base_url) as opened_client:
        yield opened_client


def ticket(http: httpx.Client, **body: Any) -> dict[str, Any]:
    reply = http.post("/api/v3/media/uploads", json=body)
    assert reply.status_code == 200, reply.text
    assert reply.json()["code"] == 200
    data: dict[str, Any] = reply.json()["data"]
    return data


def put(data: dict[str, Any], content: bytes) -> httpx.Response:
    """The PUT as the SDK sends it: the ticket's URL and headers, no API key."""
    upload = data["upload"]
    assert upload["method"] == "PUT"
    return httpx.put(upload["url"], headers=upload["headers"], content=content)


def test_a_ticket_then_a_put_hosts_the_file_usable_as_an_input(
    sandbox: RunningSandbox, http: httpx.Client
) -> None:
    picture = image_bytes(96, 32)
    data = ticket(http, filename="photo.png", size=len(picture), content_type="image/png")
    assert data["download_url"].startswith(sandbox.base_url + "/")
    assert httpx.get(data["download_url"]).status_code == 404  # nothing until the PUT

    assert put(data, picture).status_code == 200

    assert download(data["download_url"]) == picture
    done = run_sync(http, UPSCALER, {"image": data["download_url"], "target_resolution": "2k"})
    assert done["status"] == "completed"
    assert opened(download(done["outputs"][0])).size == (2048, 683)


def test_the_kind_of_file_follows_the_filename_when_no_content_type_is_given(
    http: httpx.Client,
) -> None:
    picture = image_bytes(20, 20, "JPEG")
    data = ticket(http, filename="face.jpg", size=len(picture))
    assert data["upload"]["headers"] == {"Content-Type": "image/jpeg"}
    assert put(data, picture).status_code == 200
    assert download(data["download_url"]) == picture


def test_a_put_of_other_bytes_than_announced_is_refused_and_the_ticket_stays_usable(
    http: httpx.Client,
) -> None:
    picture = image_bytes(30, 30)
    data = ticket(http, filename="x.png", size=len(picture), content_type="image/png")

    short = put(data, picture[:-1])
    long = put(data, picture + b"\0")
    jpeg = image_bytes(30, 30, "JPEG")
    other = ticket(http, filename="y.png", size=len(jpeg), content_type="image/png")
    not_png = put(other, jpeg)

    assert (short.status_code, long.status_code) == (400, 400)
    assert "announced" in short.text and "announced" in not_png.text
    assert not_png.status_code == 400
    assert put(data, picture).status_code == 200
    assert put(data, picture).status_code == 404  # a ticket takes one file
    assert httpx.put(data["upload"]["url"].rsplit("/", 1)[0] + "/unknown").status_code == 404


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"size": 10, "content_type": "image/png"}, "filename"),
        ({"filename": "a.png", "content_type": "image/png"}, "size"),
        ({"filename": "a.png", "size": 0}, "size"),
        ({"filename": "a.png", "size": True}, "size"),
        ({"filename": "a.png", "size": 300 * 1024 * 1024}, "limit"),
        ({"filename": "a.txt", "size": 10, "content_type": "text/plain"}, "content_type"),
        ({"filename": "blob", "size": 10}, "content_type"),
    ],
)
def test_a_ticket_it_cannot_take_is_a_400_envelope(
    http: httpx.Client, body: dict[str, Any], said: str
) -> None:
    assert said in error_envelope(http.post("/api/v3/media/uploads", json=body), 400)


def test_a_ticket_needs_the_key(sandbox: RunningSandbox) -> None:
    body = {"filename": "a.png", "size": 10}
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        reply = httpx.post(sandbox.base_url + "/api/v3/media/uploads", json=body, headers=headers)
        error_envelope(reply, 401)


def test_the_official_sdk_uploads_to_the_sandbox(sandbox: RunningSandbox, tmp_path: Path) -> None:
    wavespeed = pytest.importorskip("wavespeed")
    picture = tmp_path / "photo.png"
    picture.write_bytes(image_bytes(64, 48))

    sdk = wavespeed.Client(api_key=SANDBOX_KEY, base_url=sandbox.base_url)
    url = sdk.upload(str(picture))

    assert download(url) == picture.read_bytes()
    with pytest.raises(RuntimeError, match="401"):
        wavespeed.Client(api_key="wrong", base_url=sandbox.base_url).upload(str(picture))
