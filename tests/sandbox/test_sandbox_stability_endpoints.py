"""Stability v2beta emulator: every §2.2 endpoint's output and its validation, over real HTTP."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from stability_fixtures import (
    MEGAPIXEL,
    Files,
    aspect_near,
    assert_field_error,
    assert_v2beta_error,
    client,
    image_part,
    opened,
    picture,
    pixels_near,
    post,
)

from imagestudio.adapters.sandbox.config import SandboxConfig, StabilityLimits
from imagestudio.adapters.sandbox.runner import RunningSandbox

_CONFIG = SandboxConfig(
    latency_seconds=0.05, stability=StabilityLimits(requests_per_window=100_000)
)


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with RunningSandbox(_CONFIG) as sandbox, client(sandbox) as http:
        yield http


def _image(width: int = 256, height: int = 256, name: str = "image") -> Files:
    return {name: image_part(picture(width, height))}


def _result(http: httpx.Client, generation_id: str) -> httpx.Response:
    for _ in range(100):
        reply = http.get(f"/v2beta/results/{generation_id}")
        if reply.status_code != 202:
            return reply
        time.sleep(0.02)
    raise AssertionError("the generation never finished")


# -- generate ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "pixels"),
    [
        ("stable-image/generate/ultra", MEGAPIXEL),
        ("stable-image/generate/sd3", MEGAPIXEL),
        ("stable-image/generate/core", 3 * MEGAPIXEL // 2),
    ],
)
@pytest.mark.parametrize(("aspect_ratio", "aspect"), [("16:9", 16 / 9), ("9:21", 9 / 21)])
def test_text_to_image_is_drawn_at_the_endpoints_pixel_count_and_aspect_ratio(
    http: httpx.Client, path: str, pixels: int, aspect_ratio: str, aspect: float
) -> None:
    reply = post(http, path, {"prompt": "a lighthouse", "aspect_ratio": aspect_ratio})

    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == "image/png"
    image = opened(reply.content)
    assert image.format == "PNG"
    assert pixels_near(image, pixels)
    assert aspect_near(image, aspect)


def test_generation_defaults_to_a_square(http: httpx.Client) -> None:
    image = opened(post(http, "stable-image/generate/core", {"prompt": "a cat"}).content)

    assert image.width == image.height


@pytest.mark.parametrize(("output_format", "pil_format"), [("jpeg", "JPEG"), ("webp", "WEBP")])
def test_output_format_decides_the_encoding(
    http: httpx.Client, output_format: str, pil_format: str
) -> None:
    reply = post(
        http, "stable-image/generate/sd3", {"prompt": "a cat", "output_format": output_format}
    )

    assert reply.headers["content-type"] == f"image/{output_format}"
    assert opened(reply.content).format == pil_format


def test_ultra_image_to_image_keeps_the_inputs_aspect_at_one_megapixel(http: httpx.Client) -> None:
    reply = post(
        http,
        "stable-image/generate/ultra",
        {"prompt": "a cat", "strength": "0.5"},
        _image(400, 200),
    )

    image = opened(reply.content)
    assert pixels_near(image, MEGAPIXEL)
    assert aspect_near(image, 2.0)


def test_sd3_image_to_image_takes_image_and_strength(http: httpx.Client) -> None:
    reply = post(
        http,
        "stable-image/generate/sd3",
        {"prompt": "a cat", "mode": "image-to-image", "strength": "0.7", "model": "sd3.5-medium"},
        _image(300, 300),
    )

    assert reply.status_code == 200, reply.text
    assert pixels_near(opened(reply.content), MEGAPIXEL)


@pytest.mark.parametrize(
    ("data", "files", "field"),
    [
        ({}, None, "prompt"),
        ({"prompt": "x", "aspect_ratio": "4:3"}, None, "aspect_ratio"),
        ({"prompt": "x", "style_preset": "watercolour"}, None, "style_preset"),
        ({"prompt": "x", "output_format": "gif"}, None, "output_format"),
        ({"prompt": "x", "seed": "4294967295"}, None, "seed"),
        ({"prompt": "x", "seed": "-1"}, None, "seed"),
        ({"prompt": "x", "seed": "1.5"}, None, "seed"),
        ({"prompt": "x" * 10_001}, None, "prompt"),
    ],
)
def test_core_refuses_bad_fields(
    http: httpx.Client, data: dict[str, str], files: Files | None, field: str
) -> None:
    assert_field_error(post(http, "stable-image/generate/core", data, files), field)


@pytest.mark.parametrize(
    ("data", "files", "field"),
    [
        ({"prompt": "x", "model": "sd3.5-flash"}, None, "model"),
        ({"prompt": "x", "mode": "sketch-to-image"}, None, "mode"),
        ({"prompt": "x", "cfg_scale": "10.5"}, None, "cfg_scale"),
        ({"prompt": "x", "mode": "image-to-image", "strength": "0.5"}, None, "image"),
        ({"prompt": "x", "mode": "image-to-image"}, _image(), "strength"),
        ({"prompt": "x"}, _image(), "image"),
        ({"prompt": "x", "mode": "image-to-image", "strength": "0.5"}, _image(63, 100), "image"),
    ],
)
def test_sd3_refuses_bad_fields(
    http: httpx.Client, data: dict[str, str], files: Files | None, field: str
) -> None:
    assert_field_error(post(http, "stable-image/generate/sd3", data, files), field)


@pytest.mark.parametrize(
    ("data", "files", "field"),
    [
        ({"prompt": "x"}, _image(), "strength"),
        ({"prompt": "x", "strength": "1.2"}, _image(), "strength"),
        ({"prompt": "x", "strength": "0.5"}, _image(40, 200), "image"),
    ],
)
def test_ultra_refuses_bad_image_to_image_fields(
    http: httpx.Client, data: dict[str, str], files: Files, field: str
) -> None:
    assert_field_error(post(http, "stable-image/generate/ultra", data, files), field)


def test_every_problem_is_reported_at_once(http: httpx.Client) -> None:
    reply = post(
        http, "stable-image/generate/core", {"aspect_ratio": "2:1", "output_format": "bmp"}
    )

    errors = assert_v2beta_error(reply, 400, "bad_request")
    assert {error.split(":")[0] for error in errors} == {"prompt", "aspect_ratio", "output_format"}


def test_an_undecodable_image_is_a_bad_request(http: httpx.Client) -> None:
    files = {"image": image_part(b"not a picture at all")}

    assert_field_error(post(http, "stable-image/upscale/fast", {}, files), "image")


# -- upscale -----------------------------------------------------------------------------------


def test_fast_upscale_is_four_times_the_input(http: httpx.Client) -> None:
    reply = post(http, "stable-image/upscale/fast", {"output_format": "webp"}, _image(120, 90))

    image = opened(reply.content)
    assert (image.format, image.size) == ("WEBP", (480, 360))


def test_conservative_upscale_reaches_four_megapixels_at_the_inputs_aspect(
    http: httpx.Client,
) -> None:
    reply = post(
        http,
        "stable-image/upscale/conservative",
        {"prompt": "a cat", "output_format": "jpeg"},
        _image(300, 200),
    )

    image = opened(reply.content)
    assert pixels_near(image, 4 * MEGAPIXEL, 0.02)
    assert aspect_near(image, 1.5, 0.01)


def test_creative_upscale_is_async_and_reaches_four_megapixels(http: httpx.Client) -> None:
    accepted = post(
        http,
        "stable-image/upscale/creative",
        {"prompt": "a cat", "output_format": "jpeg"},
        _image(200, 100),
    )

    assert accepted.status_code == 200, accepted.text
    image = opened(_result(http, accepted.json()["id"]).content)
    assert pixels_near(image, 4 * MEGAPIXEL, 0.02)
    assert aspect_near(image, 2.0, 0.01)


@pytest.mark.parametrize(
    ("path", "data", "files", "field"),
    [
        ("stable-image/upscale/fast", {}, None, "image"),
        ("stable-image/upscale/fast", {}, _image(1_600, 100), "image"),
        ("stable-image/upscale/fast", {}, _image(32, 31), "image"),
        ("stable-image/upscale/fast", {}, _image(31, 64), "image"),
        ("stable-image/upscale/conservative", {}, _image(), "prompt"),
        ("stable-image/upscale/conservative", {"prompt": "x"}, _image(64, 161), "image"),
        (
            "stable-image/upscale/conservative",
            {"prompt": "x", "creativity": "0.6"},
            _image(),
            "creativity",
        ),
        ("stable-image/upscale/creative", {"prompt": "x"}, _image(1_100, 1_000), "image"),
        (
            "stable-image/upscale/creative",
            {"prompt": "x", "creativity": "0.05"},
            _image(),
            "creativity",
        ),
    ],
)
def test_upscalers_refuse_bad_fields_and_out_of_range_images(
    http: httpx.Client, path: str, data: dict[str, str], files: Files | None, field: str
) -> None:
    assert_field_error(post(http, path, data, files), field)


# -- edit --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("stable-image/edit/erase", {}),
        ("stable-image/edit/inpaint", {"prompt": "a hat"}),
        ("stable-image/edit/search-and-replace", {"prompt": "a dog", "search_prompt": "cat"}),
        ("stable-image/edit/search-and-recolor", {"prompt": "blue", "select_prompt": "the box"}),
    ],
)
def test_edits_keep_the_input_size(http: httpx.Client, path: str, data: dict[str, str]) -> None:
    reply = post(http, path, {**data, "output_format": "png"}, _image(320, 200))

    assert reply.status_code == 200, reply.text
    assert opened(reply.content).size == (320, 200)


def test_erase_and_inpaint_take_a_mask(http: httpx.Client) -> None:
    files = {**_image(200, 200), "mask": image_part(picture(200, 200), "mask.png")}

    reply = post(http, "stable-image/edit/inpaint", {"prompt": "a hat"}, files)

    assert opened(reply.content).size == (200, 200)


def test_outpaint_grows_the_canvas_by_each_direction(http: httpx.Client) -> None:
    reply = post(
        http, "stable-image/edit/outpaint", {"left": "100", "right": "20", "down": "50"}, _image()
    )

    assert opened(reply.content).size == (256 + 120, 256 + 50)


@pytest.mark.parametrize("output_format", ["png", "webp"])
def test_remove_background_leaves_a_transparent_background(
    http: httpx.Client, output_format: str
) -> None:
    reply = post(
        http, "stable-image/edit/remove-background", {"output_format": output_format}, _image()
    )

    image = opened(reply.content).convert("RGBA")
    assert image.size == (256, 256)
    assert image.getpixel((2, 2))[3] == 0
    assert image.getpixel((128, 128))[3] == 255


def test_replace_background_and_relight_is_async_and_keeps_the_subjects_size(
    http: httpx.Client,
) -> None:
    accepted = post(
        http,
        "stable-image/edit/replace-background-and-relight",
        {"background_prompt": "a beach", "light_source_direction": "left"},
        _image(300, 200, "subject_image"),
    )

    assert accepted.status_code == 200, accepted.text
    assert opened(_result(http, accepted.json()["id"]).content).size == (300, 200)


def test_replace_background_accepts_a_background_reference_instead_of_a_prompt(
    http: httpx.Client,
) -> None:
    files = {**_image(200, 200, "subject_image"), **_image(200, 200, "background_reference")}

    accepted = post(http, "stable-image/edit/replace-background-and-relight", {}, files)

    assert accepted.status_code == 200, accepted.text


@pytest.mark.parametrize(
    ("path", "data", "files", "field"),
    [
        ("stable-image/edit/erase", {"grow_mask": "21"}, _image(), "grow_mask"),
        ("stable-image/edit/erase", {}, _image(64, 63), "image"),
        ("stable-image/edit/inpaint", {}, _image(), "prompt"),
        ("stable-image/edit/inpaint", {"prompt": "x", "grow_mask": "101"}, _image(), "grow_mask"),
        ("stable-image/edit/outpaint", {}, _image(), "left"),
        ("stable-image/edit/outpaint", {"left": "2001"}, _image(), "left"),
        ("stable-image/edit/outpaint", {"up": "10"}, _image(300, 100), "image"),
        ("stable-image/edit/search-and-replace", {"prompt": "x"}, _image(), "search_prompt"),
        ("stable-image/edit/search-and-recolor", {"prompt": "x"}, _image(), "select_prompt"),
        (
            "stable-image/edit/remove-background",
            {"output_format": "jpeg"},
            _image(),
            "output_format",
        ),
        ("stable-image/edit/remove-background", {}, _image(2_100, 2_000), "image"),
        (
            "stable-image/edit/replace-background-and-relight",
            {},
            _image(name="subject_image"),
            "background_prompt",
        ),
        (
            "stable-image/edit/replace-background-and-relight",
            {"background_prompt": "x", "light_source_direction": "north"},
            _image(name="subject_image"),
            "light_source_direction",
        ),
        (
            "stable-image/edit/replace-background-and-relight",
            {"background_prompt": "x", "keep_original_background": "yes"},
            _image(name="subject_image"),
            "keep_original_background",
        ),
        (
            "stable-image/edit/replace-background-and-relight",
            {"background_prompt": "x"},
            {},
            "subject_image",
        ),
    ],
)
def test_edits_refuse_bad_fields_and_out_of_range_images(
    http: httpx.Client, path: str, data: dict[str, str], files: Files, field: str
) -> None:
    assert_field_error(post(http, path, data, files or None), field)


# -- control -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["stable-image/control/sketch", "stable-image/control/structure"])
def test_sketch_and_structure_keep_the_input_size(http: httpx.Client, path: str) -> None:
    reply = post(http, path, {"prompt": "a castle", "control_strength": "0.4"}, _image(300, 240))

    assert reply.status_code == 200, reply.text
    assert opened(reply.content).size == (300, 240)


def test_style_draws_one_megapixel_at_the_requested_aspect_ratio(http: httpx.Client) -> None:
    reply = post(
        http, "stable-image/control/style", {"prompt": "a castle", "aspect_ratio": "3:2"}, _image()
    )

    image = opened(reply.content)
    assert pixels_near(image, MEGAPIXEL)
    assert aspect_near(image, 1.5)


def test_style_transfer_draws_one_megapixel_from_two_images(http: httpx.Client) -> None:
    files = {**_image(300, 200, "init_image"), **_image(128, 128, "style_image")}

    reply = post(http, "stable-image/control/style-transfer", {}, files)

    assert reply.status_code == 200, reply.text
    assert pixels_near(opened(reply.content), MEGAPIXEL)


@pytest.mark.parametrize(
    ("path", "data", "files", "field"),
    [
        ("stable-image/control/sketch", {}, _image(), "prompt"),
        ("stable-image/control/sketch", {"prompt": "x"}, None, "image"),
        ("stable-image/control/sketch", {"prompt": "x"}, _image(300, 100), "image"),
        (
            "stable-image/control/structure",
            {"prompt": "x", "control_strength": "1.5"},
            _image(),
            "control_strength",
        ),
        ("stable-image/control/style", {"prompt": "x", "fidelity": "-0.1"}, _image(), "fidelity"),
        ("stable-image/control/style", {"prompt": "x"}, _image(60, 60), "image"),
        ("stable-image/control/style-transfer", {}, _image(name="init_image"), "style_image"),
        (
            "stable-image/control/style-transfer",
            {"change_strength": "0.05"},
            {**_image(name="init_image"), **_image(name="style_image")},
            "change_strength",
        ),
    ],
)
def test_control_refuses_bad_fields_and_out_of_range_images(
    http: httpx.Client, path: str, data: dict[str, str], files: Files | None, field: str
) -> None:
    assert_field_error(post(http, path, data, files), field)


# -- 3D ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["3d/stable-fast-3d", "3d/stable-point-aware-3d"])
@pytest.mark.parametrize("accept", ["image/*", "application/json"])
def test_3d_endpoints_answer_glb_bytes_whatever_the_accept_header(
    http: httpx.Client, path: str, accept: str
) -> None:
    reply = post(http, path, {}, _image(), headers={"accept": accept})

    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == "model/gltf-binary"
    assert reply.content[:4] == b"glTF"
    assert "x-request-id" in reply.headers


@pytest.mark.parametrize(
    ("path", "data", "files", "field"),
    [
        ("3d/stable-fast-3d", {}, None, "image"),
        ("3d/stable-fast-3d", {"texture_resolution": "4096"}, _image(), "texture_resolution"),
        ("3d/stable-fast-3d", {"remesh": "hex"}, _image(), "remesh"),
        ("3d/stable-fast-3d", {"foreground_ratio": "0.05"}, _image(), "foreground_ratio"),
        ("3d/stable-fast-3d", {"vertex_count": "20001"}, _image(), "vertex_count"),
        ("3d/stable-fast-3d", {}, _image(2_100, 2_000), "image"),
        ("3d/stable-point-aware-3d", {"foreground_ratio": "0.9"}, _image(), "foreground_ratio"),
        ("3d/stable-point-aware-3d", {"target_type": "edge"}, _image(), "target_type"),
        ("3d/stable-point-aware-3d", {}, _image(63, 128), "image"),
    ],
)
def test_3d_endpoints_refuse_bad_fields_and_out_of_range_images(
    http: httpx.Client, path: str, data: dict[str, str], files: Files | None, field: str
) -> None:
    assert_field_error(post(http, path, data, files), field)
