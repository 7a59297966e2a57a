"""A stored asset can be the input of a later operation, but only for its owner."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakes import EDIT_PRICE, FLAT_PRICE, png_bytes, text_to_image

from imagestudio.application.requests import ImageInput
from imagestudio.application.use_cases.edit import EditRequest
from imagestudio.domain.errors import AssetNotFound
from imagestudio.domain.operation import OperationStatus

if TYPE_CHECKING:
    from conftest import Studio


async def test_an_owner_can_edit_an_asset_from_a_previous_operation(studio: Studio) -> None:
    generated = (await studio.run.execute(text_to_image(width=256, height=128))).unwrap()
    [asset] = generated.assets

    edited = (
        await studio.edit.execute(
            EditRequest(
                user_id="ada",
                image=ImageInput(asset_id=asset.id),
                prompt="add a boat",
                model_id="acme-edit",
            )
        )
    ).unwrap()

    job = studio.provider.jobs[-1]
    assert job.inputs[0].data == png_bytes(256, 128)
    assert (job.inputs[0].width, job.inputs[0].height) == (256, 128)
    assert edited.operation.input_asset_ids == (asset.id,)
    assert edited.operation.status is OperationStatus.SUCCEEDED
    assert edited.charged == EDIT_PRICE
    await studio.assert_used_matches_ledger("ada")


async def test_another_users_asset_is_not_found_and_nothing_is_spent(studio: Studio) -> None:
    [asset] = (await studio.run.execute(text_to_image("ada"))).unwrap().assets

    error = (
        await studio.edit.execute(
            EditRequest(
                user_id="bob",
                image=ImageInput(asset_id=asset.id),
                prompt="steal it",
                model_id="acme-edit",
            )
        )
    ).failure()

    assert error == AssetNotFound(asset.id)
    assert len(studio.provider.jobs) == 1
    assert len(studio.operations.saved_ids) == 1
    await studio.assert_nothing_spent("bob")
    assert (await studio.budget()).used == FLAT_PRICE


async def test_an_asset_id_that_does_not_exist_is_not_found(studio: Studio) -> None:
    error = (
        await studio.edit.execute(
            EditRequest(
                user_id="ada",
                image=ImageInput(asset_id="ast_missing"),
                prompt="anything",
                model_id="acme-edit",
            )
        )
    ).failure()

    assert error == AssetNotFound("ast_missing")
    assert studio.provider.jobs == []
    assert studio.operations.saved_ids == []
