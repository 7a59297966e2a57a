"""The whole money path through the real Stability adapter, against the sandbox over loopback:
quota reserved, provider called once, ledger line at the catalog price, asset stored; and for
each failure, nothing charged and nothing held — or held as unknown where the rules say so."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import stamina
from returns.result import Failure
from sandbox_studio import USER, held_and_spent, png, sandbox_studio

from imagestudio.adapters.sandbox.config import SandboxConfig
from imagestudio.adapters.sandbox.faults import Fault, Route
from imagestudio.adapters.sandbox.runner import RunningSandbox
from imagestudio.application.requests import ImageInput
from imagestudio.application.use_cases.audit_provider import AuditRequest
from imagestudio.application.use_cases.generate import GenerateRequest
from imagestudio.application.use_cases.upscale import UpscaleRequest
from imagestudio.domain.errors import (
    OutcomeUnknown,
    OutputFiltered,
    ProviderErrorKind,
    ProviderFailed,
)
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.usage_record import Outcome
from imagestudio.entrypoints.api import ImageStudio

CREDIT = 10_000  # micro-dollars


def generate(prompt: str = "a lighthouse at dusk", **changes: object) -> GenerateRequest:
    return GenerateRequest(
        user_id=USER,
        prompt=prompt,
        model_id="stability/generate-core",
        **changes,  # type: ignore[arg-type]
    )


async def test_a_generation_is_charged_the_catalog_price_and_stored(tmp_path: Path) -> None:
    async with sandbox_studio(tmp_path) as (studio, sandbox):
        result = (await studio.generate.execute(generate())).unwrap()

        assert result.charged == 3 * CREDIT
        asset = result.assets[0]
        assert asset.media_type is MediaType.PNG and asset.width and asset.height
        content = (await studio.get_asset.execute(USER, asset.id)).unwrap()
        assert content.data.startswith(b"\x89PNG")
        line = await studio.container.ledger().for_operation(result.operation.id)
        assert line is not None
        assert (line.user_charge, line.provider_cost, line.outcome) == (
            3 * CREDIT,
            3 * CREDIT,
            Outcome.SUCCEEDED,
        )
        billed = sandbox.state.book.billed("stability")
        assert [(task.route.strip("/"), task.amount) for task in billed] == [
            ("stable-image/generate/core", Decimal(3))
        ]
        assert await held_and_spent(studio) == (0, 3 * CREDIT)


async def test_an_async_creative_upscale_is_polled_to_its_result(tmp_path: Path) -> None:
    async with sandbox_studio(tmp_path, SandboxConfig(latency_seconds=0.4)) as (studio, sandbox):
        result = (
            await studio.upscale.execute(
                UpscaleRequest(
                    user_id=USER,
                    image=ImageInput(data=png(256, 256)),
                    scale=4,
                    prompt="a sharper lighthouse",
                    model_id="stability/upscale-creative",
                )
            )
        ).unwrap()

        assert result.charged == 60 * CREDIT
        assert (
            result.operation.provider_task_ids and len(result.operation.provider_task_ids[0]) == 64
        )
        assert len(sandbox.state.book.billed("stability")) == 1
        assert await held_and_spent(studio) == (0, 60 * CREDIT)


async def test_a_moderated_prompt_costs_nothing(tmp_path: Path) -> None:
    async with sandbox_studio(tmp_path) as (studio, sandbox):
        error = (await studio.generate.execute(generate("a forbidden thing"))).failure()

        assert isinstance(error, ProviderFailed) and error.kind is ProviderErrorKind.MODERATION
        assert await held_and_spent(studio) == (0, 0)
        assert sandbox.state.book.billed("stability") == ()


async def test_a_filtered_output_costs_the_user_nothing_and_the_operator_its_price(
    tmp_path: Path,
) -> None:
    async with sandbox_studio(tmp_path) as (studio, sandbox):
        result = await studio.generate.execute(generate("a blurry-nsfw beach"))

        assert isinstance(result, Failure) and isinstance(result.failure(), OutputFiltered)
        assert await held_and_spent(studio) == (0, 0)
        lines = await studio.container.ledger().for_user(USER)
        assert [(line.outcome, line.user_charge, line.provider_cost) for line in lines] == [
            (Outcome.FILTERED, 0, 3 * CREDIT)
        ]
        assert len(sandbox.state.book.billed("stability")) == 1


async def test_a_503_on_submit_is_released(tmp_path: Path) -> None:
    # The service did not take the request: definite, nothing held, nothing charged.
    async with sandbox_studio(tmp_path) as (studio, sandbox):
        sandbox.state.faults.add(Route.STABILITY_SUBMIT, Fault.HTTP_503)

        error = (await studio.generate.execute(generate())).failure()

        assert isinstance(error, ProviderFailed) and error.kind is ProviderErrorKind.UNAVAILABLE
        assert await held_and_spent(studio) == (0, 0)
        assert sandbox.state.book.billed("stability") == ()


@pytest.mark.parametrize(
    ("fault", "bills"),
    [(Fault.HTTP_500, 0), (Fault.HTTP_500_AFTER_WORK, 1)],
    ids=["before-the-generation", "after-the-generation"],
)
async def test_a_500_on_a_sync_submit_is_held_unknown_then_released_with_its_possible_cost(
    tmp_path: Path, fault: Fault, bills: int
) -> None:
    # Stability's `internal_error` says nothing of the generation, which may have been made
    # and billed (the sandbox's `500-after-work`); the client cannot tell it from a 500 before
    # the work. Both are held as unknown, never re-sent, and released unresolved: the user is
    # not charged, the price kept as the possible provider cost (it was read as a definite
    # failure, so a billed generation cost the operator its price with $0 in the ledger).
    since = datetime.now(UTC) - timedelta(seconds=1)
    async with sandbox_studio(tmp_path, reconcile_after_seconds=0.5, lease_seconds=0.3) as (
        studio,
        sandbox,
    ):
        sandbox.state.faults.add(Route.STABILITY_SUBMIT, fault)

        error = (await studio.generate.execute(generate())).failure()

        assert isinstance(error, OutcomeUnknown), error
        assert error.provider_task_id is None
        assert await held_and_spent(studio) == (3 * CREDIT, 0)
        assert len(sandbox.state.book.billed("stability")) == bills
        assert sandbox.state.faults.tally()["requests"] == {"stability.submit": 1}
        await asyncio.sleep(0.6)  # the real clock: past the lease and the deadline

        report = await studio.reconcile.execute()

        assert report.unresolved == (error.operation_id,)
        assert await held_and_spent(studio) == (0, 0)
        line = await studio.container.ledger().for_operation(error.operation_id)
        assert line is not None
        assert (line.outcome, line.user_charge) == (Outcome.UNKNOWN_UNRESOLVED, 0)
        assert line.provider_cost == line.unconfirmed_cost == 3 * CREDIT
        if bills:
            audit = (await studio.audit_provider.execute(AuditRequest(since=since))).unwrap()
            assert audit.differences == ()


async def test_a_dropped_reply_is_held_unknown_then_released_unresolved_with_its_cost(
    tmp_path: Path,
) -> None:
    async with sandbox_studio(tmp_path, reconcile_after_seconds=0.5, lease_seconds=0.3) as (
        studio,
        sandbox,
    ):
        sandbox.state.faults.add(Route.STABILITY_SUBMIT, Fault.DROP)

        error = (await studio.generate.execute(generate())).failure()

        assert isinstance(error, OutcomeUnknown)
        assert await held_and_spent(studio) == (3 * CREDIT, 0)
        assert len(sandbox.state.book.billed("stability")) == 1, "sent once, billed once"
        operations = studio.container.operations()
        assert (await operations.get(error.operation_id)).status is OperationStatus.UNKNOWN  # type: ignore[union-attr]

        await asyncio.sleep(0.6)  # the real clock: past the lease and the deadline
        report = await studio.reconcile.execute()

        assert report.unresolved == (error.operation_id,)
        assert await held_and_spent(studio) == (0, 0)
        line = await studio.container.ledger().for_operation(error.operation_id)
        assert line is not None
        assert (line.outcome, line.user_charge, line.provider_cost) == (
            Outcome.UNKNOWN_UNRESOLVED,
            0,
            3 * CREDIT,
        )
        assert timedelta(seconds=0) <= line.finished_at - line.started_at


async def test_a_creative_upscale_whose_result_expired_before_reconciliation_keeps_its_cost(
    tmp_path: Path,
) -> None:
    # The soak's true difference: an async upscale ran past the deadline (or its process
    # died), completed and was billed, and its result expired before reconciliation asked:
    # the 404 was read as "never billed" and the ledger said $0 against the provider's $0.60.
    config = SandboxConfig(latency_seconds=0.05, slow_task_seconds=0.4, result_ttl_seconds=0.8)
    since = datetime.now(UTC) - timedelta(seconds=1)
    async with sandbox_studio(
        tmp_path,
        config,
        provider_deadline_seconds=0.2,
        reconcile_after_seconds=0.3,
        lease_seconds=0.3,
    ) as (studio, sandbox):
        sandbox.state.faults.add(Route.STABILITY_SUBMIT, Fault.SLOW_TASK)
        error = (
            await studio.upscale.execute(
                UpscaleRequest(
                    user_id=USER,
                    image=ImageInput(data=png(256, 256)),
                    scale=4,
                    prompt="a sharper lighthouse",
                    model_id="stability/upscale-creative",
                )
            )
        ).failure()
        assert isinstance(error, OutcomeUnknown) and error.provider_task_id
        for _ in range(100):  # the task completes (billed when due), then its result expires
            await asyncio.sleep(0.05)
            billed = sandbox.state.book.billed("stability")
            if billed and datetime.now(UTC) - billed[0].billed_at > timedelta(seconds=1):
                break
        assert [task.task_id for task in billed] == [error.provider_task_id]

        report = await studio.reconcile.execute()

        assert report.unresolved == (error.operation_id,)
        line = await studio.container.ledger().for_operation(error.operation_id)
        assert line is not None
        assert (line.outcome, line.user_charge) == (Outcome.UNKNOWN_UNRESOLVED, 0)
        assert line.provider_cost == line.unconfirmed_cost == 60 * CREDIT
        assert line.provider_task_ids == (error.provider_task_id,)
        assert await held_and_spent(studio) == (0, 0)
        audit = (await studio.audit_provider.execute(AuditRequest(since=since))).unwrap()
        assert audit.differences == ()


async def test_a_creative_upscale_whose_result_answers_500_stays_held_until_it_is_gone(
    tmp_path: Path,
) -> None:
    # A result poll still answering 500 after its retries says nothing of the task, which may
    # have run and been billed: the poll and reconciliation's look-up both read it as "ask
    # later" (it was read as a free failure by the poll alone). A task that really failed is
    # released once its result is gone, its price kept as a possible cost, never charged.
    config = SandboxConfig(latency_seconds=0.05, result_ttl_seconds=RESULT_TTL)
    with stamina.set_testing(True, attempts=3):  # the retries' count matters, not their waits
        async with sandbox_studio(
            tmp_path,
            config,
            reconcile_after_seconds=0.1,
            reconcile_recheck_seconds=0.5,
            lease_seconds=0.3,
        ) as (studio, sandbox):
            await _held_while_500_then_released(studio, sandbox)


RESULT_TTL = 600.0
"""Far longer than any run takes, however loaded the machine: the result expires when the test
moves the sandbox's clock past it (a 3 s TTL on the wall clock expired early on a busy machine)."""


async def _held_while_500_then_released(studio: ImageStudio, sandbox: RunningSandbox) -> None:
    ahead = [0.0]
    sandbox.state.clock = lambda: time.monotonic() + ahead[0]
    sandbox.state.faults.add(Route.STABILITY_SUBMIT, Fault.FAIL_AFTER_ACCEPT)
    error = (
        await studio.upscale.execute(
            UpscaleRequest(
                user_id=USER,
                image=ImageInput(data=png(256, 256)),
                scale=4,
                prompt="a sharper lighthouse",
                model_id="stability/upscale-creative",
            )
        )
    ).failure()
    assert isinstance(error, OutcomeUnknown) and error.provider_task_id
    held, spent = await held_and_spent(studio)
    assert held > 0 and spent == 0
    await asyncio.sleep(0.2)

    asked = await studio.reconcile.execute()

    assert asked.pending == (error.operation_id,)
    assert await held_and_spent(studio) == (held, 0)
    ahead[0] = RESULT_TTL + 1  # the result has expired
    await asyncio.sleep(0.6)  # past reconcile_recheck_seconds: the operation is asked again

    gone = await studio.reconcile.execute()

    assert gone.unresolved == (error.operation_id,)
    line = await studio.container.ledger().for_operation(error.operation_id)
    assert line is not None
    assert (line.outcome, line.user_charge) == (Outcome.UNKNOWN_UNRESOLVED, 0)
    assert sandbox.state.book.billed("stability") == ()
    assert await held_and_spent(studio) == (0, 0)
