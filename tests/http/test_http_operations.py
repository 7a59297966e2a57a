"""POST/GET/cancel operations over real HTTP: 200, 202, problems, idempotency, shutdown."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import httpx
import pytest
from http_support import footprint, png, serving

from imagestudio.application.use_cases.run_operation import RunOperation
from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.settings import Profile

PROBLEM = "application/problem+json"


def generate(client: httpx.Client, prompt: str = "a lighthouse", **extra: object) -> httpx.Response:
    return client.post("/v1/operations", json={"kind": "text-to-image", "prompt": prompt, **extra})


def test_an_operation_that_ends_in_time_answers_200_with_its_assets(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice:
        done = generate(alice, n=2, width=320, height=256, seed=3)

        assert done.status_code == 200, done.text
        body = done.json()
        assert body["status"] == "succeeded" and body["kind"] == "text-to-image"
        assert body["provider"] == "offline" and body["charged_usd"] == "$0.00"
        assert [(a["width"], a["height"]) for a in body["assets"]] == [(320, 256)] * 2
        picture = alice.get(body["assets"][0]["url"])
        assert picture.status_code == 200
        assert picture.headers["content-type"] == "image/png"
        assert picture.content.startswith(b"\x89PNG")


def test_images_come_as_multipart_files_or_base64_or_asset_ids(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice:
        multipart = alice.post(
            "/v1/operations",
            data={"kind": "upscale", "parameters": '{"scale": 2}'},
            files={"image": ("in.png", png(), "image/png")},
        )
        encoded = alice.post(
            "/v1/operations",
            json={
                "kind": "image-edit",
                "prompt": "night",
                "images": [{"base64": base64.b64encode(png()).decode()}],
            },
        )
        asset_id = multipart.json()["assets"][0]["id"]
        by_asset = alice.post(
            "/v1/operations",
            json={"kind": "image-to-3d", "images": [{"asset_id": asset_id}]},
        )

        assert multipart.status_code == 200, multipart.text
        assert multipart.json()["assets"][0]["width"] == 512
        assert encoded.status_code == 200, encoded.text
        assert by_asset.status_code == 200, by_asset.text
        assert by_asset.json()["assets"][0]["media_type"] == "model/gltf-binary"


def test_prefer_respond_async_answers_202_with_a_location_to_poll(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice:
        started = alice.post(
            "/v1/operations",
            json={"kind": "text-to-image", "prompt": "a kite [offline:slow]"},
            headers={"Prefer": "respond-async"},
        )

        assert started.status_code == 202, started.text
        location = started.headers["location"]
        assert location.endswith(f"/v1/operations/{started.json()['id']}")
        for _ in range(100):
            polled = alice.get(location).json()
            if polled["status"] == "succeeded":
                break
            time.sleep(0.05)
        assert polled["status"] == "succeeded" and len(polled["assets"]) == 1


def test_prefer_respond_async_is_a_202_even_for_an_operation_over_before_the_answer(
    tmp_path: Path,
) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice:
        started = [
            alice.post(
                "/v1/operations",
                json={"kind": "text-to-image", "prompt": "a kite [offline:fail]"},
                headers={"Prefer": "respond-async"},
            )
            for _ in range(3)
        ]
        refused = alice.post(
            "/v1/operations",
            json={"kind": "text-to-image", "prompt": "a kite", "model": "nope/none"},
            headers={"Prefer": "respond-async"},
        )
        polled = [alice.get(answer.headers["location"]).json() for answer in started]

    assert [answer.status_code for answer in started] == [202, 202, 202]
    assert [operation["status"] for operation in polled] == ["failed"] * 3
    assert refused.status_code == 404, refused.text  # nothing recorded: its refusal, at once


def test_past_the_wait_the_answer_is_202(tmp_path: Path) -> None:
    with serving(tmp_path, http_wait_seconds=0.01) as api, api.client("alice") as alice:
        slow = generate(alice, "a kite [offline:slow]")

        assert slow.status_code == 202, slow.text
        assert slow.json()["status"] in ("reserved", "submitted")


def test_errors_are_problems_with_stable_types_and_retry_hints(tmp_path: Path) -> None:
    with serving(tmp_path, http_max_request_bytes=200_000) as api, api.client("alice") as alice:
        invalid = generate(alice, width=10, height=10)
        unknown_model = generate(alice, model="nope/none")
        malformed = alice.post(
            "/v1/operations", content=b"{not json", headers={"content-type": "application/json"}
        )
        too_large = alice.post("/v1/operations", content=b"x" * 300_000)
        outage = generate(alice, "a kite [offline:fail]")
        unknown = generate(alice, "a kite [offline:unknown]")
        moderated = generate(alice, "a kite [offline:moderate]")

    for response, status, slug in (
        (invalid, 422, "invalid-input/invalid"),
        (unknown_model, 404, "unknown-model"),
        (malformed, 400, "bad-request"),
        (too_large, 413, "invalid-input/too-large"),
        (outage, 503, "provider-unavailable"),
        (unknown, 504, "outcome-unknown"),
        (moderated, 422, "content-moderated"),
    ):
        assert response.status_code == status, (slug, response.text)
        assert response.headers["content-type"] == PROBLEM
        body = response.json()
        assert body["type"] == f"/problems/{slug}" and body["status"] == status
        assert "Traceback" not in response.text
    assert invalid.json()["field"] == "size"
    assert outage.headers.get("x-should-retry") != "false" and "retry-after" in outage.headers
    assert unknown.headers["x-should-retry"] == "false"
    assert unknown.json()["operation_id"].startswith("op_")


def test_quota_and_concurrency_refusals_say_whose_limit_and_when(tmp_path: Path) -> None:
    with serving(tmp_path, users={"fred": "free"}) as api, api.client("fred") as fred:
        running = fred.post(
            "/v1/operations",
            json={"kind": "text-to-image", "prompt": "slow [offline:slow]"},
            headers={"Prefer": "respond-async"},
        )
        second = generate(fred)  # the free plan runs one operation at a time
        # Wait for the slow one to settle (however busy the machine) before the next ones.
        for _ in range(600):
            if fred.get(running.headers["location"]).json()["status"] == "succeeded":
                break
            time.sleep(0.05)
        ten = generate(fred, n=9)
        over = generate(fred)

    assert running.status_code == 202
    assert second.status_code == 429, second.text
    assert int(second.headers["retry-after"]) >= 1
    assert second.json()["limit_name"]
    assert ten.status_code == 200, ten.text
    assert over.status_code == 402, over.text
    refusal = over.json()
    assert refusal["type"] == "/problems/quota-exceeded"
    assert (refusal["used"], refusal["limit"]) == (10, 10)
    assert refusal["resets_at"] and over.headers["x-should-retry"] == "false"


def test_an_idempotency_key_replays_and_refuses_a_different_request(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice:
        key = {"Idempotency-Key": "order-17"}
        first = alice.post(
            "/v1/operations", json={"kind": "text-to-image", "prompt": "a"}, headers=key
        )
        again = alice.post(
            "/v1/operations", json={"kind": "text-to-image", "prompt": "a"}, headers=key
        )
        other = alice.post(
            "/v1/operations", json={"kind": "text-to-image", "prompt": "b"}, headers=key
        )

    assert first.status_code == again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert other.status_code == 409 and other.headers["x-should-retry"] == "false"


def test_cancel_after_sending_leaves_it_for_reconciliation(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice:
        started = alice.post(
            "/v1/operations",
            json={"kind": "text-to-image", "prompt": "slow [offline:slow]"},
            headers={"Prefer": "respond-async"},
        ).json()
        time.sleep(0.05)
        cancelled = alice.post(f"/v1/operations/{started['id']}/cancel")
        again = alice.post(f"/v1/operations/{started['id']}/cancel")

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] in ("unknown", "cancelled")
    assert again.status_code == 409
    # RFC 9457: a problem's `status` is the HTTP status; the operation's own is beside it.
    refusal = again.json()
    assert (refusal["status"], refusal["type"]) == (409, "/problems/not-cancellable"), refusal
    assert refusal["operation_status"] == cancelled.json()["status"]


def test_shutdown_lets_operations_in_flight_finish(tmp_path: Path) -> None:
    with serving(tmp_path, profile=Profile.LOCAL) as api, api.client("alice") as alice:
        started = alice.post(
            "/v1/operations",
            json={"kind": "text-to-image", "prompt": "slow [offline:slow]"},
            headers={"Prefer": "respond-async"},
        ).json()
    # The server has stopped; its database says how the operation ended.
    import asyncio

    async def status() -> str:
        studio = await ImageStudio.connect(profile=Profile.LOCAL, data_dir=tmp_path)
        try:
            operation = await studio.container.operations().get(started["id"])
            assert operation is not None
            return operation.status.value
        finally:
            await studio.aclose()

    assert asyncio.run(status()) == "succeeded"


def test_health_models_and_quotes(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice, api.client() as anonymous:
        health = anonymous.get("/healthz")
        models = anonymous.get("/v1/models", params={"kind": "upscale"})
        quote = alice.post(
            "/v1/quotes",
            json={"kind": "text-to-image", "model": "wavespeed/seedream-v4", "n": 2},
        )

    assert health.json() == {"status": "ok"}
    listed = {model["id"]: model for model in models.json()}
    assert listed["offline/upscale"]["available"] is True
    assert (
        "IMAGESTUDIO_WAVESPEED_API_KEY" in listed["wavespeed/image-upscaler"]["unavailable_reason"]
    )
    assert quote.status_code == 200, quote.text
    assert quote.json()["amount_usd"] == "$0.054"
    fit = quote.json()["fit"]  # a provider not configured here is still quoted, and fitted
    assert (fit["plan"], fit["would_be_refused"], fit["refused_by"]) == ("pro", False, None)
    assert (fit["refusal"], fit["clears_at"]) == (None, None)
    dimensions = {d["name"]: d for d in fit["dimensions"]}
    assert {"requests per minute", "calls:image-generation", "spend", "concurrency"} <= set(
        dimensions
    )
    spend = dimensions["spend"]
    assert (spend["whose"], spend["unit"], spend["would_use"]) == ("plan", "micro-usd", 54_000)
    assert spend["remaining_after"] == spend["limit"] - spend["used"] - spend["held"] - 54_000
    assert all(d["fits"] for d in dimensions.values())


def test_an_unsupported_format_is_415_and_the_services_budget_is_503(tmp_path: Path) -> None:
    import io

    from PIL import Image

    gif = io.BytesIO()
    Image.new("RGB", (128, 128), "teal").save(gif, "GIF")
    with serving(tmp_path, offline_price_usd="0.01") as api, api.client("alice") as alice:
        unsupported = alice.post(
            "/v1/operations",
            data={"kind": "upscale"},
            files={"image": ("in.gif", gif.getvalue(), "image/gif")},
        )
        with api.admin() as admin:
            budget = admin.put("/v1/admin/budgets/offline", json={"monthly": "0.00"})
        quoted = alice.post("/v1/quotes", json={"kind": "text-to-image", "prompt": "a lighthouse"})
        exhausted = generate(alice)

    fit = quoted.json()["fit"]
    assert (fit["would_be_refused"], fit["refused_by"]) == (True, "operator")
    problem = {name: value for name, value in exhausted.json().items() if name != "instance"}
    assert fit["refusal"] == problem  # the very problem running it met, wording and all
    assert fit["clears_at"] == fit["refusal"]["resets_at"].replace("+00:00", "Z")
    spent = next(d for d in fit["dimensions"] if d["name"] == "budget")
    assert (spent["whose"], spent["owner"], spent["limit"], spent["fits"]) == (
        "operator",
        "offline",
        0,
        False,
    )
    assert unsupported.status_code == 415, unsupported.text
    assert budget.status_code == 200, budget.text
    assert exhausted.status_code == 503, exhausted.text
    assert exhausted.json()["type"] == "/problems/service-budget-exhausted"
    assert exhausted.headers["x-should-retry"] == "false"
    assert "not your quota" in exhausted.json()["detail"]


def test_a_run_that_raises_before_it_is_accepted_answers_500_at_once_holding_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug, not a busy server: no 503 to retry into, and nothing was reserved."""

    async def raises(*_: object) -> None:
        raise RuntimeError("a bug in the run")

    with serving(tmp_path) as api:
        before = footprint(api, "alice")
        monkeypatch.setattr(RunOperation, "execute", raises)
        with api.client("alice") as alice:
            started = time.monotonic()
            answer = alice.post("/v1/operations", json={"kind": "text-to-image", "prompt": "a fox"})
            took = time.monotonic() - started
        monkeypatch.undo()

        assert answer.status_code == 500, answer.text
        assert answer.json()["type"] == "/problems/internal"
        assert "nothing was reserved" in answer.json()["detail"]
        assert took < 3
        assert footprint(api, "alice") == before


def test_too_many_outputs_is_refused_naming_n_the_field_the_body_has(tmp_path: Path) -> None:
    """The body's count of outputs is `n` (here, in a quote, a multipart form, OpenAI's route
    and the MCP tools alike): a refusal must name that field, not the use case's `outputs`,
    which no client sends."""
    with serving(tmp_path) as api, api.client("alice") as alice:
        asked = {"kind": "text-to-image", "prompt": "boats", "n": 11}
        before = footprint(api, "alice")
        answers = {
            "run": alice.post("/v1/operations", json=asked),
            "quote": alice.post("/v1/quotes", json=asked),
            "form": alice.post(
                "/v1/operations", files={name: (None, str(value)) for name, value in asked.items()}
            ),
        }
        assert footprint(api, "alice") == before

    for name, answer in answers.items():
        assert answer.status_code == 422, (name, answer.text)
        body = answer.json()
        assert (body["field"], body["type"]) == ("n", "/problems/invalid-input/invalid"), name
        assert body["detail"].startswith("invalid n:"), name


def test_a_form_field_images_is_refused_not_dropped(tmp_path: Path) -> None:
    """In a form, images are file parts named by role; an `images` text part (JSON, as
    `parameters` is) is no field of the form's schema and was silently dropped — the run went
    ahead without the images it names (or failed saying none were given)."""
    with serving(tmp_path) as api, api.client("alice") as alice:
        before = footprint(api, "alice")
        named = '[{"asset_id": "ast_x"}]'
        answers = [
            alice.post(
                "/v1/operations",
                files={"kind": (None, kind), "prompt": (None, "night"), "images": (None, named)},
            )
            for kind in ("text-to-image", "image-edit")
        ]
        assert footprint(api, "alice") == before

    for answer in answers:
        body = answer.json()
        assert answer.status_code == 400, answer.text
        assert (body["field"], body["type"]) == ("images", "/problems/bad-request")
