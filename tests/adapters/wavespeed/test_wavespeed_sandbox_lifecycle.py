"""Following an accepted task on the sandbox: polls, sync mode, and retried reads."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stamina
from wavespeed_sandbox_support import adapter_on_sandbox, billed_tasks, provider_on
from wavespeed_test_support import RecordingReport, input_image, job

from imagestudio.adapters.sandbox.config import SandboxConfig
from imagestudio.adapters.sandbox.faults import Fault, Route
from imagestudio.adapters.sandbox.runner import RunningSandbox
from imagestudio.application.ports.provider import ProviderSuccess

RUNNING = SandboxConfig(latency_seconds=0.3)
"""Long enough for several polls at the tests' 20-50 ms interval."""


@pytest.fixture(autouse=True)
def fast_retries() -> Iterator[None]:
    stamina.set_testing(True, attempts=4)
    try:
        yield
    finally:
        stamina.set_testing(False)


@pytest.fixture(scope="module")
def shared() -> Iterator[RunningSandbox]:
    with RunningSandbox(RUNNING) as running:
        yield running


@pytest.fixture
def sandbox(shared: RunningSandbox) -> RunningSandbox:
    shared.state.faults.clear()
    return shared


async def test_an_async_task_is_polled_until_it_completes(sandbox: RunningSandbox) -> None:
    async with provider_on(sandbox) as provider:
        report = RecordingReport()
        outcome = await provider.run(job("wavespeed/seedream-v4", width=512, height=512), report)

    assert isinstance(outcome, ProviderSuccess)
    assert report.events == ["sending", "accepted"]
    assert sandbox.state.book.find("wavespeed", report.task_ids[0]) is not None


async def test_sync_mode_gets_the_result_in_the_submits_reply_without_polling(
    sandbox: RunningSandbox,
) -> None:
    async with provider_on(sandbox, sync_mode=True) as provider:
        sandbox.state.faults.add(Route.WAVESPEED_POLL, Fault.HTTP_500)  # a tripwire for any poll
        outcome = await provider.run(job("wavespeed/qwen-image"), RecordingReport())
        untouched = sandbox.state.faults.take(Route.WAVESPEED_POLL)

    assert isinstance(outcome, ProviderSuccess)
    assert untouched is Fault.HTTP_500


async def test_a_sync_wait_that_times_out_falls_back_to_polling() -> None:
    config = SandboxConfig(latency_seconds=0.4, sync_timeout_seconds=0.05)
    async with adapter_on_sandbox(config, sync_mode=True) as (provider, sandbox):
        sandbox.state.faults.add(Route.WAVESPEED_POLL, Fault.HTTP_500)
        report = RecordingReport()
        outcome = await provider.run(job("wavespeed/qwen-image"), report)
        polled = sandbox.state.faults.take(Route.WAVESPEED_POLL) is None
        billed = await billed_tasks(sandbox, 1)

    assert isinstance(outcome, ProviderSuccess)
    assert polled
    assert report.events == ["sending", "accepted"]
    assert len(billed) == 1


async def test_polls_ride_out_scripted_500_503_and_429(sandbox: RunningSandbox) -> None:
    for fault in (Fault.HTTP_500, Fault.HTTP_503, Fault.HTTP_429):
        sandbox.state.faults.add(Route.WAVESPEED_POLL, fault)
    async with provider_on(sandbox) as provider:
        outcome = await provider.run(job("wavespeed/qwen-image"), RecordingReport())

    assert isinstance(outcome, ProviderSuccess)
    assert sandbox.state.faults.take(Route.WAVESPEED_POLL) is None


async def test_a_dropped_poll_is_retried_too(sandbox: RunningSandbox) -> None:
    sandbox.state.faults.add(Route.WAVESPEED_POLL, Fault.DROP)
    async with provider_on(sandbox) as provider:
        outcome = await provider.run(job("wavespeed/qwen-image"), RecordingReport())

    assert isinstance(outcome, ProviderSuccess)


async def test_a_failing_download_is_retried(sandbox: RunningSandbox) -> None:
    sandbox.state.faults.add(Route.FILE_DOWNLOAD, Fault.HTTP_503, times=2)
    async with provider_on(sandbox) as provider:
        outcome = await provider.run(job("wavespeed/qwen-image"), RecordingReport())

    assert isinstance(outcome, ProviderSuccess)
    assert len(outcome.artifacts) == 1


async def test_a_failing_upload_is_retried_because_it_costs_nothing(
    sandbox: RunningSandbox,
) -> None:
    sandbox.state.faults.add(Route.WAVESPEED_UPLOAD, Fault.HTTP_503)
    sandbox.state.faults.add(Route.WAVESPEED_UPLOAD, Fault.HTTP_429)
    async with provider_on(sandbox) as provider:
        outcome = await provider.run(
            job("wavespeed/hunyuan3d-v3", prompt="", inputs=(input_image(),)), RecordingReport()
        )

    assert isinstance(outcome, ProviderSuccess)
    assert sandbox.state.faults.take(Route.WAVESPEED_UPLOAD) is None
