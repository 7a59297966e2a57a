"""The whole money path through the real WaveSpeed adapter, against the sandbox over loopback,
including reconciliation of a task whose result came too late and fallback to Stability."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sandbox_studio import USER, held_and_spent, sandbox_studio

from imagestudio.adapters.sandbox.config import SandboxConfig
from imagestudio.adapters.sandbox.faults import Fault, Route
from imagestudio.application.use_cases.generate import GenerateRequest
from imagestudio.domain.errors import OutcomeUnknown, ProviderErrorKind, ProviderFailed
from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.usage_record import Outcome

FLUX_DEV = 12_000  # micro-dollars per image (catalog)


def flux(prompt: str = "a red kite over dunes", **changes: object) -> GenerateRequest:
    fields: dict[str, object] = {
        "user_id": USER,
        "prompt": prompt,
        "model_id": "wavespeed/flux-dev",
        "width": 512,
        "height": 512,
    }
    fields.update(changes)
    return GenerateRequest(**fields)  # type: ignore[arg-type]


async def test_variations_from_one_call_are_charged_each_and_stored(tmp_path: Path) -> None:
    async with sandbox_studio(tmp_path) as (studio, sandbox):
        result = (await studio.generate.execute(flux(variations=2))).unwrap()

        assert result.charged == 2 * FLUX_DEV
        assert len(result.assets) == 2
        assert all(asset.width == 512 and asset.height == 512 for asset in result.assets)
        assert len(result.operation.provider_task_ids) == 1, "flux-dev returns 4 per call"
        assert len(sandbox.state.book.billed("wavespeed")) == 1
        assert await held_and_spent(studio) == (0, 2 * FLUX_DEV)


async def test_a_result_later_than_the_deadline_is_held_then_reconciled_and_charged(
    tmp_path: Path,
) -> None:
    config = SandboxConfig(latency_seconds=1.0)
    async with sandbox_studio(
        tmp_path, config, provider_deadline_seconds=0.4, lease_seconds=0.3
    ) as (studio, sandbox):
        error = (await studio.generate.execute(flux())).failure()

        assert isinstance(error, OutcomeUnknown) and error.provider_task_id
        assert await held_and_spent(studio) == (FLUX_DEV, 0)
        await asyncio.sleep(1.0)  # the task completes at the provider; our lease runs out

        report = await studio.reconcile.execute()

        assert report.succeeded == (error.operation_id,)
        operation = await studio.container.operations().get(error.operation_id)
        assert operation is not None and operation.status is OperationStatus.SUCCEEDED
        assert len(operation.asset_ids) == 1
        assert await held_and_spent(studio) == (0, FLUX_DEV)
        billed = sandbox.state.book.billed("wavespeed")
        assert [task.task_id for task in billed] == [error.provider_task_id]


async def test_a_dropped_submit_reply_is_never_resent_and_ends_unresolved(
    tmp_path: Path,
) -> None:
    async with sandbox_studio(tmp_path, reconcile_after_seconds=0.4, lease_seconds=0.3) as (
        studio,
        sandbox,
    ):
        sandbox.state.faults.add(Route.WAVESPEED_SUBMIT, Fault.DROP)

        error = (await studio.generate.execute(flux())).failure()

        assert isinstance(error, OutcomeUnknown) and error.provider_task_id is None
        await asyncio.sleep(0.6)
        report = await studio.reconcile.execute()

        assert report.unresolved == (error.operation_id,)
        assert await held_and_spent(studio) == (0, 0)
        line = await studio.container.ledger().for_operation(error.operation_id)
        assert line is not None
        assert (line.outcome, line.user_charge, line.provider_cost) == (
            Outcome.UNKNOWN_UNRESOLVED,
            0,
            FLUX_DEV,
        )


async def test_a_moderated_task_fails_and_costs_nothing(tmp_path: Path) -> None:
    async with sandbox_studio(tmp_path) as (studio, sandbox):
        error = (await studio.generate.execute(flux("something forbidden"))).failure()

        assert isinstance(error, ProviderFailed) and error.kind is ProviderErrorKind.MODERATION
        assert await held_and_spent(studio) == (0, 0)
        assert sandbox.state.book.billed("wavespeed") == ()


async def test_auto_falls_back_from_a_rate_limited_wavespeed_to_stability(
    tmp_path: Path,
) -> None:
    async with sandbox_studio(
        tmp_path, routing="preference", routing_preference="wavespeed,stability"
    ) as (studio, sandbox):
        sandbox.state.faults.add(Route.WAVESPEED_SUBMIT, Fault.HTTP_429)

        result = (
            await studio.generate.execute(GenerateRequest(user_id=USER, prompt="a harbour"))
        ).unwrap()

        assert result.operation.provider == "stability"
        lines = await studio.container.ledger().for_user(USER)
        assert sorted((line.provider, line.outcome, line.user_charge > 0) for line in lines) == [
            ("stability", Outcome.SUCCEEDED, True),
            ("wavespeed", Outcome.FAILED, False),
        ]
        held, spent = await held_and_spent(studio)
        assert (held, spent) == (0, result.charged)
        assert sandbox.state.book.billed("wavespeed") == ()
