"""The states an operation passes through, as DESIGN.md draws them, for each way it can end."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest
from fakes import Block, Crash, Fail, FailingAssetStore, Filter, Unknown, text_to_image

from imagestudio.domain.operation import OperationStatus

if TYPE_CHECKING:
    from conftest import Studio, StudioFactory

S = OperationStatus


def path_of(studio: Studio) -> list[OperationStatus]:
    [operation_id] = studio.operations.saved_ids
    return studio.operations.history[operation_id]


async def test_a_success_goes_reserved_submitted_succeeded(studio: Studio) -> None:
    await studio.run.execute(text_to_image())

    assert path_of(studio) == [S.RESERVED, S.SUBMITTED, S.SUCCEEDED]


async def test_a_refusal_leaves_no_operation_behind(studio: Studio) -> None:
    await studio.run.execute(text_to_image("cat", outputs=4))

    assert studio.operations.saved_ids == []  # accept rolled back whole


async def test_a_provider_failure_goes_through_submitted_to_failed(studio: Studio) -> None:
    studio.provider.script(Fail())

    await studio.run.execute(text_to_image())

    assert path_of(studio) == [S.RESERVED, S.SUBMITTED, S.FAILED]


async def test_a_filtered_output_goes_through_submitted_to_failed(studio: Studio) -> None:
    studio.provider.script(Filter())

    await studio.run.execute(text_to_image())

    assert path_of(studio) == [S.RESERVED, S.SUBMITTED, S.FAILED]


async def test_a_crash_before_sending_goes_from_reserved_to_failed(studio: Studio) -> None:
    studio.provider.script(Crash(after_sending=False))

    await studio.run.execute(text_to_image())

    assert path_of(studio) == [S.RESERVED, S.FAILED]


async def test_an_unknown_outcome_goes_through_submitted_to_unknown(studio: Studio) -> None:
    studio.provider.script(Unknown())

    await studio.run.execute(text_to_image())

    assert path_of(studio) == [S.RESERVED, S.SUBMITTED, S.UNKNOWN]


async def test_a_lost_output_goes_through_submitted_to_failed(make_studio: StudioFactory) -> None:
    studio: Studio = make_studio(assets=FailingAssetStore.always)

    await studio.run.execute(text_to_image())

    assert path_of(studio) == [S.RESERVED, S.SUBMITTED, S.FAILED]


async def test_a_cancellation_before_sending_goes_from_reserved_to_cancelled(
    studio: Studio,
) -> None:
    blocked = Block(after_sending=False)
    studio.provider.script(blocked)
    task = asyncio.create_task(studio.run.execute(text_to_image()))
    await blocked.entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert path_of(studio) == [S.RESERVED, S.CANCELLED]


async def test_a_cancellation_after_sending_goes_through_submitted_to_unknown(
    studio: Studio,
) -> None:
    blocked = Block(after_sending=True)
    studio.provider.script(blocked)
    task = asyncio.create_task(studio.run.execute(text_to_image()))
    await blocked.entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert path_of(studio) == [S.RESERVED, S.SUBMITTED, S.UNKNOWN]


async def test_variations_mark_the_operation_submitted_once(studio: Studio) -> None:
    await studio.run.execute(text_to_image(outputs=4))

    assert path_of(studio) == [S.RESERVED, S.SUBMITTED, S.SUCCEEDED]
