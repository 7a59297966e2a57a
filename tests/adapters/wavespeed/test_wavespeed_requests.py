"""The submit body of each WaveSpeed model, built from real catalog entries."""

from __future__ import annotations

import base64

import pytest
from wavespeed_test_support import input_image, job

from imagestudio.adapters.wavespeed.model_fields import split_path
from imagestudio.adapters.wavespeed.requests import (
    build_body,
    data_uri,
    nearest_aspect_ratio,
    route_of,
    target_resolution,
    uploads_needed,
)


def test_text_to_image_sends_prompt_size_random_seed_and_the_models_format() -> None:
    body = build_body(job("wavespeed/qwen-image", width=1024, height=768))

    assert body == {
        "prompt": "a red fox in the snow",
        "size": "1024*768",
        "seed": -1,
        "output_format": "jpeg",
    }


def test_a_given_seed_is_sent_even_when_it_is_zero() -> None:
    assert build_body(job("wavespeed/seedream-v4", seed=0))["seed"] == 0
    assert build_body(job("wavespeed/seedream-v4", seed=1234))["seed"] == 1234


def test_aspect_ratio_models_get_the_nearest_catalog_ratio_instead_of_a_size() -> None:
    body = build_body(job("wavespeed/ideogram-v3-turbo", width=1920, height=1080))

    assert body["aspect_ratio"] == "16:9"
    assert "size" not in body


def test_aspect_ratio_models_without_catalog_ratios_use_the_common_ones() -> None:
    body = build_body(job("wavespeed/flux-kontext-pro", width=768, height=1024))

    assert body["aspect_ratio"] == "3:4"


def test_nearest_aspect_ratio_compares_ratios_not_differences() -> None:
    assert nearest_aspect_ratio(1000, 1000, ("4:3", "1:1", "16:9")) == "1:1"
    assert nearest_aspect_ratio(2100, 900, ("21:9", "16:9")) == "21:9"
    assert nearest_aspect_ratio(900, 1600, ("1:1", "9:16", "3:4")) == "9:16"


def test_flux_dev_asks_for_every_output_in_one_call() -> None:
    assert build_body(job("wavespeed/flux-dev", outputs=3))["num_images"] == 3


def test_single_image_editors_get_one_data_uri() -> None:
    source = input_image()
    body = build_body(job("wavespeed/qwen-image-edit", inputs=(source,)))

    assert body["image"] == data_uri(source)
    assert str(body["image"]).startswith("data:image/png;base64,")
    assert base64.b64decode(str(body["image"]).split(",", 1)[1]) == source.data
    assert "images" not in body
    assert "size" not in body


@pytest.mark.parametrize(
    "model_id", ["wavespeed/qwen-image-edit-plus", "wavespeed/seedream-v4-edit"]
)
def test_multi_image_editors_get_every_image_as_a_list(model_id: str) -> None:
    first, second = input_image(color=(9, 9, 9)), input_image("style", color=(7, 7, 7))
    body = build_body(job(model_id, inputs=(first, second)))

    assert body["images"] == [data_uri(first), data_uri(second)]
    assert "image" not in body


def test_seedream_edit_takes_the_output_size() -> None:
    body = build_body(job("wavespeed/seedream-v4-edit", inputs=(input_image(),), width=2048))

    assert body["size"] == "2048*1024"


def test_a_mask_goes_in_its_own_field_not_among_the_images() -> None:
    image, mask = input_image(), input_image("mask", color=(255, 255, 255))
    body = build_body(job("wavespeed/qwen-image-edit-plus", inputs=(image, mask)))

    assert body["images"] == [data_uri(image)]
    assert body["mask_image"] == data_uri(mask)


def test_the_catalog_paths_fixed_fields_go_in_the_body_not_the_route() -> None:
    edit = job(
        "wavespeed/nano-banana-pro-edit-ultra-8k", inputs=(input_image(),), width=64, height=48
    )

    assert route_of(edit) == "google/nano-banana-pro/edit-ultra"
    assert build_body(edit)["resolution"] == "8k"
    assert build_body(edit)["aspect_ratio"] == "4:3"


def test_digit_values_in_a_catalog_path_become_numbers() -> None:
    assert split_path("some/model?steps=28&style=Auto") == (
        "some/model",
        {"steps": 28, "style": "Auto"},
    )


def test_parameters_the_model_understands_pass_through_and_ours_do_not() -> None:
    body = build_body(
        job(
            "wavespeed/ideogram-v3-turbo",
            parameters={
                "style": "Design",
                "negative_prompt": "blur",
                "guidance_scale": 3.5,
                "enable_safety_checker": False,
                "mode": "general",
                "scale": 4,
                "left": 128,
            },
        )
    )

    assert body["style"] == "Design"
    assert body["negative_prompt"] == "blur"
    assert body["guidance_scale"] == 3.5
    assert body["enable_safety_checker"] is False
    assert not {"mode", "scale", "left"} & body.keys()


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [(1024, 1024, "2k"), (2048, 1536, "2k"), (4096, 2048, "4k"), (6000, 4000, "8k")],
)
def test_the_upscale_target_follows_the_output_size(width: int, height: int, expected: str) -> None:
    upscale = job(
        "wavespeed/image-upscaler",
        inputs=(input_image(),),
        width=width,
        height=height,
        parameters={"scale": 2},
    )
    body = build_body(upscale)

    assert target_resolution(upscale) == expected
    assert body == {
        "image": data_uri(upscale.inputs[0]),
        "target_resolution": expected,
        "output_format": "jpeg",
    }


@pytest.mark.parametrize("name", ["resolution", "target_resolution"])
def test_an_asked_upscale_target_wins(name: str) -> None:
    body = build_body(
        job("wavespeed/image-upscaler", inputs=(input_image(),), parameters={name: "8k"})
    )

    assert body["target_resolution"] == "8k"
    assert "resolution" not in body


def test_face_swap_sends_the_target_as_image_and_the_face_as_face_image() -> None:
    face, target = input_image("face", color=(1, 1, 1)), input_image("target", color=(2, 2, 2))
    body = build_body(
        job("wavespeed/image-face-swap", inputs=(face, target), parameters={"target_index": 2})
    )

    assert body["image"] == data_uri(target)
    assert body["face_image"] == data_uri(face)
    assert body["target_index"] == 2
    assert "seed" not in body
    assert "prompt" not in body


def test_akool_face_swap_takes_arrays_of_faces() -> None:
    face, target = input_image("face", color=(1, 1, 1)), input_image("target", color=(2, 2, 2))
    body = build_body(job("wavespeed/akool-face-swap", inputs=(face, target)))

    assert body["image"] == data_uri(target)
    assert body["target_image"] == [data_uri(target)]
    assert body["source_image"] == [data_uri(face)]
    assert "face_image" not in body


@pytest.mark.parametrize(
    ("model_id", "field"),
    [
        ("wavespeed/hunyuan3d-v3", "input_image_url"),
        ("wavespeed/hunyuan3d-v2.1", "image"),
        ("wavespeed/hunyuan3d-v2-multi-view", "front_image_url"),
    ],
)
def test_3d_models_take_an_uploaded_url_and_no_image_data(model_id: str, field: str) -> None:
    to_3d = job(model_id, inputs=(input_image(),), parameters={"enable_pbr": True})
    (upload,) = uploads_needed(to_3d)
    body = build_body(to_3d, uploaded={upload.field: "https://cdn.example/in.png"})

    assert upload.field == field
    assert upload.image is to_3d.inputs[0]
    assert body == {field: "https://cdn.example/in.png", "enable_pbr": True}


def test_3d_extra_views_are_uploaded_to_their_own_fields() -> None:
    views = (input_image(), input_image("back"), input_image("left"))
    fields = [
        upload.field for upload in uploads_needed(job("wavespeed/hunyuan3d-v3", inputs=views))
    ]

    assert fields == ["input_image_url", "back_image_url", "left_image_url"]


def test_image_to_video_uploads_the_image_and_sends_duration_and_resolution() -> None:
    to_video = job(
        "wavespeed/wan-2.5-image-to-video",
        inputs=(input_image(),),
        seed=7,
        parameters={"duration": 10, "resolution": "720p", "negative_prompt": "shaky"},
    )
    (upload,) = uploads_needed(to_video)
    body = build_body(to_video, uploaded={"image": "https://cdn.example/in.png"})

    assert upload.field == "image"
    assert body == {
        "image": "https://cdn.example/in.png",
        "prompt": "a red fox in the snow",
        "duration": 10,
        "resolution": "720p",
        "seed": 7,
        "negative_prompt": "shaky",
    }


def test_images_sent_as_data_need_no_upload() -> None:
    assert uploads_needed(job("wavespeed/qwen-image-edit", inputs=(input_image(),))) == ()


def test_sync_mode_is_asked_for_in_the_body() -> None:
    assert build_body(job("wavespeed/qwen-image"), sync_mode=True)["enable_sync_mode"] is True
    assert "enable_sync_mode" not in build_body(job("wavespeed/qwen-image"))
