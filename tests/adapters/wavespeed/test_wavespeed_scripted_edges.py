"""Edges the sandbox cannot script, against a purpose-built server on loopback."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import stamina
from wavespeed_scripted_server import (
    TASK_ID,
    ScriptedWaveSpeed,
    envelope,
    prediction,
    raw_base64_png,
    refusal,
)
from wavespeed_test_support import STUB_KEY, RecordingReport, StubServer, job, settings

from imagestudio.adapters.providers.deadline import Deadline
from imagestudio.adapters.providers.limiter import AccountLimiter, AccountLimits
from imagestudio.adapters.wavespeed.client import new_client
from imagestudio.adapters.wavespeed.provider import WaveSpeedProvider
from imagestudio.adapters.wavespeed.settings import WaveSpeedSettings
from imagestudio.application.ports.provider import (
    ProviderOutcome,
    ProviderSuccess,
    SubmitUnknown,
    TaskMissing,
    TaskPending,
)
from imagestudio.domain.errors import OutputFiltered, ProviderErrorKind, ProviderFailed
from imagestudio.domain.media import MediaType

K = ProviderErrorKind


@pytest.fixture(scope="module")
def serving() -> Iterator[ScriptedWaveSpeed]:
    script = ScriptedWaveSpeed()
    with StubServer(script.app()) as server:
        script.base_url = server.base_url
        yield script


@pytest.fixture
def scripted(serving: ScriptedWaveSpeed) -> ScriptedWaveSpeed:
    serving.reset()
    return serving


@pytest.fixture
def fast_retries() -> Iterator[None]:
    stamina.set_testing(True, attempts=3)
    try:
        yield
    finally:
        stamina.set_testing(False)


@pytest.fixture
async def client(scripted: ScriptedWaveSpeed) -> AsyncIterator[httpx.AsyncClient]:
    async with new_client(settings(scripted.base_url)) as shared:
        yield shared


def provider_for(
    scripted: ScriptedWaveSpeed, client: httpx.AsyncClient, **overrides: Any
) -> WaveSpeedProvider:
    return WaveSpeedProvider(settings(scripted.base_url, **overrides), client)


async def run_qwen(scripted: ScriptedWaveSpeed, client: httpx.AsyncClient) -> ProviderOutcome:
    return await provider_for(scripted, client).run(job("wavespeed/qwen-image"), RecordingReport())


def completed(scripted: ScriptedWaveSpeed) -> None:
    scripted.polls.append(lambda _: envelope(prediction("completed", [scripted.file_url()])))


# -- the submit is sent once, and what its failures mean ----------------------------------------


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_a_server_or_gateway_error_on_submit_is_unknown_and_not_resent(
    scripted: ScriptedWaveSpeed, client: httpx.AsyncClient, status: int
) -> None:
    scripted.submit = lambda _: refusal(status, "Bad gateway")
    report = RecordingReport()

    outcome = await provider_for(scripted, client).run(job("wavespeed/qwen-image"), report)

    assert outcome == SubmitUnknown(task_id=None, detail=f"HTTP {status} on submit: Bad gateway")
    assert len(scripted.submitted) == 1
    assert report.events == ["sending"]


@pytest.mark.parametrize(
    ("status", "message", "kind"),
    [
        (400, "size must be between 256 and 1536", K.INVALID_INPUT),
        (401, "Invalid signature", K.AUTH),
        (402, "Payment required", K.OUT_OF_CREDIT),
        (403, "Insufficient balance", K.OUT_OF_CREDIT),
        (403, "Forbidden", K.MODERATION),
        (400, "Content policy violation", K.MODERATION),
        (404, "Model not found", K.NOT_SUPPORTED),
        (429, "Too many requests", K.RATE_LIMITED),
        (503, "Service unavailable", K.UNAVAILABLE),
    ],
)
async def test_a_refused_submit_is_a_definite_failure_of_its_kind(
    scripted: ScriptedWaveSpeed,
    client: httpx.AsyncClient,
    status: int,
    message: str,
    kind: ProviderErrorKind,
) -> None:
    scripted.submit = lambda _: refusal(status, message)

    outcome = await run_qwen(scripted, client)

    assert isinstance(outcome, ProviderFailed)
    assert (outcome.provider, outcome.kind) == ("wavespeed", kind)
    assert message in outcome.detail
    assert len(scripted.submitted) == 1


async def test_a_refused_connection_is_definite_and_may_be_tried_elsewhere() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    async with new_client(settings(closed)) as client:
        report = RecordingReport()
        outcome = await WaveSpeedProvider(settings(closed), client).run(
            job("wavespeed/qwen-image"), report
        )

    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is K.UNAVAILABLE
    assert outcome.kind.may_try_elsewhere
    assert report.events == ["sending"]


async def test_a_submit_that_times_out_is_unknown_and_not_resent(
    scripted: ScriptedWaveSpeed, client: httpx.AsyncClient
) -> None:
    scripted.submit_delay = 1.0

    outcome = await provider_for(scripted, client, submit_timeout=0.2).run(
        job("wavespeed/qwen-image"), RecordingReport()
    )

    assert isinstance(outcome, SubmitUnknown)
    assert outcome.task_id is None
    assert "ReadTimeout" in outcome.detail
    assert len(scripted.submitted) == 1


async def test_a_reply_without_a_task_id_is_unknown(
    scripted: ScriptedWaveSpeed, client: httpx.AsyncClient
) -> None:
    scripted.submit = lambda _: envelope({"status": "created"})
    report = RecordingReport()

    outcome = await provider_for(scripted, client).run(job("wavespeed/qwen-image"), report)

    assert outcome == SubmitUnknown(task_id=None, detail="the submit's reply held no task id")
    assert report.events == ["sending"]


async def test_a_job_queued_past_its_deadline_sends_nothing(
    scripted: ScriptedWaveSpeed, client: httpx.AsyncClient
) -> None:
    limiter = AccountLimiter(
        AccountLimits(concurrent_tasks=1, requests_per_window=10, window_seconds=60)
    )
    provider = WaveSpeedProvider(settings(scripted.base_url, task_deadline=0.2), client, limiter)
    report = RecordingReport()

    async with limiter.task(Deadline(5)):  # the account's only slot is busy
        outcome = await provider.run(job("wavespeed/qwen-image"), report)

    assert outcome == ProviderFailed(
        provider="wavespeed", kind=K.RATE_LIMITED, detail="queued past the deadline"
    )
    assert report.events == []
    assert scripted.submitted == []


# -- after acceptance: polls, deadline, downloads ---------------------------------------------


async def test_a_retry_after_on_a_poll_is_honoured(
    scripted: ScriptedWaveSpeed, client: httpx.AsyncClient
) -> None:
    scripted.polls.append(lambda _: refusal(429, "slow down", headers={"Retry-After": "0.4"}))
    completed(scripted)

    started = time.monotonic()
    outcome = await run_qwen(scripted, client)

    assert isinstance(outcome, ProviderSuccess)
    assert time.monotonic() - started >= 0.4
    assert scripted.poll_count == 2


async def test_a_task_that_never_ends_is_unknown_with_its_id_and_frees_the_slot(
    scripted: ScriptedWaveSpeed, client: httpx.AsyncClient
) -> None:
    scripted.polls.append(lambda _: envelope(prediction("processing")))
    provider = provider_for(scripted, client, task_deadline=0.4)
    report = RecordingReport()

    outcome = await provider.run(job("wavespeed/qwen-image"), report)

    assert isinstance(outcome, SubmitUnknown)
    assert outcome.task_id == TASK_ID
    assert "deadline" in outcome.detail
    assert report.events == ["sending", "accepted"]
    assert report.progress and set(report.progress) == {"processing"}  # each poll's status
    assert len(scripted.submitted) == 1
    # Asked at least once before giving up; how many more times fit in 0.4 s depends on the
    # machine's load, which a test must not race.
    assert scripted.poll_count >= 1
    assert provider._limiter.tasks_in_use == 0


@pytest.mark.usefixtures("fast_retries")
async def test_polls_that_keep_failing_leave_the_outcome_unknown(
    scripted: ScriptedWaveSpeed, client: httpx.AsyncClient
) -> None:
    scripted.polls.append(lambda _: refusal(503, "unavailable"))

    outcome = await run_qwen(scripted, client)

    assert outcome == SubmitUnknown(task_id=TASK_ID, detail="polling failed: HTTP 503")
    assert scripted.poll_count == 3
    assert len(scripted.submitted) == 1


@pytest.mark.usefixtures("fast_retries")
async def test_a_download_that_keeps_failing_leaves_the_outcome_unknown(
    scripted: ScriptedWaveSpeed, client: httpx.AsyncClient
) -> None:
    completed(scripted)
    scripted.downloads.append(lambda _: refusal(500, "cdn down"))

    outcome = await run_qwen(scripted, client)

    assert isinstance(outcome, SubmitUnknown)
    assert outcome.task_id == TASK_ID
    assert "HTTP 500" in outcome.detail
    assert scripted.download_count == 3


async def test_raw_base64_outputs_are_decoded_and_measured(
    scripted: ScriptedWaveSpeed, client: httpx.AsyncClient
) -> None:
    scripted.submit = lambda _: envelope(prediction("completed", [raw_base64_png(40, 30)]))

    outcome = await run_qwen(scripted, client)

    assert isinstance(outcome, ProviderSuccess)
    (artifact,) = outcome.artifacts
    assert (artifact.media_type, artifact.width, artifact.height) == (MediaType.PNG, 40, 30)
    assert scripted.poll_count == 0


async def test_only_the_outputs_flagged_nsfw_are_withheld(
    scripted: ScriptedWaveSpeed, client: httpx.AsyncClient
) -> None:
    urls = [scripted.file_url("a.png"), scripted.file_url("b.png")]
    scripted.polls.append(lambda _: envelope(prediction("completed", urls, nsfw=[True, False])))

    outcome = await provider_for(scripted, client).run(
        job("wavespeed/flux-dev", outputs=2), RecordingReport()
    )

    assert isinstance(outcome, ProviderSuccess)
    assert len(outcome.artifacts) == 1
    assert scripted.download_count == 1
    assert scripted.submitted[0]["num_images"] == 2


async def test_a_task_with_every_output_flagged_is_filtered(
    scripted: ScriptedWaveSpeed, client: httpx.AsyncClient
) -> None:
    url = scripted.file_url()
    scripted.polls.append(lambda _: envelope(prediction("completed", [url], nsfw=[True])))

    outcome = await run_qwen(scripted, client)

    assert isinstance(outcome, OutputFiltered)
    assert scripted.download_count == 0


@pytest.mark.parametrize("status", ["failed", "cancelled", "timeout"])
async def test_a_task_that_ends_badly_is_a_definite_failure(
    scripted: ScriptedWaveSpeed, client: httpx.AsyncClient, status: str
) -> None:
    scripted.polls.append(lambda _: envelope(prediction(status, error="GPU node lost")))

    outcome = await run_qwen(scripted, client)

    assert outcome == ProviderFailed(
        provider="wavespeed", kind=K.UNAVAILABLE, detail=f"task {status}: GPU node lost"
    )


# -- lookup and account, when the line is bad ---------------------------------------------------


@pytest.mark.usefixtures("fast_retries")
async def test_a_lookup_that_cannot_get_an_answer_says_try_later(
    scripted: ScriptedWaveSpeed, client: httpx.AsyncClient
) -> None:
    scripted.polls.append(lambda _: refusal(401, "Invalid signature"))

    outcome = await provider_for(scripted, client).lookup(job("wavespeed/qwen-image"), TASK_ID)

    # No verdict on the task: a failure would make the reconciler release a billed task.
    assert outcome == TaskPending(TASK_ID)


async def test_a_lookup_reads_pending_missing_and_done(
    scripted: ScriptedWaveSpeed, client: httpx.AsyncClient
) -> None:
    provider = provider_for(scripted, client)
    qwen = job("wavespeed/qwen-image")

    assert isinstance(await provider.lookup(qwen, TASK_ID), TaskMissing)
    scripted.polls.append(lambda _: envelope(prediction("processing")))
    assert await provider.lookup(qwen, TASK_ID) == TaskPending(TASK_ID)
    scripted.polls.clear()
    completed(scripted)
    found = await provider.lookup(qwen, TASK_ID)
    assert isinstance(found, ProviderSuccess)
    assert found.task_id == TASK_ID


async def test_an_unreachable_account_check_says_so() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    stamina.set_testing(True, attempts=1)
    try:
        async with new_client(settings(closed)) as client:
            status = await WaveSpeedProvider(settings(closed), client).check_account()
    finally:
        stamina.set_testing(False)

    assert status.key_works is False
    assert "unreachable" in status.detail


# -- the key stays secret -----------------------------------------------------------------------


async def test_the_key_never_appears_in_details_logs_or_reprs(
    scripted: ScriptedWaveSpeed, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    scripted.submit = lambda request: refusal(400, f"bad header {request.headers['authorization']}")
    scripted.balance = lambda request: refusal(401, f"rejected {request.headers['authorization']}")
    caplog.set_level(logging.DEBUG)
    provider = provider_for(scripted, client)

    outcome = await provider.run(job("wavespeed/qwen-image"), RecordingReport())
    account = await provider.check_account()

    assert scripted.authorizations == [f"Bearer {STUB_KEY}"]
    assert isinstance(outcome, ProviderFailed)
    assert "[redacted]" in outcome.detail
    assert account.key_works is False
    texts = [outcome.detail, account.detail, caplog.text, repr(provider), repr(provider._settings)]
    assert all(STUB_KEY not in text for text in texts)


def test_the_settings_repr_hides_the_key() -> None:
    shown = repr(WaveSpeedSettings(api_key=STUB_KEY))

    assert STUB_KEY not in shown
    assert "api.wavespeed.ai" in shown


async def test_the_shared_client_sends_the_key_home_and_nowhere_else(
    scripted: ScriptedWaveSpeed,
) -> None:
    port = scripted.base_url.rsplit(":", 1)[1]
    async with new_client(settings(f"http://127.0.0.1:{port}")) as client:
        home = (await client.get("/headers")).json()
        elsewhere = (await client.get(f"http://localhost:{port}/headers")).json()

    assert home["authorization"] == f"Bearer {STUB_KEY}"
    assert elsewhere["authorization"] is None


async def test_the_shared_client_has_no_short_default_timeout() -> None:
    async with new_client(settings("http://127.0.0.1:9", submit_timeout=120.0)) as client:
        assert client.timeout.read == 120.0
        assert str(client.base_url) == "http://127.0.0.1:9"


async def test_concurrent_jobs_share_one_pooled_client(
    scripted: ScriptedWaveSpeed, client: httpx.AsyncClient
) -> None:
    completed(scripted)
    provider = provider_for(scripted, client)

    outcomes = await asyncio.gather(
        *(provider.run(job("wavespeed/qwen-image"), RecordingReport()) for _ in range(5))
    )

    assert all(isinstance(outcome, ProviderSuccess) for outcome in outcomes)
    assert len(scripted.submitted) == 5


async def test_the_wire_body_is_the_models_fields_flat_with_the_key_as_bearer(
    scripted: ScriptedWaveSpeed, client: httpx.AsyncClient
) -> None:
    completed(scripted)
    qwen = job("wavespeed/qwen-image", width=512, height=768, parameters={"mode": "x", "scale": 2})

    await provider_for(scripted, client, sync_mode=True).run(qwen, RecordingReport())

    assert scripted.submitted == [
        {
            "prompt": "a red fox in the snow",
            "size": "512*768",
            "seed": -1,
            "output_format": "jpeg",
            "enable_sync_mode": True,
        }
    ]
    assert scripted.authorizations == [f"Bearer {STUB_KEY}"]
