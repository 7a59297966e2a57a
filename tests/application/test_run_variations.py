"""Variations: one provider call per `outputs_per_call`, each succeeding or failing on its own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakes import BATCH_PRICE, FLAT_PRICE, Fail, Filter, Succeed, text_to_image

from imagestudio.domain.errors import OutputFiltered, ProviderErrorKind
from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.quota import Counter
from imagestudio.domain.usage_record import Outcome

if TYPE_CHECKING:
    from conftest import Studio

GENERATION = QuotaCategory.IMAGE_GENERATION


async def test_four_variations_of_a_one_per_call_model_make_four_provider_calls(
    studio: Studio,
) -> None:
    result = (await studio.run.execute(text_to_image(outputs=4, seed=10))).unwrap()

    assert [job.outputs for job in studio.provider.jobs] == [1, 1, 1, 1]
    assert [job.seed for job in studio.provider.jobs] == [10, 11, 12, 13]
    assert len(result.assets) == 4
    assert result.charged == 4 * FLAT_PRICE


async def test_four_variations_of_a_four_per_call_model_make_one_provider_call(
    studio: Studio,
) -> None:
    result = (await studio.run.execute(text_to_image(model_id="acme-batch", outputs=4))).unwrap()

    [job] = studio.provider.jobs
    assert job.outputs == 4
    assert len(result.assets) == 4
    assert result.charged == 4 * BATCH_PRICE
    await studio.assert_used_matches_ledger("ada")


async def test_six_variations_of_a_four_per_call_model_make_two_calls(studio: Studio) -> None:
    await studio.run.execute(text_to_image(model_id="acme-batch", outputs=6))

    assert [job.outputs for job in studio.provider.jobs] == [4, 2]


async def test_a_failed_variation_is_not_charged_and_the_others_are(studio: Studio) -> None:
    studio.provider.script(Fail(ProviderErrorKind.UNAVAILABLE, "gpu fell over"))

    result = (await studio.run.execute(text_to_image(outputs=4))).unwrap()

    assert len(studio.provider.jobs) == 4
    assert len(result.assets) == 3
    assert result.charged == 3 * FLAT_PRICE
    assert len(result.failed_outputs) == 1
    assert "gpu fell over" in result.failed_outputs[0]


async def test_a_failed_variation_leaves_three_outputs_in_the_ledger_and_used(
    studio: Studio,
) -> None:
    studio.provider.script(Fail(detail="gpu fell over"))

    result = (await studio.run.execute(text_to_image(outputs=4))).unwrap()

    line = await studio.line_of(result.operation.id)
    assert line.outcome is Outcome.SUCCEEDED
    assert line.outputs == 3
    assert line.user_charge == line.provider_cost == 3 * FLAT_PRICE
    assert "gpu fell over" in line.reason
    assert await studio.calls("ada", GENERATION) == Counter(used=3, held=0)
    assert await studio.spend("ada") == Counter(used=3 * FLAT_PRICE, held=0)
    assert (await studio.operation(result.operation.id)).status is OperationStatus.SUCCEEDED
    assert len((await studio.operation(result.operation.id)).asset_ids) == 3
    await studio.assert_used_matches_ledger("ada")


async def test_a_filtered_variation_costs_us_but_not_the_user(studio: Studio) -> None:
    studio.provider.script(Filter("nsfw"))

    result = (await studio.run.execute(text_to_image(outputs=2))).unwrap()

    line = await studio.line_of(result.operation.id)
    assert result.charged == line.user_charge == FLAT_PRICE
    assert line.provider_cost == 2 * FLAT_PRICE
    assert len(result.failed_outputs) == 1
    await studio.assert_used_matches_ledger("ada")


async def test_a_failed_call_of_a_batch_model_reports_a_reason_for_each_lost_output(
    studio: Studio,
) -> None:
    # n=8 on a 4-per-call model is two calls; the second fails, so 4 outputs did not succeed.
    studio.provider.script(Succeed(), Fail(detail="gpu fell over"))

    result = (await studio.run.execute(text_to_image(model_id="acme-batch", outputs=8))).unwrap()

    assert len(result.assets) == 4
    assert result.charged == 4 * BATCH_PRICE
    assert len(result.failed_outputs) == 4


async def test_a_filtered_call_of_a_batch_model_keeps_the_cost_of_all_its_outputs(
    studio: Studio,
) -> None:
    studio.provider.script(Filter("nsfw"))

    result = await studio.run.execute(text_to_image(model_id="acme-batch", outputs=4))

    line = await studio.line_of(studio.operations.saved_ids[0])
    assert isinstance(result.failure(), OutputFiltered)
    assert line.user_charge == 0
    assert line.provider_cost == 4 * BATCH_PRICE
