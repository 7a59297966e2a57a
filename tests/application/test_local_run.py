"""The shared path of local operations ends one of three ways, each settled in one unit: done
(a zero-cost line, the asset with its lineage), input refused (released, no line) and output
lost (released, a line saying so). Nothing stays held whichever way it ends."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest
from fakes import FailingAssetStore, png_bytes
from returns.result import Failure, Result, Success

from imagestudio.adapters.images.pillow_processor import PillowImageProcessor
from imagestudio.application.money_path.local_run import RunLocalOperation
from imagestudio.application.ports.image_processor import ProcessedImage
from imagestudio.application.ports.image_workers import ImageWork
from imagestudio.application.requests import ImageInput
from imagestudio.domain.errors import InputProblem, InvalidInput, OutputLost
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.usage_record import Outcome

if TYPE_CHECKING:
    from conftest import Studio, StudioFactory

S = OperationStatus
OUTPUT = ProcessedImage(data=b"\x89PNG-output", media_type=MediaType.PNG, width=4, height=3)


def works(_: bytes) -> Result[ProcessedImage, InvalidInput]:
    return Success(OUTPUT)


def refuses(_: bytes) -> Result[ProcessedImage, InvalidInput]:
    return Failure(InvalidInput("image", "not an image this can read", InputProblem.INVALID))


async def compress(studio: Studio, work: ImageWork) -> object:
    local = RunLocalOperation(studio.ports, PillowImageProcessor())
    return await local.run(
        "ada", OperationKind.COMPRESS, ImageInput(data=png_bytes(8, 8)), work, {"quality": 80}
    )


async def test_done_writes_a_free_line_and_the_asset(studio: Studio) -> None:
    result = await compress(studio, works)

    assert isinstance(result, Success)
    done = result.unwrap()
    [asset] = done.assets
    assert (done.operation.status, done.charged, asset.size_bytes) == (S.SUCCEEDED, 0, 11)
    assert await studio.assets.content.get("ada", asset.id, MediaType.PNG) == OUTPUT.data
    [line] = await studio.lines("ada")
    assert (line.outcome, line.user_charge, line.provider_cost) == (Outcome.SUCCEEDED, 0, 0)
    await studio.assert_nothing_held("ada")


async def test_a_refused_input_is_released_with_no_line(studio: Studio) -> None:
    result = await compress(studio, refuses)

    assert isinstance(result, Failure) and isinstance(result.failure(), InvalidInput)
    operation = await studio.only_operation()
    assert (operation.status, operation.error) == (
        S.FAILED,
        "invalid image: not an image this can read",
    )
    assert await studio.lines("ada") == ()
    await studio.assert_nothing_held("ada")


async def test_an_output_that_cannot_be_stored_is_released_with_a_line_saying_so(
    make_studio: StudioFactory,
) -> None:
    studio = make_studio(assets=FailingAssetStore.always)

    result = await compress(studio, works)

    assert isinstance(result, Failure) and isinstance(result.failure(), OutputLost)
    assert (await studio.only_operation()).status is S.FAILED
    [line] = await studio.lines("ada")
    assert (line.outcome, line.user_charge) == (Outcome.OUTPUT_LOST, 0)
    assert "disk full" in (line.reason or "")
    await studio.assert_nothing_held("ada")


class Stalled:
    """Image workers whose work never ends, until the caller gives up on it."""

    def __init__(self) -> None:
        self.started = asyncio.Event()

    async def run(self, _: ImageWork, __: bytes) -> Result[ProcessedImage, InvalidInput]:
        self.started.set()
        await asyncio.Event().wait()
        raise AssertionError("never reached")


class Broken:
    """Image workers that cannot run anything (a broken pool, a fork refused)."""

    async def run(self, _: ImageWork, __: bytes) -> Result[ProcessedImage, InvalidInput]:
        raise RuntimeError("the worker pool is broken")


async def test_a_local_operation_cancelled_in_its_work_releases_its_call_at_once(
    studio: Studio,
) -> None:
    # Not left for the sweeper: a host that runs none (or a plan allowing one operation at a
    # time) would find the user refused as busy until the lease ran out and a sweep came.
    workers = Stalled()
    local = RunLocalOperation(studio.ports, PillowImageProcessor(), workers=workers)
    running = asyncio.create_task(
        local.run("ada", OperationKind.COMPRESS, ImageInput(data=png_bytes(8, 8)), works, {})
    )
    await workers.started.wait()

    running.cancel()

    with pytest.raises(asyncio.CancelledError):
        await running
    assert (await studio.only_operation()).status is S.CANCELLED
    assert await studio.lines("ada") == ()
    await studio.assert_nothing_held("ada")


async def test_a_local_operation_whose_workers_raise_is_released_and_the_error_told(
    studio: Studio,
) -> None:
    local = RunLocalOperation(studio.ports, PillowImageProcessor(), workers=Broken())

    with pytest.raises(RuntimeError, match="pool is broken"):
        await local.run("ada", OperationKind.COMPRESS, ImageInput(data=png_bytes(8, 8)), works, {})

    operation = await studio.only_operation()
    assert operation.status is S.FAILED
    assert operation.error == "RuntimeError: the worker pool is broken"
    assert await studio.lines("ada") == ()
    await studio.assert_nothing_held("ada")
