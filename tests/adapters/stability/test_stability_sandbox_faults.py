"""Against the sandbox's scripted faults: polling, retries, never re-submitting, lookup, limits."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
import stamina
from stability_test_support import (
    NewBills,
    RecordingReport,
    fresh_faults,
    image_input,
    job,
    provider_at,
    settings_for,
    shared_sandbox,
)

from imagestudio.adapters.providers.deadline import Deadline
from imagestudio.adapters.providers.limiter import AccountLimiter
from imagestudio.adapters.sandbox.config import SANDBOX_KEY, SandboxConfig, StabilityLimits
from imagestudio.adapters.sandbox.faults import Fault, Route
from imagestudio.adapters.sandbox.runner import RunningSandbox
from imagestudio.adapters.stability.settings import StabilitySettings
from imagestudio.application.ports.provider import (
    ProviderJob,
    ProviderSuccess,
    SubmitUnknown,
    TaskMissing,
    TaskPending,
)
from imagestudio.domain.errors import ProviderErrorKind, ProviderFailed


@pytest.fixture(autouse=True)
def fast_retries() -> Iterator[None]:
    with stamina.set_testing(True, attempts=3):
        yield


@pytest.fixture(scope="module")
def module_sandbox() -> Iterator[RunningSandbox]:
    with shared_sandbox() as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def module_slow_sandbox() -> Iterator[RunningSandbox]:
    """Async results take 0.3 s to be ready."""
    roomy = StabilityLimits(requests_per_window=100_000, window_seconds=1.0)
    with shared_sandbox(SandboxConfig(latency_seconds=0.3, stability=roomy)) as sandbox:
        yield sandbox


@pytest.fixture
def sb(module_sandbox: RunningSandbox) -> Iterator[RunningSandbox]:
    with fresh_faults(module_sandbox) as sandbox:
        yield sandbox


@pytest.fixture
def slow_sb(module_slow_sandbox: RunningSandbox) -> Iterator[RunningSandbox]:
    with fresh_faults(module_slow_sandbox) as sandbox:
        yield sandbox


def sandbox_settings(sandbox: RunningSandbox, **overrides: object) -> StabilitySettings:
    return settings_for(sandbox.base_url, **{"api_key": SANDBOX_KEY, **overrides})


def creative() -> ProviderJob:
    return job("upscale-creative", inputs=(image_input(),), parameters={"scale": 2})


def core() -> ProviderJob:
    return job("generate-core")


class CountingLimiter(AccountLimiter):
    def __init__(self, settings: StabilitySettings) -> None:
        super().__init__(settings.limits)
        self.admitted = 0

    async def admit(self, deadline: Deadline) -> None:
        await super().admit(deadline)
        self.admitted += 1


async def test_an_async_task_is_polled_through_202_until_ready(slow_sb: RunningSandbox) -> None:
    bills = NewBills(slow_sb)
    settings = sandbox_settings(slow_sb, poll_interval=0.05)
    limiter = CountingLimiter(settings)
    report = RecordingReport()
    async with provider_at(settings, limiter) as provider:
        outcome = await provider.run(creative(), report)
    assert isinstance(outcome, ProviderSuccess)
    assert outcome.task_id is not None
    assert report.events == [("sending",), ("accepted", outcome.task_id)]
    assert limiter.admitted >= 4, "one submit and several polls, each admitted"
    assert len(bills()) == 1


async def test_result_polls_are_retried_through_scripted_faults(sb: RunningSandbox) -> None:
    bills = NewBills(sb)
    sb.state.faults.add(Route.STABILITY_RESULT, Fault.HTTP_503)
    sb.state.faults.add(Route.STABILITY_RESULT, Fault.HTTP_429)
    sb.state.faults.add(Route.STABILITY_RESULT, Fault.DROP)
    async with provider_at(sandbox_settings(sb)) as provider:
        outcome = await provider.run(creative(), RecordingReport())
    assert isinstance(outcome, ProviderSuccess)
    assert len(bills()) == 1


async def test_a_task_that_fails_after_acceptance_is_held_by_id_and_unbilled(
    sb: RunningSandbox,
) -> None:
    # Its result answers 500 until it expires: the outcome is unknown while it does, so the
    # task is held for reconciliation (whose look-up asks later), never released as free.
    bills = NewBills(sb)
    sb.state.faults.add(Route.STABILITY_SUBMIT, Fault.FAIL_AFTER_ACCEPT)
    report = RecordingReport()
    async with provider_at(sandbox_settings(sb)) as provider:
        outcome = await provider.run(creative(), report)
        assert isinstance(outcome, SubmitUnknown) and outcome.task_id is not None
        assert await provider.lookup(creative(), outcome.task_id) == TaskPending(outcome.task_id)
    assert "500" in outcome.detail
    assert [event[0] for event in report.events] == ["sending", "accepted"]
    assert bills() == ()


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        (Fault.HTTP_503, ProviderErrorKind.UNAVAILABLE),
        (Fault.HTTP_429, ProviderErrorKind.RATE_LIMITED),
    ],
)
async def test_submit_error_faults_are_failures_and_not_retried(
    sb: RunningSandbox, fault: Fault, kind: ProviderErrorKind
) -> None:
    sb.state.faults.add(Route.STABILITY_SUBMIT, fault, times=2)
    async with provider_at(sandbox_settings(sb)) as provider:
        outcome = await provider.run(core(), RecordingReport())
    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is kind
    assert sb.state.faults.take(Route.STABILITY_SUBMIT) is fault, "the second was never used"


@pytest.mark.parametrize(
    ("fault", "bills"),
    [(Fault.HTTP_502, 0), (Fault.HTTP_500, 0), (Fault.HTTP_500_AFTER_WORK, 1)],
)
@pytest.mark.parametrize("submitted", [core, creative], ids=["sync", "async"])
async def test_a_500_or_502_on_a_submit_is_unknown_and_not_repeated(
    sb: RunningSandbox, fault: Fault, bills: int, submitted: Callable[[], ProviderJob]
) -> None:
    # A 500 after the work and one before it read the same; the first was billed.
    new_bills = NewBills(sb)
    sb.state.faults.add(Route.STABILITY_SUBMIT, fault, times=2)
    report = RecordingReport()
    async with provider_at(sandbox_settings(sb)) as provider:
        outcome = await provider.run(submitted(), report)
    assert isinstance(outcome, SubmitUnknown)
    assert outcome.task_id is None
    assert str(500 if fault is Fault.HTTP_500_AFTER_WORK else fault.value) in outcome.detail
    assert "may have been billed" in outcome.detail
    assert report.events == [("sending",)]
    assert sb.state.faults.take(Route.STABILITY_SUBMIT) is fault, "the second was never used"
    for _ in range(200):  # an async task is billed when due, after its 500
        if len(new_bills()) >= bills:
            break
        await asyncio.sleep(0.02)
    assert len(new_bills()) == bills


async def test_a_dropped_sync_submit_is_unknown_and_the_one_billed_call_is_not_repeated(
    sb: RunningSandbox,
) -> None:
    bills = NewBills(sb)
    sb.state.faults.add(Route.STABILITY_SUBMIT, Fault.DROP)
    report = RecordingReport()
    async with provider_at(sandbox_settings(sb)) as provider:
        outcome = await provider.run(core(), report)
    assert isinstance(outcome, SubmitUnknown)
    assert outcome.task_id is None
    assert report.events == [("sending",)]
    assert len(bills()) == 1


async def test_a_slow_sync_submit_times_out_as_unknown_and_is_not_repeated(
    sb: RunningSandbox,
) -> None:
    bills = NewBills(sb)
    sb.state.faults.slow_seconds = 1.0
    sb.state.faults.add(Route.STABILITY_SUBMIT, Fault.SLOW)
    async with provider_at(sandbox_settings(sb, request_timeout=0.2)) as provider:
        outcome = await provider.run(core(), RecordingReport())
    assert isinstance(outcome, SubmitUnknown)
    assert "ReadTimeout" in outcome.detail
    # On a loaded machine the sandbox may read the submit only after the client gave up: wait
    # for its bill (any repeat would have been sent before `run` returned).
    for _ in range(1_500):  # 30 s
        if bills():
            break
        await asyncio.sleep(0.02)
    assert len(bills()) == 1


async def test_a_dropped_async_submit_is_unknown_without_a_task_id(sb: RunningSandbox) -> None:
    sb.state.faults.add(Route.STABILITY_SUBMIT, Fault.DROP)
    report = RecordingReport()
    async with provider_at(sandbox_settings(sb)) as provider:
        outcome = await provider.run(creative(), report)
    assert isinstance(outcome, SubmitUnknown)
    assert outcome.task_id is None
    assert report.events == [("sending",)]


async def test_a_deadline_after_acceptance_is_held_and_lookup_finds_the_result_later(
    slow_sb: RunningSandbox,
) -> None:
    bills = NewBills(slow_sb)
    settings = sandbox_settings(slow_sb, task_deadline=0.1, poll_interval=0.03)
    async with provider_at(settings) as provider:
        outcome = await provider.run(creative(), RecordingReport())
        assert isinstance(outcome, SubmitUnknown)
        assert outcome.task_id is not None
        assert await provider.lookup(creative(), outcome.task_id) == TaskPending(outcome.task_id)
        await asyncio.sleep(0.35)
        found = await provider.lookup(creative(), outcome.task_id)
    assert isinstance(found, ProviderSuccess)
    assert found.task_id == outcome.task_id
    assert len(bills()) == 1


async def test_lookup_of_an_unknown_task_is_missing(sb: RunningSandbox) -> None:
    async with provider_at(sandbox_settings(sb)) as provider:
        outcome = await provider.lookup(creative(), "0" * 64)
    assert isinstance(outcome, TaskMissing)
    assert "generation_not_found" in outcome.detail


async def test_lookup_through_lasting_faults_asks_again_later(sb: RunningSandbox) -> None:
    sb.state.faults.add(Route.STABILITY_RESULT, Fault.HTTP_503, times=5)
    async with provider_at(sandbox_settings(sb)) as provider:
        outcome = await provider.lookup(creative(), "0" * 64)
    assert outcome == TaskPending("0" * 64)


async def test_check_account_reads_the_balance_and_sees_charges(sb: RunningSandbox) -> None:
    credits = sb.state.book.balance("stability")
    async with provider_at(sandbox_settings(sb)) as provider:
        before = await provider.check_account()
        await provider.run(core(), RecordingReport())
        after = await provider.check_account()
    assert before.key_works
    assert before.balance == f"{credits.normalize():f} credits"
    assert after.balance == f"{(credits - Decimal(3)).normalize():f} credits"


async def test_check_account_retries_a_flaky_balance_and_gives_up_on_a_dead_one(
    sb: RunningSandbox,
) -> None:
    sb.state.faults.add(Route.STABILITY_BALANCE, Fault.HTTP_503)
    async with provider_at(sandbox_settings(sb)) as provider:
        flaky = await provider.check_account()
        sb.state.faults.add(Route.STABILITY_BALANCE, Fault.HTTP_500, times=5)
        dead = await provider.check_account()
    assert flaky.key_works
    assert not dead.key_works


async def test_the_sandboxs_lockout_is_rate_limited() -> None:
    tight = SandboxConfig(stability=StabilityLimits(requests_per_window=2, window_seconds=10))
    with RunningSandbox(tight) as sandbox:
        async with provider_at(sandbox_settings(sandbox)) as provider:
            outcomes = [await provider.run(core(), RecordingReport()) for _ in range(3)]
    assert all(isinstance(o, ProviderSuccess) for o in outcomes[:2])
    last = outcomes[2]
    assert isinstance(last, ProviderFailed)
    assert last.kind is ProviderErrorKind.RATE_LIMITED


async def test_the_limiter_keeps_a_burst_under_the_window_instead_of_a_lockout() -> None:
    tight = SandboxConfig(stability=StabilityLimits(requests_per_window=3, window_seconds=0.3))
    with RunningSandbox(tight) as sandbox:
        # A longer window than the server's: admission happens before arrival, and a loaded
        # machine can delay one request's arrival while the next arrives on time (0.7 s margin).
        settings = sandbox_settings(sandbox, requests_per_window=3, window_seconds=1.0)
        async with provider_at(settings) as provider:
            outcomes = await asyncio.gather(
                *(provider.run(core(), RecordingReport()) for _ in range(7))
            )
        billed = sandbox.state.book.billed("stability")
    assert all(isinstance(o, ProviderSuccess) for o in outcomes), outcomes
    assert len(billed) == 7


async def test_an_image_too_small_for_the_endpoint_is_invalid_input(sb: RunningSandbox) -> None:
    tiny = dataclasses.replace(creative(), inputs=(image_input(width=40, height=40),))
    async with provider_at(sandbox_settings(sb)) as provider:
        outcome = await provider.run(tiny, RecordingReport())
    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is ProviderErrorKind.INVALID_INPUT
    assert "image" in outcome.detail
