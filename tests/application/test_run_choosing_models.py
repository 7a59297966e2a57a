"""Which model runs: the one named, or the cheapest configured; a wrong choice leaves no state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakes import (
    EDIT_LITE_PRICE,
    EDIT_PRICE,
    FLAT_PRICE,
    ScriptedProvider,
    image_request,
    png_bytes,
    text_to_image,
)

from imagestudio.domain.errors import (
    InvalidInput,
    ProviderNotConfigured,
    UnknownModel,
    UnsupportedKind,
)
from imagestudio.domain.operation_kind import OperationKind

if TYPE_CHECKING:
    from conftest import Studio, StudioFactory


async def assert_no_state(studio: Studio) -> None:
    assert studio.provider.jobs == []
    assert studio.operations.saved_ids == []
    await studio.assert_nothing_spent("ada")


async def test_an_unknown_model_is_refused_before_anything_is_written(studio: Studio) -> None:
    error = (await studio.run.execute(text_to_image(model_id="acme-nope"))).failure()

    assert error == UnknownModel("acme-nope")
    await assert_no_state(studio)


async def test_a_model_that_cannot_do_the_kind_is_refused_before_anything_is_written(
    studio: Studio,
) -> None:
    error = (await studio.run.execute(text_to_image(model_id="acme-edit"))).failure()

    assert error == UnsupportedKind("acme-edit", "text-to-image")
    await assert_no_state(studio)


async def test_a_model_whose_provider_is_not_configured_is_refused_before_anything_is_written(
    studio: Studio,
) -> None:
    error = (await studio.run.execute(text_to_image(model_id="ghost-cheap"))).failure()

    assert error == ProviderNotConfigured("ghost", "ghost-cheap")
    await assert_no_state(studio)


async def test_no_model_id_picks_the_cheapest_configured_model_for_the_kind(
    studio: Studio,
) -> None:
    # ghost-cheap is cheaper, but its provider is not configured.
    result = (await studio.run.execute(text_to_image(model_id=None))).unwrap()

    assert result.operation.model_id == "acme-flat"
    assert [job.model.id for job in studio.provider.jobs] == ["acme-flat"]
    assert result.charged == FLAT_PRICE


async def test_auto_picks_the_cheapest_configured_model_for_the_kind(studio: Studio) -> None:
    result = (await studio.run.execute(text_to_image(model_id="auto"))).unwrap()

    assert result.operation.model_id == "acme-flat"


async def test_auto_with_no_configured_model_for_the_kind_is_unsupported(
    make_studio: StudioFactory,
) -> None:
    studio: Studio = make_studio(provider=ScriptedProvider("elsewhere"))

    error = (await studio.run.execute(text_to_image(model_id="auto"))).failure()

    assert error == UnsupportedKind("auto", "text-to-image")
    await assert_no_state(studio)


async def test_auto_picks_the_cheapest_configured_model_offering_the_mode(studio: Studio) -> None:
    request = image_request(
        OperationKind.IMAGE_EDIT, "auto", png_bytes(128, 128), parameters={"mode": "erase"}
    )

    result = (await studio.run.execute(request)).unwrap()

    # acme-edit-lite is cheaper but cannot erase.
    assert result.operation.model_id == "acme-edit"
    assert result.charged == EDIT_PRICE


async def test_auto_with_a_mode_no_model_offers_names_the_mode_and_the_modes_there_are(
    studio: Studio,
) -> None:
    request = image_request(
        OperationKind.IMAGE_EDIT, "auto", png_bytes(128, 128), parameters={"mode": "nightify"}
    )

    error = (await studio.run.execute(request)).failure()

    assert isinstance(error, InvalidInput)
    assert error.field == "mode"
    assert error.reason.startswith("'nightify' is not one of ")
    assert "erase" in error.reason
    await assert_no_state(studio)


async def test_auto_without_a_mode_picks_the_cheapest_model_for_the_kind(studio: Studio) -> None:
    request = image_request(OperationKind.IMAGE_EDIT, None, png_bytes(128, 128))

    result = (await studio.run.execute(request)).unwrap()

    assert result.operation.model_id == "acme-edit-lite"
    assert result.charged == EDIT_LITE_PRICE


async def test_a_local_kind_sent_to_the_money_path_points_to_its_own_command(
    studio: Studio,
) -> None:
    result = await studio.run.execute(text_to_image(kind=OperationKind.COMPRESS, model_id=None))

    error = result.failure()
    assert isinstance(error, UnsupportedKind)
    assert "imagestudio compress" in error.message and "/v1/local/compress" in error.message
    await studio.assert_nothing_spent("ada")
