"""The balance check, and the account limiter in front of every request, over loopback HTTP."""

from __future__ import annotations

import asyncio
import socket

import pytest
from stability_scripted_server import (
    ScriptedStability,
    accepted_reply,
    error_reply,
    image_reply,
    in_progress_reply,
    slow,
)
from stability_test_support import (
    RecordingReport,
    image_input,
    job,
    provider_at,
    settings_for,
)
from starlette.responses import JSONResponse

from imagestudio.adapters.providers.deadline import Deadline
from imagestudio.adapters.providers.limiter import AccountLimiter
from imagestudio.adapters.stability.settings import StabilitySettings
from imagestudio.application.ports.provider import AccountStatus, ProviderSuccess
from imagestudio.domain.errors import ProviderErrorKind, ProviderFailed

CORE = "/v2beta/stable-image/generate/core"
CREATIVE = "/v2beta/stable-image/upscale/creative"
BALANCE = "/v1/user/balance"
TASK = "e" * 64
RESULT = f"/v2beta/results/{TASK}"


class CountingLimiter(AccountLimiter):
    """The real limiter, counting its admissions."""

    def __init__(self, settings: StabilitySettings) -> None:
        super().__init__(settings.limits)
        self.admitted = 0

    async def admit(self, deadline: Deadline) -> None:
        await super().admit(deadline)
        self.admitted += 1


@pytest.mark.parametrize(
    ("credits", "shown"),
    [(843.2, "843.2 credits"), (0.6336833840314097, "0.63 credits"), (10000, "10000 credits")],
)
async def test_the_balance_is_shown_in_credits(
    script: ScriptedStability, base_url: str, credits: float, shown: str
) -> None:
    script.on("GET", BALANCE, lambda: JSONResponse({"credits": credits}))
    async with provider_at(settings_for(base_url)) as provider:
        status = await provider.check_account()
    assert status == AccountStatus(provider="stability", key_works=True, balance=shown)
    assert script.seen[0].headers["accept"] == "application/json"


async def test_a_refused_key_does_not_work(script: ScriptedStability, base_url: str) -> None:
    script.on("GET", BALANCE, error_reply(401, "unauthorized", "bad key", v1=True))
    async with provider_at(settings_for(base_url)) as provider:
        status = await provider.check_account()
    assert not status.key_works
    assert status.balance is None
    assert "unauthorized" in status.detail


async def test_an_unreachable_account_does_not_work() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with provider_at(settings_for(f"http://127.0.0.1:{port}")) as provider:
        status = await provider.check_account()
    assert not status.key_works
    assert "unreachable" in status.detail


async def test_every_request_is_admitted_polls_and_their_retries_included(
    script: ScriptedStability, base_url: str
) -> None:
    script.on("POST", CREATIVE, accepted_reply(TASK))
    script.on(
        "GET",
        RESULT,
        in_progress_reply(TASK),
        error_reply(503, "unavailable"),
        in_progress_reply(TASK),
        image_reply(),
    )
    settings = settings_for(base_url)
    limiter = CountingLimiter(settings)
    report = RecordingReport()
    async with provider_at(settings, limiter) as provider:
        outcome = await provider.run(job("upscale-creative", inputs=(image_input(),)), report)
    assert isinstance(outcome, ProviderSuccess)
    assert report.progress == ["in-progress", "in-progress"]  # each 202 told as it came
    assert len(script.seen) == 5
    assert limiter.admitted == len(script.seen)


async def test_no_request_slot_before_the_deadline_is_rate_limited_and_sends_nothing(
    script: ScriptedStability, base_url: str
) -> None:
    script.on("POST", CORE, image_reply())
    settings = settings_for(base_url, requests_per_window=1, window_seconds=30, task_deadline=0.2)
    async with provider_at(settings) as provider:
        first = await provider.run(job("generate-core"), RecordingReport())
        report = RecordingReport()
        second = await provider.run(job("generate-core"), report)
    assert isinstance(first, ProviderSuccess)
    assert isinstance(second, ProviderFailed)
    assert second.kind is ProviderErrorKind.RATE_LIMITED
    assert "queued past the deadline" in second.detail
    assert report.events == []
    assert len(script.seen) == 1


async def test_no_task_slot_before_the_deadline_is_rate_limited_and_sends_nothing(
    script: ScriptedStability, base_url: str
) -> None:
    script.on("POST", CORE, slow(0.5, image_reply()))
    patient = settings_for(base_url, concurrent_tasks=1, task_deadline=2.0)
    hurried = settings_for(base_url, concurrent_tasks=1, task_deadline=0.2)
    shared = AccountLimiter(patient.limits)
    async with provider_at(patient, shared) as first, provider_at(hurried, shared) as second:
        busy = asyncio.create_task(first.run(job("generate-core"), RecordingReport()))
        await asyncio.sleep(0.05)
        report = RecordingReport()
        queued = await second.run(job("generate-core"), report)
        assert isinstance(await busy, ProviderSuccess)
    assert isinstance(queued, ProviderFailed)
    assert queued.kind is ProviderErrorKind.RATE_LIMITED
    assert report.events == []
    assert len(script.requests_to("POST", CORE)) == 1


async def test_a_burst_waits_for_the_window_instead_of_being_refused(
    script: ScriptedStability, base_url: str
) -> None:
    script.on("POST", CORE, image_reply())
    settings = settings_for(base_url, requests_per_window=2, window_seconds=0.2)
    started = asyncio.get_running_loop().time()
    async with provider_at(settings) as provider:
        outcomes = await asyncio.gather(
            *(provider.run(job("generate-core"), RecordingReport()) for _ in range(5))
        )
    elapsed = asyncio.get_running_loop().time() - started
    assert all(isinstance(o, ProviderSuccess) for o in outcomes)
    assert elapsed >= 0.4, "five requests at two per 0.2 s need two extra windows"
