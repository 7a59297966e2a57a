"""Stability v2beta emulator: async generations, 200 {id} → 202 → 200, and their 404s (§2.3)."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator

import httpx
import pytest
from stability_fixtures import (
    ManualClock,
    assert_v2beta_error,
    client,
    eventually,
    image_part,
    opened,
    picture,
    post,
)

from imagestudio.adapters.sandbox.config import SANDBOX_KEY, SandboxConfig
from imagestudio.adapters.sandbox.runner import RunningSandbox

_OTHER_KEY = "sk-other-account"
_LATENCY = 0.2
_CREATIVE = "stable-image/upscale/creative"
_RELIGHT = "stable-image/edit/replace-background-and-relight"
_LEGACY = "/v2beta/stable-image/upscale/creative/result/"
_NOT_FOUND = ["id: the generation either does not exist or has expired."]


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    config = SandboxConfig(
        latency_seconds=_LATENCY,
        api_keys=frozenset({SANDBOX_KEY, _OTHER_KEY}),
        result_ttl_seconds=3_600,
    )
    with RunningSandbox(config) as running:
        yield running


@pytest.fixture
def clock(sandbox: RunningSandbox) -> ManualClock:
    manual = ManualClock()
    sandbox.state.clock = manual
    return manual


@pytest.fixture
def http(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with client(sandbox) as http:
        yield http


def _creative(http: httpx.Client, **form: str) -> str:
    files = {"image": image_part(picture(128, 96))}
    accepted = post(http, _CREATIVE, {"prompt": "a cat", **form}, files)
    assert accepted.status_code == 200, accepted.text
    assert set(accepted.json()) == {"id"}
    generation_id: str = accepted.json()["id"]
    return generation_id


@pytest.mark.parametrize(
    ("path", "files", "form"),
    [
        (_CREATIVE, "image", {"prompt": "a cat"}),
        (_RELIGHT, "subject_image", {"background_prompt": "a beach"}),
    ],
)
def test_an_async_post_answers_200_with_a_64_hex_id(
    http: httpx.Client, path: str, files: str, form: dict[str, str]
) -> None:
    reply = post(http, path, form, {files: image_part(picture(128, 128))})

    assert reply.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{64}", reply.json()["id"])
    assert "x-request-id" in reply.headers


def test_a_generation_is_in_progress_until_its_time_then_delivers(
    http: httpx.Client, clock: ManualClock
) -> None:
    generation_id = _creative(http, output_format="webp", seed="99")

    pending = http.get(f"/v2beta/results/{generation_id}")
    clock.advance(_LATENCY)
    done = http.get(f"/v2beta/results/{generation_id}")

    assert pending.status_code == 202
    assert pending.json() == {"id": generation_id, "status": "in-progress"}
    assert done.status_code == 200
    assert done.headers["content-type"] == "image/webp"
    assert (done.headers["finish-reason"], done.headers["seed"]) == ("SUCCESS", "99")
    assert "x-request-id" in done.headers
    assert opened(done.content).format == "WEBP"


def test_a_result_can_be_fetched_as_json(http: httpx.Client, clock: ManualClock) -> None:
    generation_id = _creative(http)
    clock.advance(_LATENCY)

    reply = http.get(f"/v2beta/results/{generation_id}", headers={"accept": "application/json"})

    assert reply.headers["content-type"] == "application/json; type=image/png"
    body = reply.json()
    assert body["finish_reason"] == "SUCCESS"
    assert opened(base64.b64decode(body["image"])).format == "PNG"


def test_the_legacy_creative_result_path_serves_the_same_generation(
    http: httpx.Client, clock: ManualClock
) -> None:
    generation_id = _creative(http)
    assert http.get(_LEGACY + generation_id).status_code == 202
    clock.advance(_LATENCY)

    legacy, shared = http.get(_LEGACY + generation_id), http.get(f"/v2beta/results/{generation_id}")

    assert legacy.status_code == shared.status_code == 200
    assert legacy.content == shared.content


def test_a_generation_completes_on_time_without_being_polled(
    sandbox: RunningSandbox, http: httpx.Client
) -> None:
    generation_id = _creative(http)

    assert eventually(lambda: sandbox.state.book.find("stability", generation_id) is not None)
    billed = sandbox.state.book.find("stability", generation_id)
    assert billed is not None
    assert billed.amount == 60


def test_an_unknown_id_is_generation_not_found(http: httpx.Client) -> None:
    for path in (f"/v2beta/results/{'0' * 64}", _LEGACY + "0" * 64, "/v2beta/results/nonsense"):
        errors = assert_v2beta_error(http.get(path), 404, "generation_not_found")
        assert errors == _NOT_FOUND


def test_an_expired_generation_is_not_found(http: httpx.Client, clock: ManualClock) -> None:
    generation_id = _creative(http)
    clock.advance(_LATENCY)
    assert http.get(f"/v2beta/results/{generation_id}").status_code == 200

    clock.advance(3_600)

    assert_v2beta_error(http.get(f"/v2beta/results/{generation_id}"), 404, "generation_not_found")


def test_another_keys_generation_is_not_found(
    sandbox: RunningSandbox, http: httpx.Client, clock: ManualClock
) -> None:
    generation_id = _creative(http)
    clock.advance(_LATENCY)

    with client(sandbox, _OTHER_KEY) as other:
        reply = other.get(f"/v2beta/results/{generation_id}")

    assert_v2beta_error(reply, 404, "generation_not_found")
    assert http.get(f"/v2beta/results/{generation_id}").status_code == 200


def test_an_unusable_accept_on_a_result_is_a_bad_request(
    http: httpx.Client, clock: ManualClock
) -> None:
    generation_id = _creative(http)
    clock.advance(_LATENCY)

    reply = http.get(f"/v2beta/results/{generation_id}", headers={"accept": "text/plain"})

    assert_v2beta_error(reply, 400, "bad_request")
