"""Replies the sandbox does not script, over real HTTP from a purpose-built loopback server."""

from __future__ import annotations

import dataclasses
import logging
import socket

import pytest
from stability_scripted_server import (
    ScriptedStability,
    accepted_reply,
    dropped_reply,
    error_reply,
    glb_reply,
    image_reply,
    in_progress_reply,
    json_image_reply,
    slow,
)
from stability_test_support import (
    SECRET_KEY,
    RecordingReport,
    image_input,
    job,
    model,
    provider_at,
    settings_for,
)
from starlette.responses import Response

from imagestudio.adapters.stability.client import new_client
from imagestudio.application.ports.provider import (
    ProviderSuccess,
    SubmitUnknown,
    TaskMissing,
    TaskPending,
)
from imagestudio.domain.errors import OutputFiltered, ProviderErrorKind, ProviderFailed
from imagestudio.domain.media import MediaType

CORE = "/v2beta/stable-image/generate/core"
JSON = "application/json"
CREATIVE = "/v2beta/stable-image/upscale/creative"
TASK = "f" * 64
RESULT = f"/v2beta/results/{TASK}"


async def test_bytes_reply_reads_type_seed_and_size_and_sends_the_headers(
    script: ScriptedStability, base_url: str
) -> None:
    script.on("POST", CORE, image_reply("webp", seed=777, size=(80, 60)))
    report = RecordingReport()
    async with provider_at(settings_for(base_url)) as provider:
        outcome = await provider.run(job("generate-core"), report)
    assert isinstance(outcome, ProviderSuccess)
    (artifact,) = outcome.artifacts
    assert (artifact.media_type, artifact.width, artifact.height, artifact.seed) == (
        MediaType.WEBP,
        80,
        60,
        777,
    )
    assert report.events == [("sending",)]
    (seen,) = script.seen
    assert seen.headers["accept"] == "image/*"
    assert seen.headers["authorization"] == f"Bearer {SECRET_KEY}"
    assert seen.headers["stability-client-id"] == "imagestudio"
    assert seen.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert seen.fields["prompt"] == "a lighthouse at dusk"


async def test_json_reply_reads_base64_and_the_type_parameter(
    script: ScriptedStability, base_url: str
) -> None:
    script.on("POST", CORE, json_image_reply("webp", seed=5, size=(30, 20)))
    async with provider_at(settings_for(base_url, accept_json=True)) as provider:
        outcome = await provider.run(job("generate-core"), RecordingReport())
    assert isinstance(outcome, ProviderSuccess)
    (artifact,) = outcome.artifacts
    assert (artifact.media_type, artifact.width, artifact.height, artifact.seed) == (
        MediaType.WEBP,
        30,
        20,
        5,
    )
    assert script.seen[0].headers["accept"] == "application/json"


async def test_a_3d_submit_sends_no_accept_header_and_returns_the_glb(
    script: ScriptedStability, base_url: str
) -> None:
    script.on("POST", "/v2beta/3d/stable-fast-3d", glb_reply())
    async with provider_at(settings_for(base_url, accept_json=True)) as provider:
        outcome = await provider.run(
            job("stable-fast-3d", inputs=(image_input(),)), RecordingReport()
        )
    assert isinstance(outcome, ProviderSuccess)
    assert outcome.artifacts[0].media_type is MediaType.GLB
    assert outcome.artifacts[0].data.startswith(b"glTF")
    assert "accept" not in script.seen[0].headers


@pytest.mark.parametrize("accept_json", [False, True])
async def test_content_filtered_is_output_filtered(
    script: ScriptedStability, base_url: str, accept_json: bool
) -> None:
    reply = json_image_reply if accept_json else image_reply
    script.on("POST", CORE, reply(finish="CONTENT_FILTERED"))
    async with provider_at(settings_for(base_url, accept_json=accept_json)) as provider:
        outcome = await provider.run(job("generate-core"), RecordingReport())
    assert isinstance(outcome, OutputFiltered)


async def test_any_other_finish_reason_is_a_failure(
    script: ScriptedStability, base_url: str
) -> None:
    script.on("POST", CORE, image_reply(finish="ERROR"))
    async with provider_at(settings_for(base_url)) as provider:
        outcome = await provider.run(job("generate-core"), RecordingReport())
    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is ProviderErrorKind.UNAVAILABLE
    assert "ERROR" in outcome.detail


UNREADABLE = [
    pytest.param(lambda: Response(b"not a png", media_type="image/png"), False, id="bytes"),
    pytest.param(lambda: Response(b'{"image": "!!", "fin', media_type=JSON), True, id="json"),
]


@pytest.mark.parametrize(("reply", "accept_json"), UNREADABLE)
async def test_an_unreadable_200_is_held_as_unknown_never_a_failure(
    script: ScriptedStability, base_url: str, reply: object, accept_json: bool
) -> None:
    # Stability bills what it answers 200: a failure would release it and record no cost.
    script.on("POST", CORE, reply)  # type: ignore[arg-type]
    async with provider_at(settings_for(base_url, accept_json=accept_json)) as provider:
        outcome = await provider.run(job("generate-core"), RecordingReport())
    assert isinstance(outcome, SubmitUnknown)
    assert outcome.task_id is None
    assert "unreadable reply" in outcome.detail
    assert len(script.requests_to("POST", CORE)) == 1, "a submit is never retried"


async def test_an_unreadable_async_result_holds_the_task_by_id(
    script: ScriptedStability, base_url: str
) -> None:
    script.on("POST", CREATIVE, accepted_reply(TASK))
    script.on("GET", RESULT, lambda: Response(b"\x89PNG cut", media_type="image/png"))
    async with provider_at(settings_for(base_url)) as provider:
        outcome = await provider.run(
            job("upscale-creative", inputs=(image_input(),)), RecordingReport()
        )
    assert isinstance(outcome, SubmitUnknown)
    assert outcome.task_id == TASK
    assert "unreadable reply" in outcome.detail


@pytest.mark.parametrize(
    ("reply", "kind", "words"),
    [
        (error_reply(400, "bad_request", "prompt: is required"), "invalid_input", "prompt"),
        (error_reply(401, "unauthorized", "bad key", v1=True), "auth", "bad key"),
        (error_reply(402, "payment_required", "no credits"), "out_of_credit", "no credits"),
        (error_reply(403, "content_moderation", "flagged"), "moderation", "flagged"),
        (error_reply(404, "not_found", "no route"), "not_supported", "no route"),
        (error_reply(413, "payload_too_large", "too big"), "invalid_input", "10 MiB"),
        (error_reply(422, "invalid_language", "English only"), "invalid_input", "English"),
        (error_reply(422, "public_figure", "a public figure"), "moderation", "public figure"),
        (error_reply(429, "rate_limit_exceeded", "timed out"), "rate_limited", "timed out"),
        (error_reply(503, "unavailable", "down"), "unavailable", "down"),
    ],
)
async def test_refusals_map_to_their_kind_with_name_and_messages(
    script: ScriptedStability, base_url: str, reply: object, kind: str, words: str
) -> None:
    script.on("POST", CORE, reply)  # type: ignore[arg-type]
    report = RecordingReport()
    async with provider_at(settings_for(base_url)) as provider:
        outcome = await provider.run(job("generate-core"), report)
    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind == kind
    assert words in outcome.detail
    assert len(script.requests_to("POST", CORE)) == 1, "a submit is never retried"
    assert report.sent == 1


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_a_server_or_gateway_error_on_a_submit_is_unknown_not_a_failure(
    script: ScriptedStability, base_url: str, status: int
) -> None:
    script.on(
        "POST", CORE, error_reply(status, "internal_error" if status == 500 else "bad_gateway")
    )
    async with provider_at(settings_for(base_url)) as provider:
        outcome = await provider.run(job("generate-core"), RecordingReport())
    assert isinstance(outcome, SubmitUnknown)
    assert outcome.task_id is None
    assert len(script.requests_to("POST", CORE)) == 1


async def test_a_connection_dropped_after_sending_is_unknown_and_not_resent(
    script: ScriptedStability, base_url: str
) -> None:
    script.on("POST", CORE, dropped_reply())
    report = RecordingReport()
    async with provider_at(settings_for(base_url)) as provider:
        outcome = await provider.run(job("generate-core"), report)
    assert isinstance(outcome, SubmitUnknown)
    assert outcome.task_id is None
    assert report.events == [("sending",)]
    assert len(script.requests_to("POST", CORE)) == 1


async def test_a_read_timeout_after_sending_is_unknown_and_not_resent(
    script: ScriptedStability, base_url: str
) -> None:
    script.on("POST", CORE, slow(1.0, image_reply()))
    async with provider_at(settings_for(base_url, request_timeout=0.2)) as provider:
        outcome = await provider.run(job("generate-core"), RecordingReport())
    assert isinstance(outcome, SubmitUnknown)
    assert "ReadTimeout" in outcome.detail
    assert len(script.requests_to("POST", CORE)) == 1


async def test_nobody_listening_is_unavailable_with_nothing_sent() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with provider_at(settings_for(f"http://127.0.0.1:{port}")) as provider:
        outcome = await provider.run(job("generate-core"), RecordingReport())
    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is ProviderErrorKind.UNAVAILABLE
    assert "could not connect" in outcome.detail


async def test_an_unknown_endpoint_is_not_supported_without_a_request(
    script: ScriptedStability, base_url: str
) -> None:
    strange = dataclasses.replace(model("generate-core"), provider_path="v2beta/stable-image/new")
    unknown = dataclasses.replace(job("generate-core"), model=strange)
    report = RecordingReport()
    async with provider_at(settings_for(base_url)) as provider:
        outcome = await provider.run(unknown, report)
    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is ProviderErrorKind.NOT_SUPPORTED
    assert report.events == []
    assert script.seen == []


async def test_async_endpoint_reports_acceptance_then_polls_through_202_to_the_image(
    script: ScriptedStability, base_url: str
) -> None:
    script.on("POST", CREATIVE, accepted_reply(TASK))
    script.on(
        "GET",
        RESULT,
        in_progress_reply(TASK),
        in_progress_reply(TASK),
        image_reply(size=(256, 256)),
    )
    report = RecordingReport()
    async with provider_at(settings_for(base_url)) as provider:
        outcome = await provider.run(job("upscale-creative", inputs=(image_input(),)), report)
    assert isinstance(outcome, ProviderSuccess)
    assert outcome.task_id == TASK
    assert report.events == [("sending",), ("accepted", TASK)]
    (submit,) = script.requests_to("POST", CREATIVE)
    assert submit.headers["accept"] == "application/json", "an async submit answers JSON"
    polls = script.requests_to("GET", RESULT)
    assert len(polls) == 3
    assert all(p.headers["accept"] == "image/*" for p in polls)


async def test_polls_are_retried_through_5xx_and_429(
    script: ScriptedStability, base_url: str
) -> None:
    script.on("POST", CREATIVE, accepted_reply(TASK))
    script.on(
        "GET",
        RESULT,
        error_reply(503, "unavailable"),
        error_reply(429, "rate_limit_exceeded"),
        image_reply(),
    )
    async with provider_at(settings_for(base_url)) as provider:
        outcome = await provider.run(
            job("upscale-creative", inputs=(image_input(),)), RecordingReport()
        )
    assert isinstance(outcome, ProviderSuccess)
    assert len(script.requests_to("POST", CREATIVE)) == 1


async def test_a_result_still_answering_500_is_held_by_id_as_the_lookup_reads_it(
    script: ScriptedStability, base_url: str
) -> None:
    # Stability's 500 is "an unexpected server error, try again later": no verdict on a task
    # that may have run and been billed. The poll and reconciliation's look-up read it alike.
    script.on("POST", CREATIVE, accepted_reply(TASK))
    script.on("GET", RESULT, error_reply(500, "internal_error", "task died"))
    async with provider_at(settings_for(base_url)) as provider:
        outcome = await provider.run(
            job("upscale-creative", inputs=(image_input(),)), RecordingReport()
        )
        looked_up = await provider.lookup(job("upscale-creative"), TASK)
    assert isinstance(outcome, SubmitUnknown)
    assert outcome.task_id == TASK
    assert "500" in outcome.detail and "task died" in outcome.detail
    assert looked_up == TaskPending(TASK)
    assert len(script.requests_to("POST", CREATIVE)) == 1
    assert len(script.requests_to("GET", RESULT)) >= 4, "each retried before it is held"


async def test_a_result_gone_after_acceptance_holds_the_task_by_id(
    script: ScriptedStability, base_url: str
) -> None:
    # A 404 for a task Stability named is an expired result, perhaps of a completed, billed
    # task: never a free failure (the soak found one released at no cost though billed).
    script.on("POST", CREATIVE, accepted_reply(TASK))
    script.on("GET", RESULT, error_reply(404, "generation_not_found", "expired"))
    async with provider_at(settings_for(base_url)) as provider:
        outcome = await provider.run(
            job("upscale-creative", inputs=(image_input(),)), RecordingReport()
        )
    assert isinstance(outcome, SubmitUnknown)
    assert outcome.task_id == TASK
    assert "expired or not found" in outcome.detail
    assert len(script.requests_to("POST", CREATIVE)) == 1


async def test_a_deadline_after_acceptance_holds_the_task_by_id(
    script: ScriptedStability, base_url: str
) -> None:
    script.on("POST", CREATIVE, accepted_reply(TASK))
    script.on("GET", RESULT, in_progress_reply(TASK))
    async with provider_at(settings_for(base_url, task_deadline=0.3)) as provider:
        outcome = await provider.run(
            job("upscale-creative", inputs=(image_input(),)), RecordingReport()
        )
    assert isinstance(outcome, SubmitUnknown)
    assert outcome.task_id == TASK
    assert len(script.requests_to("POST", CREATIVE)) == 1
    assert len(script.requests_to("GET", RESULT)) >= 2


async def test_lookup_reads_pending_done_missing_and_otherwise_ask_later(
    script: ScriptedStability, base_url: str
) -> None:
    script.on(
        "GET",
        RESULT,
        in_progress_reply(TASK),
        image_reply(),
        error_reply(404, "generation_not_found", "gone"),
        error_reply(500, "internal_error", "down"),
        error_reply(401, "unauthorized", "key revoked"),
        lambda: Response(b"\x89PNG cut", media_type="image/png"),
    )
    stored = job("upscale-creative")
    async with provider_at(settings_for(base_url)) as provider:
        pending = await provider.lookup(stored, TASK)
        done = await provider.lookup(stored, TASK)
        missing = await provider.lookup(stored, TASK)
        broken = await provider.lookup(stored, TASK)
        refused = await provider.lookup(stored, TASK)
        unreadable = await provider.lookup(stored, TASK)
    assert pending == TaskPending(TASK)
    assert isinstance(done, ProviderSuccess)
    assert done.task_id == TASK
    assert isinstance(missing, TaskMissing)
    assert "gone" in missing.detail
    # A 5xx or a refused key says nothing about the task: "ask again later", never a verdict
    # (a failure would release what the provider may have billed and delivered).
    assert broken == TaskPending(TASK)
    assert refused == TaskPending(TASK)
    assert unreadable == TaskPending(TASK)  # billed: its result is fetched again later
    assert script.seen[-1].method == "GET"
    assert not script.requests_to("POST", CREATIVE), "a lookup never submits"


async def test_the_key_never_shows_in_details_reprs_or_logs(
    script: ScriptedStability, base_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    script.on("POST", CORE, error_reply(401, "unauthorized", f"key {SECRET_KEY} is revoked"))
    caplog.set_level(logging.DEBUG)
    settings = settings_for(base_url)
    async with provider_at(settings) as provider:
        outcome = await provider.run(job("generate-core"), RecordingReport())
        shown = repr(provider)
    assert isinstance(outcome, ProviderFailed)
    assert "revoked" in outcome.detail
    for text in (outcome.detail, outcome.message, repr(outcome), repr(settings), shown):
        assert SECRET_KEY not in text
    assert SECRET_KEY not in caplog.text


async def test_no_client_id_sends_no_client_header(
    script: ScriptedStability, base_url: str
) -> None:
    script.on("POST", CORE, image_reply())
    async with provider_at(settings_for(base_url, client_id=None)) as provider:
        await provider.run(job("generate-core"), RecordingReport())
    assert "stability-client-id" not in script.seen[0].headers


async def test_new_client_carries_the_base_url_and_bearer_key() -> None:
    settings = settings_for("http://127.0.0.1:9", request_timeout=12.0)
    async with new_client(settings) as client:
        assert str(client.base_url) == "http://127.0.0.1:9"
        assert client.headers["authorization"] == f"Bearer {SECRET_KEY}"
        assert client.timeout.read == 12.0
    assert "api_key" not in repr(settings)


async def test_a_refusal_cut_short_still_reads_as_what_its_name_says(
    script: ScriptedStability, base_url: str
) -> None:
    # The soak's truncated replies: a moderated request read as a refused key (502, "auth")
    # because its 403's JSON did not parse.
    cut = b'{"id":"43be820b85544953b103ac7d26a053e1","name":"content_moderation","errors":["Your re'
    script.on("POST", CORE, lambda: Response(cut, status_code=403, media_type="application/json"))
    async with provider_at(settings_for(base_url)) as provider:
        outcome = await provider.run(job("generate-core"), RecordingReport())
    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind == "moderation"
    assert "content_moderation" in outcome.detail
