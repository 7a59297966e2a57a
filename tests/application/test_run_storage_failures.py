"""Storing the output fails after the provider succeeded: the user is not charged, we paid."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest
from fakes import FLAT_PRICE, FailingAssetStore, text_to_image

from imagestudio.domain.errors import OutputLost
from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.quota import Counter
from imagestudio.domain.usage_record import Outcome

if TYPE_CHECKING:
    from conftest import Studio, StudioFactory


async def test_a_store_that_keeps_failing_loses_the_output(make_studio: StudioFactory) -> None:
    studio: Studio = make_studio(assets=FailingAssetStore.always)

    error = (await studio.run.execute(text_to_image())).failure()

    assert isinstance(error, OutputLost)
    assert "disk full" in error.detail


async def test_a_lost_output_releases_the_reservation(make_studio: StudioFactory) -> None:
    studio: Studio = make_studio(assets=FailingAssetStore.always)

    await studio.run.execute(text_to_image())

    assert await studio.spend("ada") == Counter(used=0, held=0)
    await studio.assert_nothing_held("ada")
    await studio.assert_used_matches_ledger("ada")


async def test_a_lost_output_is_recorded_with_the_provider_cost_and_no_user_charge(
    make_studio: StudioFactory,
) -> None:
    studio: Studio = make_studio(assets=FailingAssetStore.always)

    await studio.run.execute(text_to_image())

    [line] = await studio.lines("ada")
    assert line.outcome is Outcome.OUTPUT_LOST
    assert line.user_charge == 0
    assert line.provider_cost == FLAT_PRICE
    assert "disk full" in line.reason


async def test_a_lost_output_marks_the_operation_failed(make_studio: StudioFactory) -> None:
    studio: Studio = make_studio(assets=FailingAssetStore.always)

    await studio.run.execute(text_to_image())

    operation = await studio.only_operation()
    assert operation.status is OperationStatus.FAILED
    assert operation.asset_ids == ()


async def test_each_save_is_retried_before_the_output_is_declared_lost(
    make_studio: StudioFactory,
) -> None:
    studio: Studio = make_studio(assets=FailingAssetStore.always)

    await studio.run.execute(text_to_image())

    assert isinstance(studio.assets.content, FailingAssetStore)
    assert studio.assets.content.save_calls == 3


async def test_when_the_second_of_two_saves_fails_the_first_asset_is_deleted(
    make_studio: StudioFactory,
) -> None:
    studio: Studio = make_studio(assets=lambda inner: FailingAssetStore.from_call(inner, 2))

    error = (await studio.run.execute(text_to_image(outputs=2))).failure()

    assert isinstance(error, OutputLost)
    # The first asset was saved (ast_000001) before the second failed three times.
    assert await studio.assets.describe("ada", "ast_000001") is None
    assert await studio.assets.describe("ada", "ast_000002") is None
    [line] = await studio.lines("ada")
    assert (line.outcome, line.user_charge, line.provider_cost) == (
        Outcome.OUTPUT_LOST,
        0,
        2 * FLAT_PRICE,
    )
    await studio.assert_nothing_held("ada")


async def test_a_transient_store_failure_is_retried_and_the_operation_succeeds(
    make_studio: StudioFactory,
) -> None:
    studio: Studio = make_studio(assets=lambda inner: FailingAssetStore.first_calls(inner, 1))

    result = (await studio.run.execute(text_to_image())).unwrap()

    [asset] = result.assets
    assert await studio.assets.describe("ada", asset.id) == asset
    assert result.charged == FLAT_PRICE
    assert (await studio.line_of(result.operation.id)).outcome is Outcome.SUCCEEDED
    await studio.assert_used_matches_ledger("ada")


async def test_storage_trouble_is_logged_in_one_line_per_attempt_naming_the_asset(
    make_studio: StudioFactory, caplog: pytest.LogCaptureFixture
) -> None:
    # A storage client's traceback (an S3 client's is dozens of lines) on every retry buried
    # the CLI's one error line; what failed, where and how is all an operator needs.
    studio: Studio = make_studio(assets=lambda inner: FailingAssetStore.first_calls(inner, 2))

    with caplog.at_level(logging.WARNING, logger="imagestudio.application.money_path"):
        result = (await studio.run.execute(text_to_image())).unwrap()

    [asset] = result.assets
    retries = [r for r in caplog.records if "retrying" in r.getMessage()]
    assert [r.getMessage() for r in retries] == [
        f"storing asset {asset.id} failed (attempt {n}: StorageDown: disk full on save {n}); "
        "retrying"
        for n in (1, 2)
    ]
    assert all(record.exc_info is None for record in caplog.records)
