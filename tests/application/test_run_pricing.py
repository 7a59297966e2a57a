"""Reserved at the highest possible price, charged the actual one, never more than reserved."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from fakes import (
    FLAT_PRICE,
    UPSCALE_PER_MEGAPIXEL,
    VIDEO_PER_SECOND,
    Block,
    Succeed,
    image_request,
    png_bytes,
    text_to_image,
)

from imagestudio.application.requests import OperationRequest
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.quota import Counter
from imagestudio.domain.usage_record import Outcome

if TYPE_CHECKING:
    from conftest import Studio

K = OperationKind
PICTURE = png_bytes(128, 128)
ASKED = 512 * 512
ASKED_PRICE = round(UPSCALE_PER_MEGAPIXEL * ASKED / 1_000_000)  # 2621.44 → 2621


def upscale_4x() -> OperationRequest:
    return image_request(K.UPSCALE, "acme-upscale", PICTURE, parameters={"scale": 4})


async def test_a_per_megapixel_model_reserves_the_requested_size(studio: Studio) -> None:
    blocked = Block()
    studio.provider.script(blocked)
    task = asyncio.create_task(studio.run.execute(upscale_4x()))
    await blocked.entered.wait()

    assert await studio.spend("ada") == Counter(used=0, held=ASKED_PRICE)
    [job] = studio.provider.jobs
    assert (job.width, job.height) == (512, 512)
    blocked.release()
    await task


async def test_a_per_megapixel_model_charges_the_actual_smaller_output(studio: Studio) -> None:
    studio.provider.script(Succeed(size=(400, 400)))

    result = (await studio.run.execute(upscale_4x())).unwrap()

    actual = UPSCALE_PER_MEGAPIXEL * 400 * 400 // 1_000_000
    assert result.charged == actual == 1_600
    line = await studio.line_of(result.operation.id)
    assert line.user_charge == line.provider_cost == actual
    assert await studio.spend("ada") == Counter(used=actual, held=0)
    assert await studio.budget() == Counter(used=actual, held=0)
    await studio.assert_used_matches_ledger("ada")


async def test_the_charge_is_never_above_the_reservation(studio: Studio) -> None:
    studio.provider.script(Succeed(size=(600, 600)))

    result = (await studio.run.execute(upscale_4x())).unwrap()

    assert result.charged == ASKED_PRICE
    line = await studio.line_of(result.operation.id)
    assert line.user_charge == ASKED_PRICE
    assert line.provider_cost == UPSCALE_PER_MEGAPIXEL * 600 * 600 // 1_000_000
    assert await studio.spend("ada") == Counter(used=ASKED_PRICE, held=0)
    await studio.assert_used_matches_ledger("ada")


async def test_a_video_is_priced_per_second_at_its_resolution(studio: Studio) -> None:
    request = image_request(
        K.IMAGE_TO_VIDEO,
        "acme-video",
        PICTURE,
        parameters={"duration": 10, "resolution": "720p"},
    )

    result = (await studio.run.execute(request)).unwrap()

    assert result.charged == 10 * VIDEO_PER_SECOND["720p"]
    assert result.assets[0].duration_seconds == 10
    await studio.assert_used_matches_ledger("ada")


async def test_a_video_defaults_to_the_shortest_duration_and_first_resolution(
    studio: Studio,
) -> None:
    request = image_request(K.IMAGE_TO_VIDEO, "acme-video", PICTURE)

    result = (await studio.run.execute(request)).unwrap()

    assert result.charged == 5 * VIDEO_PER_SECOND["480p"]
    [job] = studio.provider.jobs
    assert (job.parameters["duration"], job.parameters["resolution"]) == (5, "480p")


async def test_variations_share_the_charge_across_their_assets(studio: Studio) -> None:
    result = (await studio.run.execute(text_to_image(outputs=3))).unwrap()

    assert [asset.cost for asset in result.assets] == [FLAT_PRICE] * 3
    assert sum(asset.cost for asset in result.assets) == result.charged


async def test_a_provider_returning_more_outputs_than_asked_still_settles_within_the_reservation(
    studio: Studio,
) -> None:
    studio.provider.script(Succeed(outputs=2))

    result = await studio.run.execute(text_to_image(outputs=1))

    assert result.unwrap().charged <= FLAT_PRICE
    [line] = await studio.lines("ada")
    assert line.outcome is Outcome.SUCCEEDED
    await studio.assert_nothing_held("ada")
    await studio.assert_used_matches_ledger("ada")


async def test_an_output_whose_size_the_provider_did_not_state_is_charged_at_its_measured_size(
    studio: Studio,
) -> None:
    studio.provider.script(Succeed(size=(400, 400), states_size=False))

    result = (await studio.run.execute(upscale_4x())).unwrap()

    assert result.charged == 1_600
