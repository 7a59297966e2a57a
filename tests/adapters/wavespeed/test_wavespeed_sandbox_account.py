"""Looking tasks up, checking the account, and queuing for the account's slots, on the sandbox."""

from __future__ import annotations

import asyncio
import time

from wavespeed_sandbox_support import adapter_on_sandbox, billed_tasks
from wavespeed_test_support import RecordingReport, job

from imagestudio.adapters.providers.limiter import AccountLimiter, AccountLimits
from imagestudio.adapters.sandbox.config import SandboxConfig, WaveSpeedLimits
from imagestudio.adapters.sandbox.faults import Fault, Route
from imagestudio.application.ports.provider import (
    ProviderSuccess,
    SubmitUnknown,
    TaskMissing,
    TaskPending,
)
from imagestudio.domain.errors import ProviderErrorKind, ProviderFailed


async def test_a_lookup_follows_a_task_from_pending_to_its_outputs() -> None:
    qwen = job("wavespeed/qwen-image")
    async with adapter_on_sandbox(SandboxConfig(latency_seconds=0.4), task_deadline=0.1) as (
        provider,
        sandbox,
    ):
        report = RecordingReport()
        outcome = await provider.run(qwen, report)
        (task_id,) = report.task_ids
        pending = await provider.lookup(qwen, task_id)
        await billed_tasks(sandbox, 1)
        done = await provider.lookup(qwen, task_id)

    assert outcome == SubmitUnknown(task_id=task_id, detail=outcome.detail)
    assert pending == TaskPending(task_id)
    assert isinstance(done, ProviderSuccess)
    assert done.task_id == task_id
    assert len(done.artifacts) == 1


async def test_a_lookup_of_an_unknown_task_says_it_is_missing() -> None:
    async with adapter_on_sandbox() as (provider, _):
        outcome = await provider.lookup(job("wavespeed/qwen-image"), "f" * 32)

    assert isinstance(outcome, TaskMissing)


async def test_a_lookup_of_a_failed_task_is_its_failure() -> None:
    qwen = job("wavespeed/qwen-image")
    async with adapter_on_sandbox() as (provider, sandbox):
        sandbox.state.faults.add(Route.WAVESPEED_SUBMIT, Fault.FAIL_AFTER_ACCEPT)
        report = RecordingReport()
        await provider.run(qwen, report)
        outcome = await provider.lookup(qwen, report.task_ids[0])

    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is ProviderErrorKind.UNAVAILABLE


async def test_the_account_check_reports_the_balance_in_usd() -> None:
    async with adapter_on_sandbox() as (provider, _):
        before = await provider.check_account()
        await provider.run(job("wavespeed/qwen-image"), RecordingReport())
        after = await provider.check_account()

    assert (before.provider, before.key_works, before.balance) == ("wavespeed", True, "100.00 USD")
    assert after.balance == "99.98 USD"


async def test_the_account_check_says_when_the_key_does_not_work() -> None:
    async with adapter_on_sandbox(api_key="wrong-key-123") as (provider, _):
        status = await provider.check_account()

    assert status.key_works is False
    assert "401" in status.detail
    assert "wrong-key-123" not in status.detail


async def test_jobs_beyond_the_accounts_three_slots_queue_instead_of_being_refused() -> None:
    bronze = SandboxConfig(latency_seconds=0.3, wavespeed=WaveSpeedLimits(concurrent_tasks=3))
    async with adapter_on_sandbox(bronze, concurrent_tasks=3) as (provider, sandbox):
        started = time.monotonic()
        outcomes = await asyncio.gather(
            *(provider.run(job("wavespeed/qwen-image"), RecordingReport()) for _ in range(6))
        )
        elapsed = time.monotonic() - started
        billed = await billed_tasks(sandbox, 6)

    assert all(isinstance(outcome, ProviderSuccess) for outcome in outcomes)
    assert len(billed) == 6
    assert elapsed >= 0.6  # two rounds of three


async def test_without_queuing_the_fourth_job_would_be_refused() -> None:
    bronze = SandboxConfig(latency_seconds=0.3, wavespeed=WaveSpeedLimits(concurrent_tasks=3))
    too_generous = AccountLimiter(
        AccountLimits(concurrent_tasks=6, requests_per_window=100, window_seconds=60)
    )
    async with adapter_on_sandbox(bronze, limiter=too_generous) as (provider, _):
        outcomes = await asyncio.gather(
            *(provider.run(job("wavespeed/qwen-image"), RecordingReport()) for _ in range(6))
        )

    refused = [outcome for outcome in outcomes if isinstance(outcome, ProviderFailed)]
    assert len(refused) == 3
    assert all(outcome.kind is ProviderErrorKind.RATE_LIMITED for outcome in refused)


async def test_the_submit_window_queues_jobs_past_the_per_minute_allowance() -> None:
    window = AccountLimiter(
        AccountLimits(concurrent_tasks=10, requests_per_window=2, window_seconds=0.4)
    )
    async with adapter_on_sandbox(limiter=window) as (provider, _):
        started = time.monotonic()
        outcomes = await asyncio.gather(
            *(provider.run(job("wavespeed/qwen-image"), RecordingReport()) for _ in range(3))
        )

    assert all(isinstance(outcome, ProviderSuccess) for outcome in outcomes)
    assert time.monotonic() - started >= 0.4
