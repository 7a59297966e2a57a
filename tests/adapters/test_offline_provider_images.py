"""The offline provider's image operations: edits, upscaling, control and face swap."""

from __future__ import annotations

import colorsys
import io

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat

from imagestudio.adapters.offline_provider import OfflineProvider
from imagestudio.application.ports.provider import (
    InputImage,
    ProviderJob,
    ProviderOutcome,
    ProviderSuccess,
)
from imagestudio.domain.errors import ProviderErrorKind, ProviderFailed
from imagestudio.domain.media import MediaType
from imagestudio.domain.model import InputLimits, Model
from imagestudio.domain.operation import ParameterValue
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.pricing import FlatPerOutput

GREY = (200, 200, 200)
RED = (220, 30, 30)
SIZE = (160, 120)
DISC = (55, 35, 105, 85)


class SilentReport:
    async def sending(self, task_id: str | None = None) -> None:
        pass

    async def accepted(self, task_id: str) -> None:
        pass

    def progressed(self, detail: str) -> None:
        del detail


def encoded(image: Image.Image, role: str = "image") -> InputImage:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return InputImage(
        data=buffer.getvalue(),
        media_type=MediaType.PNG,
        width=image.width,
        height=image.height,
        role=role,
    )


def red_disc_on_grey() -> Image.Image:
    image = Image.new("RGB", SIZE, GREY)
    ImageDraw.Draw(image).ellipse(DISC, fill=RED)
    return image


def job(
    kind: OperationKind,
    *inputs: InputImage,
    output: MediaType = MediaType.PNG,
    limits: InputLimits | None = None,
    size: tuple[int, int] = SIZE,
    prompt: str = "a field of sunflowers",
    **parameters: ParameterValue,
) -> ProviderJob:
    model = Model(
        id="offline-test",
        provider="offline",
        provider_path="offline/test",
        kinds=frozenset({kind}),
        pricing=FlatPerOutput(0),
        output=output,
        limits=limits or InputLimits(),
    )
    return ProviderJob(
        model=model,
        kind=kind,
        prompt=prompt,
        inputs=inputs or (encoded(red_disc_on_grey()),),
        width=size[0],
        height=size[1],
        outputs=1,
        seed=3,
        parameters=parameters,
    )


async def outcome_of(given: ProviderJob) -> ProviderOutcome:
    return await OfflineProvider().run(given, SilentReport())


async def image_of(given: ProviderJob) -> Image.Image:
    outcome = await outcome_of(given)
    assert isinstance(outcome, ProviderSuccess), outcome
    [artifact] = outcome.artifacts
    image = Image.open(io.BytesIO(artifact.data))
    image.load()
    assert (artifact.width, artifact.height) == image.size
    return image


async def failure_of(given: ProviderJob) -> ProviderFailed:
    outcome = await outcome_of(given)
    assert isinstance(outcome, ProviderFailed), outcome
    return outcome


def changed(first: Image.Image, second: Image.Image) -> bool:
    if first.size != second.size:
        return True
    difference = ImageChops.difference(first.convert("RGBA"), second.convert("RGBA"))
    return difference.getbbox(alpha_only=False) is not None


def hue_of(colour: tuple[int, ...]) -> float:
    red, green, blue = (channel / 255 for channel in colour[:3])
    return colorsys.rgb_to_hsv(red, green, blue)[0]


def close(first: tuple[int, ...], second: tuple[int, ...], tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(first, second, strict=False))


EDIT_MODES = [
    "general",
    "erase",
    "inpaint",
    "outpaint",
    "search-and-replace",
    "search-and-recolor",
    "remove-background",
    "replace-background-and-relight",
]


@pytest.mark.parametrize("mode", EDIT_MODES)
async def test_every_edit_mode_changes_the_image(mode: str) -> None:
    edited = await image_of(job(OperationKind.IMAGE_EDIT, mode=mode))

    assert changed(edited, red_disc_on_grey())


@pytest.mark.parametrize("mode", [mode for mode in EDIT_MODES if mode != "outpaint"])
async def test_edits_other_than_outpaint_keep_the_input_size(mode: str) -> None:
    edited = await image_of(job(OperationKind.IMAGE_EDIT, mode=mode))

    assert edited.size == SIZE


async def test_an_edit_without_a_mode_is_a_general_edit() -> None:
    unnamed = await image_of(job(OperationKind.IMAGE_EDIT))
    general = await image_of(job(OperationKind.IMAGE_EDIT, mode="general"))

    assert not changed(unnamed, general)


async def test_the_general_edit_depends_on_the_prompt() -> None:
    warm = await image_of(job(OperationKind.IMAGE_EDIT, prompt="warm"))
    cold = await image_of(job(OperationKind.IMAGE_EDIT, prompt="cold"))

    assert changed(warm, cold)


async def test_an_unknown_edit_mode_fails_as_invalid_input() -> None:
    failure = await failure_of(job(OperationKind.IMAGE_EDIT, mode="levitate"))

    assert failure.kind is ProviderErrorKind.INVALID_INPUT
    assert "mode" in failure.detail


async def test_erase_fills_the_masked_subject_from_its_surroundings() -> None:
    mask = Image.new("L", SIZE, 0)
    ImageDraw.Draw(mask).ellipse((50, 30, 110, 90), fill=255)

    erased = await image_of(
        job(
            OperationKind.IMAGE_EDIT,
            encoded(red_disc_on_grey()),
            encoded(mask, "mask"),
            mode="erase",
        )
    )

    assert close(erased.getpixel((80, 60)), GREY, tolerance=30)
    assert erased.getpixel((5, 5)) == GREY


async def test_inpaint_changes_the_masked_area_only() -> None:
    mask = Image.new("L", SIZE, 0)
    mask.paste(255, (10, 10, 50, 50))
    original = red_disc_on_grey()

    painted = await image_of(
        job(OperationKind.IMAGE_EDIT, encoded(original), encoded(mask, "mask"), mode="inpaint")
    )

    assert changed(painted.crop((15, 15, 45, 45)), original.crop((15, 15, 45, 45)))
    assert not changed(painted.crop((60, 60, 160, 120)), original.crop((60, 60, 160, 120)))


async def test_an_empty_mask_fails_as_invalid_input() -> None:
    empty = Image.new("L", SIZE, 0)

    failure = await failure_of(
        job(
            OperationKind.IMAGE_EDIT,
            encoded(red_disc_on_grey()),
            encoded(empty, "mask"),
            mode="erase",
        )
    )

    assert failure.kind is ProviderErrorKind.INVALID_INPUT


async def test_outpaint_grows_the_canvas_by_128_on_each_side_by_default() -> None:
    grown = await image_of(job(OperationKind.IMAGE_EDIT, mode="outpaint"))

    assert grown.size == (160 + 256, 120 + 256)


async def test_outpaint_grows_each_side_by_its_parameter_and_keeps_the_original() -> None:
    original = red_disc_on_grey()

    grown = await image_of(
        job(OperationKind.IMAGE_EDIT, mode="outpaint", left=10, right=0, up=20, down=30)
    )

    assert grown.size == (170, 170)
    assert not changed(grown.convert("RGB").crop((10, 20, 170, 140)), original)


async def test_outpaint_continues_the_edges_outward() -> None:
    grown = await image_of(job(OperationKind.IMAGE_EDIT, mode="outpaint"))

    assert close(grown.getpixel((2, 2)), GREY)


async def test_outpaint_past_the_models_limits_fails_as_invalid_input() -> None:
    small = InputLimits(max_output_pixels=200 * 200)

    failure = await failure_of(job(OperationKind.IMAGE_EDIT, mode="outpaint", limits=small))

    assert failure.kind is ProviderErrorKind.INVALID_INPUT


async def test_outpaint_with_a_negative_side_fails_as_invalid_input() -> None:
    failure = await failure_of(job(OperationKind.IMAGE_EDIT, mode="outpaint", left=-5))

    assert failure.kind is ProviderErrorKind.INVALID_INPUT


async def test_remove_background_makes_the_background_transparent_and_keeps_the_subject() -> None:
    cut_out = await image_of(job(OperationKind.IMAGE_EDIT, mode="remove-background"))

    assert cut_out.mode == "RGBA"
    assert cut_out.getpixel((3, 3))[3] == 0
    assert cut_out.getpixel((80, 60)) == (*RED, 255)


async def test_remove_background_into_jpeg_is_flattened_onto_white() -> None:
    flat = await image_of(
        job(OperationKind.IMAGE_EDIT, mode="remove-background", output=MediaType.JPEG)
    )

    assert (flat.format, flat.mode) == ("JPEG", "RGB")
    assert close(flat.getpixel((3, 3)), (255, 255, 255), tolerance=4)


async def test_remove_background_into_webp_keeps_the_transparency() -> None:
    cut_out = await image_of(
        job(OperationKind.IMAGE_EDIT, mode="remove-background", output=MediaType.WEBP)
    )

    assert cut_out.format == "WEBP"
    assert cut_out.convert("RGBA").getpixel((3, 3))[3] == 0


async def test_search_and_recolor_shifts_the_subjects_hue_and_not_the_background() -> None:
    recoloured = await image_of(
        job(OperationKind.IMAGE_EDIT, mode="search-and-recolor", hue_shift=120)
    )

    assert abs(hue_of(recoloured.getpixel((80, 60))) - 1 / 3) < 0.03
    assert recoloured.getpixel((3, 3)) == GREY


async def test_search_and_replace_replaces_the_subject_and_not_the_background() -> None:
    replaced = await image_of(job(OperationKind.IMAGE_EDIT, mode="search-and-replace"))

    assert not close(replaced.getpixel((80, 60)), RED)
    assert replaced.getpixel((3, 3)) == GREY


async def test_replace_background_keeps_the_subject_on_a_new_background() -> None:
    relit = await image_of(job(OperationKind.IMAGE_EDIT, mode="replace-background-and-relight"))

    assert hue_of(relit.getpixel((80, 60))) < 0.05 or hue_of(relit.getpixel((80, 60))) > 0.95
    assert not close(relit.getpixel((3, 60)), GREY)


async def test_relighting_from_above_brightens_the_top() -> None:
    relit = await image_of(
        job(OperationKind.IMAGE_EDIT, mode="replace-background-and-relight", light_source="above")
    )
    top, bottom = relit.crop((0, 0, 160, 20)), relit.crop((0, 100, 160, 120))

    assert sum(ImageStat.Stat(top).mean) > sum(ImageStat.Stat(bottom).mean)


async def test_upscale_doubles_the_size_by_default() -> None:
    larger = await image_of(job(OperationKind.UPSCALE))

    assert larger.size == (320, 240)


async def test_upscale_multiplies_by_the_scale_parameter() -> None:
    larger = await image_of(job(OperationKind.UPSCALE, scale=3))

    assert larger.size == (480, 360)


async def test_upscale_resizes_to_the_jobs_size_when_it_differs_from_the_input() -> None:
    larger = await image_of(job(OperationKind.UPSCALE, size=(400, 300)))

    assert larger.size == (400, 300)


async def test_a_job_size_other_than_the_inputs_takes_precedence_over_scale() -> None:
    larger = await image_of(job(OperationKind.UPSCALE, size=(400, 300), scale=4))

    assert larger.size == (400, 300)


async def test_upscale_keeps_the_picture() -> None:
    larger = await image_of(job(OperationKind.UPSCALE))

    assert larger.getpixel((160, 120)) == RED
    assert larger.getpixel((4, 4)) == GREY


async def test_upscale_is_clamped_to_the_models_largest_output() -> None:
    limits = InputLimits(max_output_pixels=240 * 180)

    clamped = await image_of(job(OperationKind.UPSCALE, limits=limits, scale=4))

    assert clamped.width * clamped.height <= 240 * 180
    assert clamped.width > 160
    assert abs(clamped.width / clamped.height - 4 / 3) < 0.02


async def test_upscale_that_the_limits_leave_no_room_for_fails_as_invalid_input() -> None:
    limits = InputLimits(max_output_pixels=160 * 120)

    failure = await failure_of(job(OperationKind.UPSCALE, limits=limits))

    assert failure.kind is ProviderErrorKind.INVALID_INPUT


async def test_upscale_keeps_transparency() -> None:
    see_through = Image.new("RGBA", SIZE, (0, 0, 0, 0))
    ImageDraw.Draw(see_through).ellipse(DISC, fill=(*RED, 255))

    larger = await image_of(job(OperationKind.UPSCALE, encoded(see_through)))

    assert larger.mode == "RGBA"
    assert larger.getpixel((2, 2))[3] == 0


CONTROL_MODES = ["sketch", "structure", "style", "style-transfer"]


@pytest.mark.parametrize("mode", CONTROL_MODES)
async def test_every_control_mode_gives_a_new_image_of_the_inputs_size(mode: str) -> None:
    style = Image.new("RGB", (40, 40), (20, 60, 200))
    controlled = await image_of(
        job(OperationKind.CONTROL, encoded(red_disc_on_grey()), encoded(style, "style"), mode=mode)
    )

    assert controlled.size == SIZE
    assert changed(controlled, red_disc_on_grey())


async def test_sketch_draws_the_inputs_outline() -> None:
    sketch = (await image_of(job(OperationKind.CONTROL, mode="sketch"))).convert("L")

    darkest_on_the_outline = sketch.crop((DISC[0] - 4, 56, DISC[0] + 4, 64)).getextrema()[0]
    inside, outside = sketch.getpixel((80, 60)), sketch.getpixel((20, 60))
    assert isinstance(inside, int)
    assert isinstance(outside, int)
    assert darkest_on_the_outline < inside - 40
    assert darkest_on_the_outline < outside - 40


async def test_sketch_colours_depend_on_the_prompt() -> None:
    first = await image_of(job(OperationKind.CONTROL, mode="sketch", prompt="ink"))
    second = await image_of(job(OperationKind.CONTROL, mode="sketch", prompt="chalk"))

    assert changed(first, second)


async def test_style_paints_with_a_small_palette() -> None:
    styled = await image_of(job(OperationKind.CONTROL, mode="style"))

    colours = styled.convert("RGB").getcolors(maxcolors=256)
    assert colours is not None
    assert len(colours) <= 8


async def test_style_transfer_moves_the_colours_toward_the_style_image() -> None:
    blue = Image.new("RGB", (40, 40), (20, 60, 200))
    ImageDraw.Draw(blue).rectangle((0, 0, 20, 20), fill=(40, 90, 230))

    styled = await image_of(
        job(
            OperationKind.CONTROL,
            encoded(red_disc_on_grey()),
            encoded(blue, "style"),
            mode="style-transfer",
        )
    )

    red, _, blue_channel = ImageStat.Stat(styled).mean
    assert blue_channel > red


async def test_style_transfer_without_a_style_image_fails_as_invalid_input() -> None:
    failure = await failure_of(job(OperationKind.CONTROL, mode="style-transfer"))

    assert failure.kind is ProviderErrorKind.INVALID_INPUT
    assert "style" in failure.detail


def face_image() -> Image.Image:
    face = Image.new("RGB", (100, 100), (240, 190, 150))
    ImageDraw.Draw(face).ellipse((30, 35, 45, 50), fill=(30, 30, 30))
    return face


def plain_target() -> Image.Image:
    return Image.new("RGB", (300, 200), (40, 120, 60))


async def test_face_swap_gives_an_image_of_the_targets_size() -> None:
    swapped = await image_of(
        job(
            OperationKind.FACE_SWAP,
            encoded(face_image(), "face"),
            encoded(plain_target(), "target"),
        )
    )

    assert swapped.size == (300, 200)


async def test_face_swap_places_the_face_centred_in_the_upper_third() -> None:
    swapped = await image_of(
        job(
            OperationKind.FACE_SWAP,
            encoded(face_image(), "face"),
            encoded(plain_target(), "target"),
        )
    )

    box = ImageChops.difference(swapped.convert("RGB"), plain_target()).getbbox()
    assert box is not None
    left, top, right, bottom = box
    assert abs((left + right) / 2 - 150) <= 3
    assert abs((top + bottom) / 2 - 60) <= 3
    assert bottom < 200 * 2 / 3


async def test_face_swap_target_index_moves_the_face() -> None:
    first = await image_of(
        job(OperationKind.FACE_SWAP, encoded(face_image()), encoded(plain_target()))
    )
    second = await image_of(
        job(OperationKind.FACE_SWAP, encoded(face_image()), encoded(plain_target()), target_index=1)
    )

    first_box = ImageChops.difference(first.convert("RGB"), plain_target()).getbbox()
    second_box = ImageChops.difference(second.convert("RGB"), plain_target()).getbbox()
    assert first_box is not None
    assert second_box is not None
    assert second_box[0] < first_box[0]


async def test_face_swap_roles_override_the_input_order() -> None:
    by_order = await image_of(
        job(OperationKind.FACE_SWAP, encoded(face_image()), encoded(plain_target()))
    )
    by_role = await image_of(
        job(
            OperationKind.FACE_SWAP,
            encoded(plain_target(), "target"),
            encoded(face_image(), "face"),
        )
    )

    assert not changed(by_order, by_role)


async def test_face_swap_without_a_target_fails_as_invalid_input() -> None:
    failure = await failure_of(job(OperationKind.FACE_SWAP, encoded(face_image(), "face")))

    assert failure.kind is ProviderErrorKind.INVALID_INPUT
    assert "target" in failure.detail
