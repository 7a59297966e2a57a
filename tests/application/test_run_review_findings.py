"""Edges found in review: keys after a late cancellation, careless adapters, prompt-less quotes."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest
from fakes import FLAT_PRICE, BlockingAssetStore, Quiet, Unknown, text_to_image
from returns.result import Success

from imagestudio.domain.errors import OutcomeUnknown
from imagestudio.domain.operation import OperationStatus

if TYPE_CHECKING:
    from conftest import Studio, StudioFactory


async def test_a_key_whose_request_was_cancelled_while_storing_replays_the_finished_success(
    make_studio: StudioFactory,
) -> None:
    studio: Studio = make_studio(assets=BlockingAssetStore)
    assert isinstance(studio.assets.content, BlockingAssetStore)
    task = asyncio.create_task(studio.run.execute(text_to_image(idempotency_key="k")))
    await studio.assets.content.entered.wait()
    task.cancel()
    studio.assets.content.gate.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(20):
        await asyncio.sleep(0)

    retry = await studio.run.execute(text_to_image(idempotency_key="k"))

    assert isinstance(retry, Success)
    assert retry.unwrap().charged == FLAT_PRICE
    assert len(studio.provider.jobs) == 1
    assert len(await studio.lines("ada")) == 1


async def test_a_task_id_named_only_in_an_unknown_outcome_is_kept_for_reconciliation(
    studio: Studio,
) -> None:
    studio.provider.script(Quiet(Unknown(task_id="task-9")))

    result = await studio.run.execute(text_to_image())

    assert isinstance(result.failure(), OutcomeUnknown)
    assert result.failure().provider_task_id == "task-9"
    operation = await studio.only_operation()
    assert operation.status is OperationStatus.UNKNOWN
    assert operation.provider_task_ids == ("task-9",)


async def test_an_adapter_that_never_reports_sending_still_settles_its_success(
    studio: Studio,
) -> None:
    studio.provider.script(Quiet())

    result = await studio.run.execute(text_to_image())

    assert result.unwrap().charged == FLAT_PRICE
    assert (await studio.only_operation()).status is OperationStatus.SUCCEEDED
    await studio.assert_used_matches_ledger("ada")


async def test_a_quote_needs_no_prompt(studio: Studio) -> None:
    quote = await studio.quote.execute(text_to_image(prompt=""))

    assert quote.unwrap().amount == FLAT_PRICE


async def test_a_quote_still_refuses_a_prompt_longer_than_the_model_takes(studio: Studio) -> None:
    quote = await studio.quote.execute(text_to_image(prompt="x" * 20_000))

    assert quote.failure().field == "prompt"
