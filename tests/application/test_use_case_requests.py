"""Each use case turns its request into the right operation: kind, images and roles, parameters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakes import (
    CONTROL_PRICE,
    EDIT_PRICE,
    FACE_SWAP_PRICE,
    MODEL_3D_PRICE,
    VIDEO_PER_SECOND,
    png_bytes,
)

from imagestudio.application.requests import ImageInput
from imagestudio.application.use_cases.control import ControlRequest
from imagestudio.application.use_cases.edit import EditRequest
from imagestudio.application.use_cases.face_swap import FaceSwapRequest
from imagestudio.application.use_cases.generate import GenerateRequest
from imagestudio.application.use_cases.to_3d import ImageTo3DRequest
from imagestudio.application.use_cases.to_video import ImageToVideoRequest
from imagestudio.application.use_cases.upscale import UpscaleRequest
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation_kind import OperationKind

if TYPE_CHECKING:
    from conftest import Studio

K = OperationKind
PHOTO = png_bytes(128, 96, "navy")
MASK = png_bytes(128, 96, "white")
FACE = png_bytes(96, 96, "pink")


def roles(studio: Studio) -> list[str]:
    return [image.role for image in studio.provider.jobs[-1].inputs]


async def test_generate_images_asks_for_text_to_image_with_its_variations_and_size(
    studio: Studio,
) -> None:
    result = await studio.generate.execute(
        GenerateRequest(
            user_id="ada",
            prompt="a red fox",
            model_id="acme-flat",
            width=320,
            height=192,
            variations=2,
            seed=5,
            negative_prompt="blurry",
            parameters={"style": "ink"},
        )
    )

    assert len(result.unwrap().assets) == 2
    first, second = studio.provider.jobs
    assert (first.kind, first.prompt, first.inputs) == (K.TEXT_TO_IMAGE, "a red fox", ())
    assert (first.width, first.height, first.outputs, first.seed, second.seed) == (
        320,
        192,
        1,
        5,
        6,
    )
    assert first.parameters == {"negative_prompt": "blurry", "style": "ink"}


async def test_edit_image_sends_the_image_then_the_mask_with_its_mode(studio: Studio) -> None:
    result = await studio.edit.execute(
        EditRequest(
            user_id="ada",
            image=ImageInput(data=PHOTO),
            mask=ImageInput(data=MASK),
            mode="erase",
            model_id="acme-edit",
        )
    )

    assert result.unwrap().charged == EDIT_PRICE
    [job] = studio.provider.jobs
    assert job.kind is K.IMAGE_EDIT
    assert roles(studio) == ["image", "mask"]
    assert [image.data for image in job.inputs] == [PHOTO, MASK]
    assert job.parameters["mode"] == "erase"
    assert (job.width, job.height) == (128, 96)


async def test_edit_image_without_a_mode_takes_the_models_first(studio: Studio) -> None:
    await studio.edit.execute(
        EditRequest(
            user_id="ada", image=ImageInput(data=PHOTO), prompt="sunset", model_id="acme-edit"
        )
    )

    assert studio.provider.jobs[0].parameters["mode"] == "general"


async def test_upscale_image_asks_for_the_scaled_size(studio: Studio) -> None:
    result = await studio.upscale.execute(
        UpscaleRequest(
            user_id="ada", image=ImageInput(data=PHOTO), scale=3, model_id="acme-upscale"
        )
    )

    [job] = studio.provider.jobs
    assert (job.kind, job.parameters["scale"]) == (K.UPSCALE, 3)
    assert roles(studio) == ["image"]
    assert (job.width, job.height) == (384, 288)
    assert (result.unwrap().assets[0].width, result.unwrap().assets[0].height) == (384, 288)


async def test_control_image_sends_the_control_image_and_the_style_image(studio: Studio) -> None:
    result = await studio.control.execute(
        ControlRequest(
            user_id="ada",
            image=ImageInput(data=PHOTO),
            style_image=ImageInput(data=FACE),
            prompt="in this style",
            mode="style",
            model_id="acme-control",
        )
    )

    assert result.unwrap().charged == CONTROL_PRICE
    [job] = studio.provider.jobs
    assert (job.kind, job.prompt, job.parameters["mode"]) == (K.CONTROL, "in this style", "style")
    assert roles(studio) == ["image", "style"]


async def test_image_to_3d_sends_one_image_and_stores_a_glb(studio: Studio) -> None:
    result = await studio.to_3d.execute(
        ImageTo3DRequest(user_id="ada", image=ImageInput(data=PHOTO), model_id="acme-3d")
    )

    [asset] = result.unwrap().assets
    assert asset.media_type is MediaType.GLB
    assert result.unwrap().charged == MODEL_3D_PRICE
    [job] = studio.provider.jobs
    assert job.kind is K.IMAGE_TO_3D
    assert roles(studio) == ["image"]
    await studio.assert_used_matches_ledger("ada")


async def test_swap_face_sends_the_face_then_the_target_with_its_index(studio: Studio) -> None:
    result = await studio.face_swap.execute(
        FaceSwapRequest(
            user_id="ada",
            face=ImageInput(data=FACE),
            target=ImageInput(data=PHOTO),
            target_index=1,
            model_id="acme-faceswap",
        )
    )

    assert result.unwrap().charged == FACE_SWAP_PRICE
    [job] = studio.provider.jobs
    assert job.kind is K.FACE_SWAP
    assert roles(studio) == ["face", "target"]
    assert [image.data for image in job.inputs] == [FACE, PHOTO]
    assert job.parameters["target_index"] == 1
    assert (job.width, job.height) == (128, 96)


async def test_image_to_video_asks_for_its_duration_and_resolution(studio: Studio) -> None:
    result = await studio.to_video.execute(
        ImageToVideoRequest(
            user_id="ada",
            image=ImageInput(data=PHOTO),
            prompt="waves rolling",
            duration=10,
            resolution="720p",
            model_id="acme-video",
        )
    )

    [asset] = result.unwrap().assets
    assert asset.media_type is MediaType.MP4
    assert result.unwrap().charged == 10 * VIDEO_PER_SECOND["720p"]
    [job] = studio.provider.jobs
    assert (job.kind, job.prompt) == (K.IMAGE_TO_VIDEO, "waves rolling")
    assert (job.parameters["duration"], job.parameters["resolution"]) == (10, "720p")
    assert roles(studio) == ["image"]
    await studio.assert_used_matches_ledger("ada")


async def test_every_use_case_passes_its_idempotency_key_through(studio: Studio) -> None:
    request = UpscaleRequest(
        user_id="ada", image=ImageInput(data=PHOTO), model_id="acme-upscale", idempotency_key="k"
    )

    first = await studio.upscale.execute(request)
    again = await studio.upscale.execute(request)

    assert again == first
    assert len(studio.provider.jobs) == 1
    assert first.unwrap().operation.idempotency_key == "k"


async def test_an_erase_edit_needs_no_prompt(studio: Studio) -> None:
    result = await studio.edit.execute(
        EditRequest(
            user_id="ada",
            image=ImageInput(data=PHOTO),
            mask=ImageInput(data=MASK),
            mode="erase",
            model_id="acme-edit",
        )
    )

    assert result.unwrap().operation.prompt == ""
    assert studio.provider.jobs[0].prompt == ""
