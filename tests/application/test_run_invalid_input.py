"""Invalid input is refused with its field and problem before anything is written or called."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest
from fakes import (
    MODELS,
    encoded,
    image_request,
    noise_png,
    png_bytes,
    png_claiming,
    text_to_image,
)

from imagestudio.application.requests import ImageInput, OperationRequest
from imagestudio.domain.errors import InputProblem, InvalidInput
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.pricing import FlatPerOutput
from imagestudio.domain.seed import MAX_SEED

if TYPE_CHECKING:
    from conftest import Studio, StudioFactory

K = OperationKind
PICTURE = png_bytes(128, 128)


async def refusal(studio: Studio, request: OperationRequest) -> InvalidInput:
    """Run `request`, expect InvalidInput, and check that it left no trace."""
    error = (await studio.run.execute(request)).failure()
    assert isinstance(error, InvalidInput), error
    assert studio.provider.jobs == []
    assert studio.operations.saved_ids == []
    await studio.assert_nothing_spent(request.user_id)
    return error


def edit(*images: bytes, **changes: object) -> OperationRequest:
    return image_request(K.IMAGE_EDIT, "acme-edit", *images, **changes)


# The prompt.


async def test_a_prompt_longer_than_the_model_takes_is_too_large(studio: Studio) -> None:
    error = await refusal(studio, text_to_image(prompt="x" * 201))

    assert (error.field, error.problem) == ("prompt", InputProblem.TOO_LARGE)


async def test_text_to_image_without_a_prompt_is_invalid(studio: Studio) -> None:
    error = await refusal(studio, text_to_image(prompt="   "))

    assert (error.field, error.problem) == ("prompt", InputProblem.INVALID)


@pytest.mark.parametrize("prompt", ["a cat\x00", "a \ud800 cat"], ids=["nul", "lone-surrogate"])
async def test_a_prompt_no_database_can_store_is_refused_before_anything_is_spent(
    studio: Studio, prompt: str
) -> None:
    error = await refusal(studio, text_to_image(prompt=prompt))

    assert error.field == "prompt"
    assert studio.provider.jobs == []


async def test_a_text_parameter_longer_than_any_model_takes_is_too_large_and_costs_nothing(
    studio: Studio,
) -> None:
    error = await refusal(studio, text_to_image(parameters={"negative_prompt": "x" * 10_001}))

    assert (error.field, error.problem) == ("parameters.negative_prompt", InputProblem.TOO_LARGE)
    assert len(error.message) < 200  # the value is not echoed back


@pytest.mark.parametrize("value", ["a", 1, ["not", "a", "value"]], ids=["text", "number", "list"])
async def test_a_parameter_name_longer_than_any_parameters_is_refused_quoted_cut(
    studio: Studio, value: object
) -> None:
    """Its refusal named it in its field, whole: a 100,000-character name came back three times
    over HTTP and MCP (`field`, `detail`) and on the command line."""
    error = await refusal(studio, text_to_image(parameters={"n" * 100_000: value}))

    assert (error.field, error.problem) == ("parameters", InputProblem.INVALID)
    assert len(error.message) < 200


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
async def test_a_parameter_no_json_can_hold_is_refused_for_a_model_that_describes_none(
    studio: Studio, value: float
) -> None:
    """A model whose parameters the catalog does not describe passes any on: NaN or an infinity
    went to the provider (as JSON no parser takes) and into the operation's row."""
    error = await refusal(studio, text_to_image(parameters={"strength": value}))

    assert (error.field, error.problem) == ("parameters.strength", InputProblem.INVALID)


# Size and outputs.


async def test_a_width_above_the_models_largest_side_is_invalid(studio: Studio) -> None:
    error = await refusal(studio, text_to_image(width=2048, height=512))

    assert (error.field, error.problem) == ("size", InputProblem.INVALID)


async def test_a_height_below_the_models_smallest_side_is_invalid(studio: Studio) -> None:
    error = await refusal(studio, text_to_image(width=512, height=32))

    assert (error.field, error.problem) == ("size", InputProblem.INVALID)


async def test_a_width_without_a_height_is_invalid(studio: Studio) -> None:
    error = await refusal(studio, text_to_image(width=512))

    assert (error.field, error.problem) == ("size", InputProblem.INVALID)


async def test_zero_outputs_is_invalid(studio: Studio) -> None:
    error = await refusal(studio, text_to_image(outputs=0))

    assert error.field == "outputs"


async def test_eleven_outputs_is_invalid(studio: Studio) -> None:
    error = await refusal(studio, text_to_image(outputs=11))

    assert error.field == "outputs"


async def test_a_negative_seed_is_invalid(studio: Studio) -> None:
    error = await refusal(studio, text_to_image(seed=-1))

    assert error.field == "seed"


@pytest.mark.parametrize(
    ("seed", "outputs"), [(MAX_SEED + 1, 1), (2**64, 1), (MAX_SEED, 2), (MAX_SEED - 2, 4)]
)
async def test_a_seed_past_what_every_provider_takes_is_invalid(
    studio: Studio, seed: int, outputs: int
) -> None:
    # WaveSpeed takes seeds up to 2**31 - 1; each call of a request takes the next seed.
    error = await refusal(studio, text_to_image(seed=seed, outputs=outputs))

    assert (error.field, error.problem) == ("seed", InputProblem.INVALID)
    assert f"from 0 to {MAX_SEED - (outputs - 1)}" in error.reason


@pytest.mark.parametrize(("model", "outputs"), [("acme-flat", 1), ("acme-batch", 4)])
async def test_the_last_seed_every_provider_takes_runs(
    studio: Studio, model: str, outputs: int
) -> None:
    request = text_to_image(model_id=model, seed=MAX_SEED, outputs=outputs)
    assert (await studio.run.execute(request)).unwrap()
    assert [job.seed for job in studio.provider.jobs] == [MAX_SEED]  # one call of up to four


# Input images.


async def test_bytes_that_are_not_an_image_are_invalid(studio: Studio) -> None:
    error = await refusal(studio, edit(b"definitely not a picture"))

    assert (error.field, error.problem) == ("images[0]", InputProblem.INVALID)


async def test_a_truncated_image_is_invalid(studio: Studio) -> None:
    error = await refusal(studio, edit(PICTURE[: len(PICTURE) // 2]))

    assert (error.field, error.problem) == ("images[0]", InputProblem.INVALID)


async def test_an_image_over_the_models_byte_limit_is_too_large(studio: Studio) -> None:
    error = await refusal(studio, edit(noise_png(256, 256)))

    assert (error.field, error.problem) == ("images[0]", InputProblem.TOO_LARGE)


async def test_a_decompression_bomb_is_too_large(studio: Studio) -> None:
    error = await refusal(studio, edit(png_claiming(5000, 5000)))

    assert (error.field, error.problem) == ("images[0]", InputProblem.TOO_LARGE)


async def test_a_gif_is_an_unsupported_format(studio: Studio) -> None:
    error = await refusal(studio, edit(encoded(128, 128, "GIF")))

    assert (error.field, error.problem) == ("images[0]", InputProblem.UNSUPPORTED_FORMAT)


async def test_an_image_smaller_than_the_models_smallest_side_is_invalid(studio: Studio) -> None:
    error = await refusal(studio, edit(png_bytes(32, 32)))

    assert (error.field, error.problem) == ("images[0]", InputProblem.INVALID)


async def test_a_bad_second_image_is_named_by_its_position(studio: Studio) -> None:
    request = image_request(K.FACE_SWAP, "acme-faceswap", PICTURE, b"junk", prompt="")

    error = await refusal(studio, request)

    assert error.field == "images[1]"


async def test_an_edit_without_an_image_is_invalid(studio: Studio) -> None:
    error = await refusal(studio, edit())

    assert error.field == "images"


async def test_a_face_swap_with_one_image_is_invalid(studio: Studio) -> None:
    request = image_request(K.FACE_SWAP, "acme-faceswap", PICTURE, prompt="")

    error = await refusal(studio, request)

    assert error.field == "images"


async def test_text_to_image_with_an_input_image_is_invalid(studio: Studio) -> None:
    error = await refusal(studio, text_to_image(images=(ImageInput(data=PICTURE),)))

    assert error.field == "images"


# Options of the kind.


async def test_an_edit_mode_the_model_does_not_offer_is_invalid(studio: Studio) -> None:
    error = await refusal(studio, edit(PICTURE, parameters={"mode": "teleport"}))

    assert error.field == "mode"


async def test_an_upscale_past_the_models_output_pixels_is_too_large(studio: Studio) -> None:
    request = image_request(K.UPSCALE, "acme-upscale", PICTURE, parameters={"scale": 16})

    error = await refusal(studio, request)

    assert (error.field, error.problem) == ("scale", InputProblem.TOO_LARGE)


async def test_a_video_duration_the_model_does_not_offer_is_invalid(studio: Studio) -> None:
    request = image_request(K.IMAGE_TO_VIDEO, "acme-video", PICTURE, parameters={"duration": 7})

    error = await refusal(studio, request)

    assert error.field == "duration"


async def test_a_video_resolution_the_model_does_not_offer_is_invalid(studio: Studio) -> None:
    request = image_request(
        K.IMAGE_TO_VIDEO, "acme-video", PICTURE, parameters={"resolution": "4k"}
    )

    error = await refusal(studio, request)

    assert error.field == "resolution"


async def test_an_outpaint_growing_past_the_models_largest_side_is_invalid(
    studio: Studio,
) -> None:
    request = edit(PICTURE, parameters={"mode": "outpaint", "left": 2000})

    error = await refusal(studio, request)

    assert error.field == "size"


async def test_an_upscale_target_wider_than_the_models_largest_side_is_invalid(
    studio: Studio,
) -> None:
    request = image_request(K.UPSCALE, "acme-upscale", PICTURE, width=4000, height=200)

    error = await refusal(studio, request)

    assert error.field == "size"


# Fields a model requires (the catalog's `requires`).

GUIDED = replace(
    next(model for model in MODELS if model.id == "acme-upscale"),
    id="acme-upscale-guided",
    requires=frozenset({"prompt", "detail"}),
    pricing=FlatPerOutput(1),  # the cheapest upscale: `auto` tries it first
)


def guided(**changes: object) -> OperationRequest:
    fields: dict[str, object] = {"parameters": {"detail": "fine"}}
    fields.update(changes)
    model_id = str(fields.pop("model_id", GUIDED.id))
    return image_request(K.UPSCALE, model_id, PICTURE, **fields)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"prompt": ""}, "prompt"),
        ({"prompt": "   "}, "prompt"),
        ({"parameters": {}}, "parameters.detail"),
        ({"parameters": {"detail": " "}}, "parameters.detail"),
        ({"parameters": {"detail": "fine", "prompt": "sharper"}}, "parameters.prompt"),
    ],
    ids=["no-prompt", "blank-prompt", "no-parameter", "blank-parameter", "prompt-as-parameter"],
)
async def test_a_field_the_model_requires_is_refused_by_name_before_anything_is_held(
    make_studio: StudioFactory, changes: dict[str, object], field: str
) -> None:
    studio = make_studio(models=(*MODELS, GUIDED))

    error = await refusal(studio, guided(**changes))

    assert error.field == field
    assert GUIDED.id in error.reason or field == "parameters.prompt"


async def test_with_every_required_field_the_model_runs(make_studio: StudioFactory) -> None:
    studio = make_studio(models=(*MODELS, GUIDED))

    done = (await studio.run.execute(guided())).unwrap()

    assert [job.model.id for job in studio.provider.jobs] == [GUIDED.id]
    assert done.assets


async def test_auto_passes_over_a_model_whose_required_fields_are_missing(
    make_studio: StudioFactory,
) -> None:
    studio = make_studio(models=(*MODELS, GUIDED))

    (await studio.run.execute(guided(model_id="auto"))).unwrap()
    (await studio.run.execute(guided(model_id="auto", parameters={}))).unwrap()

    assert [job.model.id for job in studio.provider.jobs] == [GUIDED.id, "acme-upscale"]


# A size the output would not have.


async def test_an_edit_asked_for_another_size_than_its_inputs_is_refused(studio: Studio) -> None:
    error = await refusal(studio, edit(PICTURE, width=256, height=256))

    assert error.field == "size" and "128x128" in error.reason


async def test_an_edit_asked_for_its_inputs_own_size_runs(studio: Studio) -> None:
    done = await studio.run.execute(edit(PICTURE, width=128, height=128))

    assert done.unwrap().operation.output_size == (128, 128)
