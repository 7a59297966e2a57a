"""A successful operation: stored, charged its catalog price, recorded once, committed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakes import FLAT_PRICE, PERIOD, png_bytes, text_to_image
from returns.result import Success

from imagestudio.domain.media import MediaType
from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.quota import Counter
from imagestudio.domain.usage_record import Outcome

if TYPE_CHECKING:
    from conftest import Studio

GENERATION = QuotaCategory.IMAGE_GENERATION


async def test_a_success_returns_the_stored_asset_with_the_providers_bytes(studio: Studio) -> None:
    result = (await studio.run.execute(text_to_image(width=256, height=128))).unwrap()

    [asset] = result.assets
    stored = await studio.assets.load("ada", asset.id)
    assert stored is not None
    assert stored[1] == png_bytes(256, 128)
    assert (asset.owner, asset.media_type, asset.width, asset.height) == (
        "ada",
        MediaType.PNG,
        256,
        128,
    )
    assert asset.size_bytes == len(png_bytes(256, 128))


async def test_a_success_charges_the_catalog_price(studio: Studio) -> None:
    result = (await studio.run.execute(text_to_image())).unwrap()

    assert result.charged == FLAT_PRICE
    assert result.assets[0].cost == FLAT_PRICE
    assert result.failed_outputs == ()


async def test_a_success_writes_one_ledger_line_charging_what_the_provider_cost(
    studio: Studio,
) -> None:
    result = (await studio.run.execute(text_to_image())).unwrap()

    [line] = await studio.lines("ada")
    assert line.operation_id == result.operation.id
    assert line.outcome is Outcome.SUCCEEDED
    assert line.user_charge == line.provider_cost == FLAT_PRICE
    assert line.outputs == 1
    assert line.billing_period == PERIOD
    assert line.output_bytes == result.assets[0].size_bytes
    assert (line.model_id, line.provider) == ("acme-flat", "acme")


async def test_a_success_moves_the_reservation_from_held_to_used(studio: Studio) -> None:
    await studio.run.execute(text_to_image())

    assert await studio.spend("ada") == Counter(used=FLAT_PRICE, held=0)
    assert await studio.calls("ada", GENERATION) == Counter(used=1, held=0)
    assert await studio.counter("ada", "concurrency") == Counter(used=0, held=0)
    assert await studio.budget() == Counter(used=FLAT_PRICE, held=0)
    await studio.assert_used_matches_ledger("ada")


async def test_a_success_marks_the_operation_succeeded_with_its_asset_ids(studio: Studio) -> None:
    result = (await studio.run.execute(text_to_image())).unwrap()

    operation = await studio.operation(result.operation.id)
    assert operation == result.operation
    assert operation.status is OperationStatus.SUCCEEDED
    assert operation.asset_ids == tuple(asset.id for asset in result.assets)
    assert operation.charged == FLAT_PRICE
    assert operation.provider_task_ids == ("acme-task-1",)
    assert operation.reservation_id is not None


async def test_a_success_calls_the_provider_once_with_the_requested_job(studio: Studio) -> None:
    await studio.run.execute(text_to_image(width=320, height=192, seed=7))

    [job] = studio.provider.jobs
    assert (job.model.id, job.prompt, job.width, job.height, job.outputs, job.seed) == (
        "acme-flat",
        "a lighthouse at dusk",
        320,
        192,
        1,
        7,
    )


async def test_successive_successes_add_up_in_used(studio: Studio) -> None:
    for _ in range(3):
        assert isinstance(await studio.run.execute(text_to_image()), Success)

    assert await studio.spend("ada") == Counter(used=3 * FLAT_PRICE, held=0)
    assert len(await studio.lines("ada")) == 3
    await studio.assert_used_matches_ledger("ada")
