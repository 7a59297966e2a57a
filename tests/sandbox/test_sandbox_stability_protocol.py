"""Stability v2beta emulator: keys, bodies, `accept`, seeds and moderation (§2.1-2.4)."""

from __future__ import annotations

import base64
import json
import re
import socket
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image, ImageChops
from stability_fixtures import (
    assert_field_error,
    assert_v2beta_error,
    client,
    image_part,
    opened,
    picture,
    post,
)

from imagestudio.adapters.sandbox.config import SANDBOX_KEY, SandboxConfig, StabilityLimits
from imagestudio.adapters.sandbox.runner import RunningSandbox

_CONFIG = SandboxConfig(
    latency_seconds=0.05,
    stability=StabilityLimits(requests_per_window=100_000),
    moderation_word="forbidden",
    filter_word="blurry-nsfw",
)
_CORE = "stable-image/generate/core"
_TEN_MIB = 10 * 1024 * 1024


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with RunningSandbox(_CONFIG) as running:
        yield running


@pytest.fixture
def http(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with client(sandbox) as http:
        yield http


# -- keys --------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [None, "sk-not-a-sandbox-key"])
def test_a_missing_or_wrong_key_is_a_v2beta_401(sandbox: RunningSandbox, key: str | None) -> None:
    with client(sandbox, key) as http:
        reply = post(http, _CORE, {"prompt": "a cat"})

    errors = assert_v2beta_error(reply, 401, "unauthorized")
    assert errors[0].startswith("authorization: ")


@pytest.mark.parametrize("key", [None, "sk-not-a-sandbox-key"])
def test_a_missing_or_wrong_key_is_a_v1_401_on_the_account_routes(
    sandbox: RunningSandbox, key: str | None
) -> None:
    with client(sandbox, key) as http:
        reply = http.get("/v1/user/balance")

    assert reply.status_code == 401
    body = reply.json()
    assert set(body) == {"id", "name", "message"}
    assert body["name"] == "unauthorized"
    assert re.fullmatch(r"[0-9a-f]{32}", body["id"])


def test_the_result_route_also_needs_the_key(sandbox: RunningSandbox) -> None:
    with client(sandbox, None) as http:
        reply = http.get(f"/v2beta/results/{'a' * 64}")

    assert_v2beta_error(reply, 401, "unauthorized")


def test_an_unknown_v2beta_path_is_a_json_404(http: httpx.Client) -> None:
    reply = post(http, "stable-image/generate/imaginary", {"prompt": "a cat"})

    assert_v2beta_error(reply, 404, "not_found")


# -- bodies ------------------------------------------------------------------------------------


def test_a_declared_body_over_10_mib_is_refused_before_it_is_read(
    sandbox: RunningSandbox,
) -> None:
    # Raw socket: only the headers are sent, so a reply proves the body was never awaited.
    host, port = sandbox.base_url.removeprefix("http://").split(":")
    head = (
        f"POST /v2beta/{_CORE} HTTP/1.1\r\nhost: {host}\r\n"
        f"authorization: Bearer {SANDBOX_KEY}\r\n"
        "content-type: multipart/form-data; boundary=x\r\n"
        f"content-length: {_TEN_MIB + 1}\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(head.encode())
        status_line, body = _read_reply(connection)

    assert status_line == "HTTP/1.1 413 Request Entity Too Large"
    assert body["name"] == "payload_too_large"
    assert body["errors"] == ["body: payloads cannot be larger than 10MiB in size"]


def test_an_image_over_10_mib_is_payload_too_large(http: httpx.Client) -> None:
    files = {"image": image_part(b"\x00" * (_TEN_MIB + 1))}

    assert_v2beta_error(
        post(http, "stable-image/upscale/fast", {}, files), 413, "payload_too_large"
    )


def test_a_streamed_body_without_a_length_is_cut_off_past_10_mib(http: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(11):
            yield b"\x00" * (1024 * 1024)

    reply = http.post(
        f"/v2beta/{_CORE}",
        content=chunks(),
        headers={"content-type": "multipart/form-data; boundary=x"},
    )

    assert_v2beta_error(reply, 413, "payload_too_large")


def test_a_post_without_a_body_needs_a_content_type(http: httpx.Client) -> None:
    errors = assert_v2beta_error(http.post(f"/v2beta/{_CORE}"), 400, "bad_request")

    assert errors == ["content-type: required"]


def test_a_json_body_is_not_accepted(http: httpx.Client) -> None:
    reply = http.post(f"/v2beta/{_CORE}", json={"prompt": "a cat"})

    assert_field_error(reply, "content-type")


def test_client_identification_headers_are_limited_to_256_characters(http: httpx.Client) -> None:
    reply = post(http, _CORE, {"prompt": "a cat"}, headers={"stability-client-id": "x" * 257})

    assert_field_error(reply, "stability-client-id")


# -- accept ------------------------------------------------------------------------------------


@pytest.mark.parametrize("accept", [None, "image/*", "*/*"])
def test_image_accept_answers_raw_bytes_with_finish_reason_and_seed_headers(
    http: httpx.Client, accept: str | None
) -> None:
    headers = {"accept": accept} if accept else {}
    if accept is None:
        http.headers.pop("accept", None)

    reply = post(http, _CORE, {"prompt": "a cat", "output_format": "webp"}, headers=headers)

    assert reply.status_code == 200
    assert reply.headers["content-type"] == "image/webp"
    assert reply.headers["finish-reason"] == "SUCCESS"
    assert 1 <= int(reply.headers["seed"]) <= 4_294_967_294
    assert re.fullmatch(r"[0-9a-f]+", reply.headers["x-request-id"])
    assert opened(reply.content).format == "WEBP"


def test_json_accept_answers_base64_with_finish_reason_and_seed_in_the_body(
    http: httpx.Client,
) -> None:
    reply = post(
        http,
        _CORE,
        {"prompt": "a cat", "output_format": "jpeg", "seed": "343940597"},
        headers={"accept": "application/json"},
    )

    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/json; type=image/jpeg"
    assert "finish-reason" not in reply.headers
    assert "seed" not in reply.headers
    assert "x-request-id" in reply.headers
    body = reply.json()
    assert set(body) == {"image", "finish_reason", "seed"}
    assert (body["finish_reason"], body["seed"]) == ("SUCCESS", 343940597)
    assert opened(base64.b64decode(body["image"])).format == "JPEG"


def test_an_unusable_accept_value_is_a_bad_request(http: httpx.Client) -> None:
    reply = post(http, _CORE, {"prompt": "a cat"}, headers={"accept": "text/html"})

    assert_field_error(reply, "accept")


def test_the_same_seed_draws_the_same_image(http: httpx.Client) -> None:
    form = {"prompt": "a cat", "seed": "42"}

    first, second = post(http, _CORE, form), post(http, _CORE, form)

    assert first.headers["seed"] == second.headers["seed"] == "42"
    assert first.content == second.content


def test_seed_zero_means_a_random_seed_that_is_reported(http: httpx.Client) -> None:
    seeds = {post(http, _CORE, {"prompt": "a cat", "seed": "0"}).headers["seed"] for _ in range(3)}

    assert "0" not in seeds
    assert len(seeds) > 1


# -- moderation --------------------------------------------------------------------------------


def test_a_flagged_prompt_is_a_403_and_costs_nothing(
    sandbox: RunningSandbox, http: httpx.Client
) -> None:
    before = sandbox.state.book.balance("stability")

    reply = post(http, _CORE, {"prompt": "a FORBIDDEN thing"})

    errors = assert_v2beta_error(reply, 403, "content_moderation")
    assert "not charged" in errors[0]
    assert sandbox.state.book.balance("stability") == before


def test_a_flagged_search_prompt_is_refused_too(http: httpx.Client) -> None:
    files = {"image": image_part(picture(128, 128))}
    form = {"prompt": "a dog", "search_prompt": "the forbidden cat"}

    reply = post(http, "stable-image/edit/search-and-replace", form, files)

    assert_v2beta_error(reply, 403, "content_moderation")


def test_a_filtered_prompt_is_billed_and_answers_a_blurred_image(
    sandbox: RunningSandbox, http: httpx.Client
) -> None:
    reply = post(http, _CORE, {"prompt": "a blurry-nsfw scene", "seed": "7"})
    clear = post(http, _CORE, {"prompt": "a clear scene", "seed": "7"})

    assert reply.status_code == 200
    assert reply.headers["finish-reason"] == "CONTENT_FILTERED"
    assert _sharpest_step(opened(reply.content)) < 20 < _sharpest_step(opened(clear.content))
    billed = sandbox.state.book.find("stability", reply.headers["x-request-id"])
    assert billed is not None
    assert billed.filtered


def test_a_filtered_json_reply_says_so_in_finish_reason(http: httpx.Client) -> None:
    reply = post(http, _CORE, {"prompt": "blurry-nsfw"}, headers={"accept": "application/json"})

    assert reply.json()["finish_reason"] == "CONTENT_FILTERED"


def test_a_prompt_not_in_english_is_invalid_language(http: httpx.Client) -> None:
    reply = post(http, _CORE, {"prompt": "一只在屋顶上的猫"})

    assert_v2beta_error(reply, 422, "invalid_language")


def _read_reply(connection: socket.socket) -> tuple[str, dict[str, object]]:
    """The status line and JSON body of one HTTP/1.1 reply with a content-length."""
    received = b""
    while True:
        head, separator, body = received.partition(b"\r\n\r\n")
        if separator:
            length = re.search(rb"content-length: (\d+)", head, re.IGNORECASE)
            if length and len(body) >= int(length.group(1)):
                return head.decode().split("\r\n")[0], json.loads(body)
        chunk = connection.recv(65_536)
        assert chunk, "the connection closed before the reply was complete"
        received += chunk


def _sharpest_step(image: Image.Image) -> int:
    """The largest difference between horizontally neighbouring pixels (any channel)."""
    rgb = image.convert("RGB")
    shifted = ImageChops.offset(rgb, 1, 0)
    extrema = ImageChops.difference(rgb, shifted).crop((1, 0, rgb.width, rgb.height)).getextrema()
    return max(high for _, high in extrema)
