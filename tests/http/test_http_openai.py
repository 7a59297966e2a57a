"""OpenAI's images API served for real and driven by the official `openai` client: the same
quota and ledger as `/v1/operations`, signed links that need no key, and refusals the client
does not retry."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import time
from collections import Counter
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import openai
import pytest
from http_support import ADMIN, Api, png
from PIL import Image, ImageDraw
from starlette.types import ASGIApp, Receive, Scope, Send

from imagestudio.adapters.sandbox.runner import ServedApp
from imagestudio.domain.usage_record import UsageRecord
from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.http.app import create_app
from imagestudio.entrypoints.http.signed_urls import AssetLinks
from imagestudio.entrypoints.settings import Profile, Settings

GENERATIONS = "/v1/images/generations"
SIGNING_KEY = "a-signing-key-for-tests-that-is-long-enough"
T = TypeVar("T")


@dataclass
class Served:
    api: Api
    hits: Counter[str]
    """Requests the server received, by path: retries included."""
    studio: ImageStudio
    loop: asyncio.AbstractEventLoop

    def openai(self, user: str, max_retries: int = 2) -> openai.OpenAI:
        return openai.OpenAI(
            base_url=self.api.base_url + "/v1", api_key=self.api.keys[user], max_retries=max_retries
        )

    def on_server(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout=10)

    def ledger(self, user: str) -> tuple[UsageRecord, ...]:
        return self.on_server(self.studio.container.ledger().for_user(user))


def counting(app: ASGIApp, hits: Counter[str]) -> ASGIApp:
    async def counted(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            hits[scope["path"]] += 1
        await app(scope, receive, send)

    return counted


@contextmanager
def serving(
    tmp_path: Path, users: dict[str, str] | None = None, **overrides: Any
) -> Iterator[Served]:
    settings = Settings(
        **{"profile": Profile.TEST, "data_dir": tmp_path, **overrides},
        admin_key=ADMIN,
        signing_key=SIGNING_KEY,
    )
    built: list[tuple[ImageStudio, asyncio.AbstractEventLoop]] = []

    async def connect(chosen: Settings) -> ImageStudio:
        studio = await ImageStudio.connect(chosen)
        built.append((studio, asyncio.get_running_loop()))
        return studio

    hits: Counter[str] = Counter()
    app = counting(create_app(settings, studio=connect), hits)
    with ServedApp(app, lifespan="on", name="http-openai") as served:
        api = Api(served.base_url, {})
        with api.admin() as admin:
            for user, plan in ({"alice": "pro", "bob": "pro"} if users is None else users).items():
                made = admin.post("/v1/admin/users", json={"user_id": user, "plan": plan})
                assert made.status_code == 201, made.text
                api.keys[user] = made.json()["api_key"]
        studio, loop = built[0]
        yield Served(api, hits, studio, loop)


def picture(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def payload(url: str) -> list[Any]:
    """What a link's token says in the clear: [owner, asset id, expiry]."""
    encoded = url.rsplit("/", 1)[1].split(".")[0]
    decoded: list[Any] = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    return decoded


def with_payload(url: str, owner: str, asset_id: str, expires: int) -> str:
    """The same link with its payload rewritten and its signature kept."""
    body = json.dumps([owner, asset_id, expires], separators=(",", ":")).encode()
    encoded = base64.urlsafe_b64encode(body).rstrip(b"=").decode()
    base, token = url.rsplit("/", 1)
    return f"{base}/{encoded}.{token.split('.')[1]}"


def test_a_url_answer_downloads_without_a_key_and_holds_the_operations_bytes(
    tmp_path: Path,
) -> None:
    with serving(tmp_path) as served, served.api.client("alice") as alice:
        client = served.openai("alice")
        answer = client.images.generate(
            model="dall-e-3",
            prompt="a lighthouse",
            n=2,
            size="320x256",
            response_format="url",
            extra_body={"seed": 7},
        )
        downloads = [httpx.get(image.url or "") for image in answer.data]
        same = alice.post(
            "/v1/operations",
            json={
                "kind": "text-to-image",
                "prompt": "a lighthouse",
                "n": 2,
                "width": 320,
                "height": 256,
                "seed": 7,
            },
        ).json()
        expected = [alice.get(asset["url"]).content for asset in same["assets"]]

    assert abs(answer.created - time.time()) < 60
    assert len(answer.data) == 2 and answer.data[0].b64_json is None
    for download in downloads:
        assert download.status_code == 200, download.text
        assert download.headers["content-type"] == "image/png"
        assert picture(download.content).size == (320, 256)
    assert [d.content for d in downloads] == expected
    assert downloads[0].content != downloads[1].content


def test_b64_json_answers_carry_the_image_and_are_gpt_images_default(tmp_path: Path) -> None:
    with serving(tmp_path) as served:
        client = served.openai("alice")
        asked = client.images.generate(
            prompt="a fox", size="256x256", response_format="b64_json", extra_body={"seed": 1}
        )
        by_default = client.images.generate(
            model="gpt-image-1", prompt="a fox", size="256x256", extra_body={"seed": 1}
        )

    assert asked.data[0].url is None
    assert picture(base64.b64decode(asked.data[0].b64_json or "")).size == (256, 256)
    assert by_default.data[0].b64_json == asked.data[0].b64_json


def openai_mask(transparent: tuple[int, int, int, int] | None) -> bytes:
    """OpenAI's convention: opaque is kept, transparent is where the edit goes."""
    mask = Image.new("RGBA", (256, 192), (0, 0, 0, 255))
    if transparent is not None:
        ImageDraw.Draw(mask).ellipse(transparent, fill=(0, 0, 0, 0))
    encoded = io.BytesIO()
    mask.save(encoded, "PNG")
    return encoded.getvalue()


def test_an_edit_takes_an_image_file_and_an_openai_mask(tmp_path: Path) -> None:
    with serving(tmp_path) as served:
        client = served.openai("alice")
        edited = client.images.edit(
            image=("in.png", png(), "image/png"),
            prompt="turn the sky to night",
            response_format="b64_json",
        )
        inpainted = client.images.edit(
            image=("in.png", png(), "image/png"),
            mask=("mask.png", openai_mask((64, 48, 192, 144)), "image/png"),
            prompt="a moon",
            n=2,
            response_format="url",
        )
        downloads = [httpx.get(image.url or "") for image in inpainted.data]
        with pytest.raises(openai.UnprocessableEntityError) as nothing_to_edit:
            client.images.edit(
                image=("in.png", png(), "image/png"),
                mask=("mask.png", openai_mask(None), "image/png"),
                prompt="a moon",
            )
        ledger = served.ledger("alice")

    assert picture(base64.b64decode(edited.data[0].b64_json or "")).size == (256, 192)
    assert [d.status_code for d in downloads] == [200, 200]
    assert picture(downloads[0].content).size == (256, 192)
    assert "mask is empty" in nothing_to_edit.value.message  # opaque everywhere: edit nothing
    assert [(r.kind and r.kind.value, r.outputs, r.outcome.value) for r in ledger] == [
        ("image-edit", 1, "succeeded"),
        ("image-edit", 2, "succeeded"),
        ("image-edit", 0, "failed"),
    ]


def test_an_idempotency_key_makes_a_repeated_request_answer_the_same_images(
    tmp_path: Path,
) -> None:
    with serving(tmp_path) as served:
        client = served.openai("alice")
        key = {"Idempotency-Key": "poster-42"}
        first = client.images.generate(prompt="a kite", extra_headers=key)
        again = client.images.generate(prompt="a kite", extra_headers=key)
        with pytest.raises(openai.ConflictError) as reused:
            client.images.generate(prompt="a kite at night", extra_headers=key)
        ledger = served.ledger("alice")

    assert payload(first.data[0].url or "")[1] == payload(again.data[0].url or "")[1]
    assert len(ledger) == 1
    assert reused.value.code == "idempotency-conflict"
    assert served.hits[GENERATIONS] == 3  # the conflict says x-should-retry: false


def test_quota_and_ledger_move_exactly_as_through_operations(tmp_path: Path) -> None:
    with (
        serving(tmp_path, offline_price_usd="0.02") as served,
        served.api.client("alice") as alice,
        served.api.client("bob") as bob,
    ):
        served.openai("alice").images.generate(
            prompt="a kite", n=2, size="320x256", extra_body={"seed": 3}
        )
        bob.post(
            "/v1/operations",
            json={
                "kind": "text-to-image",
                "prompt": "a kite",
                "n": 2,
                "width": 320,
                "height": 256,
                "seed": 3,
            },
        )
        usage = {
            who: client.get("/v1/usage").json()["rows"]
            for who, client in (("alice", alice), ("bob", bob))
        }
        (alice_line,), (bob_line,) = served.ledger("alice"), served.ledger("bob")

    assert usage["alice"] == usage["bob"]
    spent = {row["name"]: row["used"] for row in usage["alice"]}
    assert spent["image-generation"] == 2 and spent["spend"] == "$0.04"

    def billed(line: UsageRecord) -> tuple[object, ...]:
        return (
            line.model_id,
            line.provider,
            line.kind,
            line.outputs,
            line.user_charge,
            line.provider_cost,
            line.outcome,
            line.billing_period,
        )

    assert billed(alice_line) == billed(bob_line)
    assert alice_line.user_charge == 40_000


def test_a_quota_refusal_is_raised_at_once_and_never_retried(tmp_path: Path) -> None:
    with serving(tmp_path, users={"fred": "free"}) as served:
        client = served.openai("fred", max_retries=2)
        client.images.generate(prompt="ten kites", n=10, response_format="b64_json")
        with pytest.raises(openai.APIStatusError) as refused:
            client.images.generate(prompt="one more", response_format="b64_json")
        ledger = served.ledger("fred")

    assert refused.value.status_code == 402
    assert served.hits[GENERATIONS] == 2  # the refused request was sent once: never retried
    assert refused.value.code == "quota-exceeded"
    assert refused.value.type == "insufficient_quota"
    assert "limit for this period would be exceeded" in refused.value.message
    error = refused.value.response.json()["error"]
    assert (error["used"], error["limit"]) == (10, 10) and error["resets_at"]
    assert refused.value.response.headers["x-should-retry"] == "false"
    assert len(ledger) == 1


def test_an_unknown_outcome_is_a_504_the_client_does_not_retry(tmp_path: Path) -> None:
    with serving(tmp_path) as served:
        with pytest.raises(openai.InternalServerError) as unknown:
            served.openai("alice").images.generate(prompt="a kite [offline:unknown]")
        hits = served.hits[GENERATIONS]

    assert unknown.value.status_code == 504
    assert hits == 1
    assert unknown.value.code == "outcome-unknown" and unknown.value.type == "server_error"
    assert unknown.value.response.json()["error"]["operation_id"].startswith("op_")


def test_errors_take_openais_shape_with_the_problem_slug_and_param(tmp_path: Path) -> None:
    with serving(tmp_path) as served, served.api.client() as anonymous:
        client = served.openai("alice", max_retries=0)
        errors: dict[str, openai.APIStatusError] = {}
        for name, call in {
            "too small": lambda: client.images.generate(prompt="x", size="10x10"),
            "not a size": lambda: client.images.generate(prompt="x", size="big"),
            "too many": lambda: client.images.generate(prompt="x", n=40),
            "unknown model": lambda: client.images.generate(prompt="x", model="nope/none"),
            "streaming": lambda: client.images.generate(prompt="x", stream=True),
            "moderated": lambda: client.images.generate(prompt="x [offline:moderate]"),
            "no key": lambda: openai.OpenAI(
                base_url=served.api.base_url + "/v1", api_key="isk_wrong", max_retries=0
            ).images.generate(prompt="x"),
        }.items():
            with pytest.raises(openai.APIStatusError) as raised:
                call()
            errors[name] = raised.value
        no_prompt = anonymous.post(
            GENERATIONS,
            json={"size": "256x256"},
            headers={"Authorization": f"Bearer {served.api.keys['alice']}"},
        )
        not_multipart = anonymous.post(
            "/v1/images/edits",
            json={"prompt": "x"},
            headers={"Authorization": f"Bearer {served.api.keys['alice']}"},
        )

    seen = {name: (e.status_code, e.type, e.code, e.param) for name, e in errors.items()}
    assert seen == {
        "too small": (422, "invalid_request_error", "invalid-input/invalid", "size"),
        "not a size": (400, "invalid_request_error", "bad-request", "size"),
        "too many": (400, "invalid_request_error", "bad-request", "n"),
        "unknown model": (404, "invalid_request_error", "unknown-model", None),
        "streaming": (400, "invalid_request_error", "bad-request", "stream"),
        "moderated": (422, "invalid_request_error", "content-moderated", None),
        "no key": (401, "authentication_error", "unauthorized", None),
    }
    assert "isk_wrong" not in errors["no key"].response.text
    assert (no_prompt.status_code, not_multipart.status_code) == (400, 415)
    for response in (no_prompt, not_multipart):
        assert response.headers["content-type"] == "application/json"
    assert no_prompt.json()["error"]["param"] == "prompt"
    assert not_multipart.json()["error"]["param"] == "content-type"
    assert "multipart/form-data" in not_multipart.json()["error"]["message"]


def test_an_expired_link_is_refused(tmp_path: Path) -> None:
    with serving(tmp_path, signed_url_seconds=1) as served:
        url = served.openai("alice").images.generate(prompt="a kite").data[0].url or ""
        fresh = httpx.get(url)
        time.sleep(max(0.0, payload(url)[2] - time.time()) + 0.05)
        stale = httpx.get(url)

    assert fresh.status_code == 200
    assert stale.status_code == 410
    assert stale.json()["type"] == "/problems/link-expired"


def test_a_tampered_link_is_refused(tmp_path: Path) -> None:
    with serving(tmp_path) as served:
        url = served.openai("alice").images.generate(prompt="a kite").data[0].url or ""
        owner, asset_id, expires = payload(url)
        signature = url.rsplit(".", 1)[1]
        flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
        attempts = {
            "signature changed": url.rsplit(".", 1)[0] + "." + flipped,
            "signature cut": url.rsplit(".", 1)[0],
            "expiry pushed back": with_payload(url, owner, asset_id, expires + 86_400),
            "another key": url.rsplit("/", 1)[0]
            + "/"
            + AssetLinks(b"another key", 3600).sign(owner, asset_id),
            "not a token": url.rsplit("/", 1)[0] + "/ast_123",
        }
        answers = {name: httpx.get(attempt) for name, attempt in attempts.items()}
        still = httpx.get(url)

    assert still.status_code == 200
    for name, answer in answers.items():
        assert answer.status_code == 403, name
        assert answer.json()["type"] == "/problems/link-invalid"
        assert answer.headers["content-type"] == "application/problem+json"


def test_another_users_asset_cannot_be_reached_by_forging_a_link(tmp_path: Path) -> None:
    with serving(tmp_path) as served:
        alices = served.openai("alice").images.generate(prompt="alice's fox").data[0].url or ""
        bobs = served.openai("bob").images.generate(prompt="bob's owl").data[0].url or ""
        alice, alice_asset, _ = payload(alices)
        bob, bob_asset, expires = payload(bobs)
        forged = {
            "alice's asset under bob's name": with_payload(bobs, bob, alice_asset, expires),
            "bob's signature as alice": with_payload(bobs, alice, alice_asset, expires),
            "bob's asset as alice": with_payload(bobs, alice, bob_asset, expires),
        }
        answers = {name: httpx.get(attempt) for name, attempt in forged.items()}
        genuine = httpx.get(bobs)

    assert (alice, bob) == ("alice", "bob")
    assert genuine.status_code == 200
    for name, answer in answers.items():
        assert answer.status_code == 403, name
        assert not answer.content.startswith(b"\x89PNG")


def test_links_signed_with_the_configured_key_survive_a_restart(tmp_path: Path) -> None:
    with serving(tmp_path, profile=Profile.LOCAL) as served:
        url = served.openai("alice").images.generate(prompt="a kite").data[0].url or ""
        path = url.split("/v1/", 1)[1]
    with serving(tmp_path, users={}, profile=Profile.LOCAL) as served:
        again = httpx.get(f"{served.api.base_url}/v1/{path}")

    assert again.status_code == 200 and again.content.startswith(b"\x89PNG")


def test_a_generation_running_for_the_openai_client_can_be_cancelled(tmp_path: Path) -> None:
    """It is an operation of this server like any other: listed as running, cancellable with
    `POST /v1/operations/{id}/cancel`, and the waiting client is told how it was settled in
    OpenAI's shape, once."""
    with (
        serving(tmp_path, offline_slow_seconds=30.0) as served,
        served.api.client("alice") as alice,
        ThreadPoolExecutor(1) as pool,
    ):
        waiting = pool.submit(
            alice.post, GENERATIONS, json={"prompt": "a slow heron [offline:slow]"}
        )
        until = time.monotonic() + 10
        running: list[dict[str, Any]] = []
        while not running and time.monotonic() < until:
            running = alice.get("/v1/operations", params={"unfinished": "true"}).json()["items"]
            time.sleep(0.02)
        assert running, "the generation never showed as running"
        cancelled = alice.post(f"/v1/operations/{running[0]['id']}/cancel")
        answer = waiting.result(timeout=10)
        stored = alice.get(f"/v1/operations/{running[0]['id']}").json()

    assert cancelled.status_code == 200, cancelled.text
    expected = {"cancelled": (409, "cancelled"), "unknown": (504, "outcome-unknown")}
    assert (answer.status_code, answer.json()["error"]["code"]) == expected[stored["status"]]
    assert answer.headers["x-should-retry"] == "false"
