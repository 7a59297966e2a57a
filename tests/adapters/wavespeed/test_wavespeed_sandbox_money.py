"""The money path on the sandbox: never a second submit, and each refusal is its own kind."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from decimal import Decimal

import pytest
import stamina
from wavespeed_sandbox_support import adapter_on_sandbox, billed_tasks, provider_on
from wavespeed_test_support import RecordingReport, input_image, job

from imagestudio.adapters.sandbox.billing import BilledTask
from imagestudio.adapters.sandbox.config import SandboxConfig, WaveSpeedLimits
from imagestudio.adapters.sandbox.faults import Fault, Route
from imagestudio.adapters.sandbox.runner import RunningSandbox
from imagestudio.application.ports.provider import ProviderSuccess, SubmitUnknown
from imagestudio.domain.errors import OutputFiltered, ProviderErrorKind, ProviderFailed

K = ProviderErrorKind


@pytest.fixture(autouse=True)
def fast_retries() -> Iterator[None]:
    stamina.set_testing(True, attempts=3)
    try:
        yield
    finally:
        stamina.set_testing(False)


@pytest.fixture(scope="module")
def shared() -> Iterator[RunningSandbox]:
    with RunningSandbox(SandboxConfig()) as running:
        yield running


@pytest.fixture
def sandbox(shared: RunningSandbox) -> RunningSandbox:
    """The module's sandbox with no faults left over; tests compare its book before and after."""
    shared.state.faults.clear()
    return shared


def new_charges(sandbox: RunningSandbox, before: int) -> tuple[BilledTask, ...]:
    return sandbox.state.book.billed("wavespeed")[before:]


async def test_a_reply_dropped_after_the_task_was_created_is_unknown_and_never_resent(
    sandbox: RunningSandbox,
) -> None:
    before = len(sandbox.state.book.billed("wavespeed"))
    sandbox.state.faults.add(Route.WAVESPEED_SUBMIT, Fault.DROP)
    report = RecordingReport()
    async with provider_on(sandbox) as provider:
        outcome = await provider.run(job("wavespeed/qwen-image"), report)
    await billed_tasks(sandbox, before + 1)

    assert isinstance(outcome, SubmitUnknown)
    assert outcome.task_id is None
    assert report.events == ["sending"]
    assert len(new_charges(sandbox, before)) == 1  # the adapter has returned: it never resent


async def test_a_slow_submit_is_unknown_never_resent_and_reconcilable_by_lookup(
    sandbox: RunningSandbox,
) -> None:
    before = len(sandbox.state.book.billed("wavespeed"))
    sandbox.state.faults.slow_seconds = 1.0
    sandbox.state.faults.add(Route.WAVESPEED_SUBMIT, Fault.SLOW)
    qwen = job("wavespeed/qwen-image")
    async with provider_on(sandbox, submit_timeout=0.3) as provider:
        outcome = await provider.run(qwen, RecordingReport())
        await billed_tasks(sandbox, before + 1)
        (billed,) = new_charges(sandbox, before)
        found = await provider.lookup(qwen, billed.task_id)

    assert isinstance(outcome, SubmitUnknown)
    assert outcome.task_id is None
    assert isinstance(found, ProviderSuccess)
    assert found.task_id == billed.task_id
    assert len(new_charges(sandbox, before)) == 1


@pytest.mark.parametrize("fault", [Fault.HTTP_500, Fault.HTTP_502])
async def test_a_submit_error_that_may_hide_a_task_is_unknown_and_not_retried(
    sandbox: RunningSandbox, fault: Fault
) -> None:
    # 502: a gateway's, after the request may have reached WaveSpeed; 500: WaveSpeed's own
    # unexpected error, which may come after the task was made.
    before = len(sandbox.state.book.billed("wavespeed"))
    sandbox.state.faults.add(Route.WAVESPEED_SUBMIT, fault)
    async with provider_on(sandbox) as provider:
        outcome = await provider.run(job("wavespeed/qwen-image"), RecordingReport())

    assert isinstance(outcome, SubmitUnknown)
    assert fault.value in outcome.detail
    assert new_charges(sandbox, before) == (), "never sent again (a second submit would run)"


async def test_a_500_after_the_task_was_made_is_unknown_and_the_task_billed_once(
    sandbox: RunningSandbox,
) -> None:
    # What the 500 may hide: the task exists and runs to its bill; the submit is not repeated.
    before = len(sandbox.state.book.billed("wavespeed"))
    submits = submits_seen(sandbox)
    sandbox.state.faults.add(Route.WAVESPEED_SUBMIT, Fault.HTTP_500_AFTER_WORK)
    async with provider_on(sandbox) as provider:
        outcome = await provider.run(job("wavespeed/qwen-image"), RecordingReport())

    assert isinstance(outcome, SubmitUnknown) and outcome.task_id is None
    assert "500" in outcome.detail
    for _ in range(300):
        if new_charges(sandbox, before):
            break
        await asyncio.sleep(0.01)
    assert len(new_charges(sandbox, before)) == 1
    assert submits_seen(sandbox) == submits + 1


def submits_seen(sandbox: RunningSandbox) -> int:
    requests = sandbox.state.faults.tally()["requests"]
    assert isinstance(requests, dict)
    return int(requests.get(Route.WAVESPEED_SUBMIT.value, 0))


async def test_a_503_on_submit_is_definite_and_not_retried(sandbox: RunningSandbox) -> None:
    # The service did not take the request: nothing runs, and another provider may be tried.
    before = len(sandbox.state.book.billed("wavespeed"))
    sandbox.state.faults.add(Route.WAVESPEED_SUBMIT, Fault.HTTP_503)
    async with provider_on(sandbox) as provider:
        outcome = await provider.run(job("wavespeed/qwen-image"), RecordingReport())

    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is K.UNAVAILABLE and outcome.kind.may_try_elsewhere
    assert new_charges(sandbox, before) == ()


async def test_a_wrong_key_is_an_auth_failure_and_stays_secret(sandbox: RunningSandbox) -> None:
    async with provider_on(sandbox, api_key="not-the-sandbox-key") as provider:
        outcome = await provider.run(job("wavespeed/qwen-image"), RecordingReport())

    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is K.AUTH
    assert "not-the-sandbox-key" not in outcome.detail


async def test_an_empty_balance_is_out_of_credit() -> None:
    broke = SandboxConfig(wavespeed_balance_usd=Decimal(0))
    async with adapter_on_sandbox(broke) as (provider, _):
        outcome = await provider.run(job("wavespeed/qwen-image"), RecordingReport())

    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is K.OUT_OF_CREDIT
    assert not outcome.kind.may_try_elsewhere


async def test_an_unknown_model_is_not_supported(sandbox: RunningSandbox) -> None:
    known = job("wavespeed/qwen-image")
    unknown = dataclasses.replace(
        known, model=dataclasses.replace(known.model, provider_path="wavespeed-ai/no-such-model")
    )
    async with provider_on(sandbox) as provider:
        outcome = await provider.run(unknown, RecordingReport())

    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is K.NOT_SUPPORTED


async def test_a_size_the_model_refuses_is_invalid_input(sandbox: RunningSandbox) -> None:
    before = len(sandbox.state.book.billed("wavespeed"))
    async with provider_on(sandbox) as provider:
        outcome = await provider.run(
            job("wavespeed/qwen-image", width=4096, height=4096), RecordingReport()
        )

    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is K.INVALID_INPUT
    assert "size" in outcome.detail
    assert new_charges(sandbox, before) == ()


async def test_the_accounts_own_rate_limit_is_rate_limited() -> None:
    config = SandboxConfig(wavespeed=WaveSpeedLimits(submits_per_window=1))
    async with adapter_on_sandbox(config) as (provider, _):
        first = await provider.run(job("wavespeed/qwen-image"), RecordingReport())
        second = await provider.run(job("wavespeed/qwen-image"), RecordingReport())

    assert isinstance(first, ProviderSuccess)
    assert isinstance(second, ProviderFailed)
    assert second.kind is K.RATE_LIMITED
    assert second.kind.may_try_elsewhere


async def test_a_moderated_prompt_fails_as_moderation_and_costs_nothing(
    sandbox: RunningSandbox,
) -> None:
    before = len(sandbox.state.book.billed("wavespeed"))
    report = RecordingReport()
    async with provider_on(sandbox) as provider:
        outcome = await provider.run(job("wavespeed/qwen-image", prompt="forbidden fox"), report)

    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is K.MODERATION
    assert report.events == ["sending", "accepted"]
    assert new_charges(sandbox, before) == ()


async def test_an_output_flagged_nsfw_is_withheld_though_billed(sandbox: RunningSandbox) -> None:
    report = RecordingReport()
    async with provider_on(sandbox) as provider:
        outcome = await provider.run(job("wavespeed/qwen-image", prompt="blurry-nsfw"), report)

    assert isinstance(outcome, OutputFiltered)
    billed = sandbox.state.book.find("wavespeed", report.task_ids[0])
    assert billed is not None
    assert billed.filtered


async def test_a_task_that_fails_after_acceptance_is_definite_and_refunded(
    sandbox: RunningSandbox,
) -> None:
    before = len(sandbox.state.book.billed("wavespeed"))
    sandbox.state.faults.add(Route.WAVESPEED_SUBMIT, Fault.FAIL_AFTER_ACCEPT)
    async with provider_on(sandbox) as provider:
        outcome = await provider.run(job("wavespeed/qwen-image"), RecordingReport())

    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is K.UNAVAILABLE
    assert new_charges(sandbox, before) == ()


async def test_outputs_that_cannot_be_downloaded_leave_a_billed_task_to_reconcile(
    sandbox: RunningSandbox,
) -> None:
    sandbox.state.faults.add(Route.FILE_DOWNLOAD, Fault.HTTP_500, times=3)
    qwen = job("wavespeed/qwen-image")
    report = RecordingReport()
    async with provider_on(sandbox) as provider:
        outcome = await provider.run(qwen, report)
        fetched_later = await provider.lookup(qwen, report.task_ids[0])

    assert outcome == SubmitUnknown(task_id=report.task_ids[0], detail=outcome.detail)
    assert sandbox.state.book.find("wavespeed", report.task_ids[0]) is not None
    assert isinstance(fetched_later, ProviderSuccess)


async def test_an_upload_that_keeps_failing_fails_before_anything_billable_is_sent(
    sandbox: RunningSandbox,
) -> None:
    before = len(sandbox.state.book.billed("wavespeed"))
    sandbox.state.faults.add(Route.WAVESPEED_UPLOAD, Fault.HTTP_503, times=3)
    report = RecordingReport()
    async with provider_on(sandbox) as provider:
        outcome = await provider.run(
            job("wavespeed/hunyuan3d-v2.1", prompt="", inputs=(input_image(),)), report
        )

    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is K.UNAVAILABLE
    assert report.events == []
    assert new_charges(sandbox, before) == ()
