"""A caller cancelled: before sending, release and record; after sending, hold as unknown."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest
from fakes import FLAT_PRICE, Block, BlockingAssetStore, text_to_image

from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.quota import Counter
from imagestudio.domain.usage_record import Outcome

if TYPE_CHECKING:
    from conftest import Studio, StudioFactory


async def cancel_while_blocked(studio: Studio, blocked: Block) -> None:
    """Run an operation until the provider blocks, cancel its caller, expect CancelledError."""
    studio.provider.script(blocked)
    task = asyncio.create_task(studio.run.execute(text_to_image()))
    await blocked.entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_cancelling_before_sending_propagates_cancelled_error(studio: Studio) -> None:
    await cancel_while_blocked(studio, Block(after_sending=False))

    assert studio.provider.sent == 0


async def test_cancelling_before_sending_releases_the_reservation(studio: Studio) -> None:
    await cancel_while_blocked(studio, Block(after_sending=False))

    assert await studio.spend("ada") == Counter(used=0, held=0)
    await studio.assert_nothing_held("ada")
    await studio.assert_used_matches_ledger("ada")


async def test_cancelling_before_sending_records_a_cancelled_line_at_no_cost(
    studio: Studio,
) -> None:
    await cancel_while_blocked(studio, Block(after_sending=False))

    [line] = await studio.lines("ada")
    assert line.outcome is Outcome.CANCELLED
    assert (line.user_charge, line.provider_cost, line.outputs) == (0, 0, 0)


async def test_cancelling_before_sending_marks_the_operation_cancelled(studio: Studio) -> None:
    await cancel_while_blocked(studio, Block(after_sending=False))

    assert (await studio.only_operation()).status is OperationStatus.CANCELLED


async def test_cancelling_after_sending_propagates_and_marks_the_operation_unknown(
    studio: Studio,
) -> None:
    await cancel_while_blocked(studio, Block(after_sending=True))

    operation = await studio.only_operation()
    assert operation.status is OperationStatus.UNKNOWN
    assert studio.provider.sent == 1


async def test_cancelling_after_sending_keeps_the_reservation_held(studio: Studio) -> None:
    await cancel_while_blocked(studio, Block(after_sending=True))

    assert await studio.spend("ada") == Counter(used=0, held=FLAT_PRICE)
    assert await studio.counter("ada", "calls:image-generation") == Counter(used=0, held=1)


async def test_cancelling_after_sending_writes_no_ledger_line_yet(studio: Studio) -> None:
    await cancel_while_blocked(studio, Block(after_sending=True))

    assert await studio.lines("ada") == ()
    await studio.assert_used_matches_ledger("ada")


async def test_cancelling_while_the_output_is_stored_still_finishes_settling(
    make_studio: StudioFactory,
) -> None:
    # The provider already delivered (and billed): settling runs shielded to the end, so the
    # output is stored, charged once and recorded, though the caller sees CancelledError.
    studio: Studio = make_studio(assets=BlockingAssetStore)
    assert isinstance(studio.assets.content, BlockingAssetStore)
    task = asyncio.create_task(studio.run.execute(text_to_image()))
    await studio.assets.content.entered.wait()

    task.cancel()
    studio.assets.content.gate.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(20):  # let the shielded settlement finish its remaining steps
        await asyncio.sleep(0)

    assert (await studio.only_operation()).status is OperationStatus.SUCCEEDED
    assert await studio.spend("ada") == Counter(used=FLAT_PRICE, held=0)
    await studio.assert_used_matches_ledger("ada")
