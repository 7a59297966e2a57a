"""Contract tests of the WaveSpeed emulator's model families (provider_contracts.md §1.2, §1.9,
§1.11): each family's required fields, its 400s, and its outputs decoded (format and size)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from wavespeed_fixtures import (
    client,
    data_uri,
    download,
    error_envelope,
    image_bytes,
    opened,
    raw_base64,
    run_sync,
)

from imagestudio.adapters.sandbox.config import SandboxConfig
from imagestudio.adapters.sandbox.runner import RunningSandbox

PICTURE = data_uri(image_bytes(64, 48))
FACE = data_uri(image_bytes(40, 40))


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with RunningSandbox(SandboxConfig()) as sandbox, client(sandbox.base_url) as opened_client:
        yield opened_client


def completed(http: httpx.Client, model_path: str, body: dict[str, Any]) -> list[bytes]:
    """Run the task in sync mode; the bytes of every output."""
    done = run_sync(http, model_path, body)
    assert done["status"] == "completed", done["error"]
    assert done["has_nsfw_contents"] == [False] * len(done["outputs"])
    return [download(url) for url in done["outputs"]]


def refused(http: httpx.Client, model_path: str, body: dict[str, Any]) -> str:
    return error_envelope(http.post(f"/api/v3/{model_path}", json=body), 400)


# -- text-to-image -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_path", "fields", "size"),
    [
        ("wavespeed-ai/qwen-image/text-to-image", {"size": "512*384"}, (512, 384)),
        ("bytedance/seedream-v4", {"size": "320*200"}, (320, 200)),
        ("bytedance/seedream-v4/sequential", {"size": "128*128"}, (128, 128)),
        ("wavespeed-ai/flux-dev", {"size": "256*512"}, (256, 512)),
        ("wavespeed-ai/flux-dev", {}, (1024, 1024)),
        ("ideogram-ai/ideogram-v3-turbo", {"aspect_ratio": "16:9"}, (1024, 576)),
        ("ideogram-ai/ideogram-v3-turbo", {}, (1024, 1024)),
        ("wavespeed-ai/flux-kontext-pro/text-to-image", {"aspect_ratio": "3:4"}, (768, 1024)),
        (
            "google/nano-banana-pro/text-to-image",
            {"aspect_ratio": "1:1", "resolution": "1k"},
            (1024, 1024),
        ),
    ],
)
def test_generators_draw_the_asked_size_as_jpeg_by_default(
    http: httpx.Client, model_path: str, fields: dict[str, Any], size: tuple[int, int]
) -> None:
    [output] = completed(http, model_path, {"prompt": "a red kite", **fields})
    image = opened(output)
    assert (image.format, image.size) == ("JPEG", size)


@pytest.mark.parametrize(("output_format", "pil_format"), [("png", "PNG"), ("webp", "WEBP")])
def test_output_format_is_honoured(http: httpx.Client, output_format: str, pil_format: str) -> None:
    body = {"prompt": "a kite", "size": "256*256", "output_format": output_format}
    [output] = completed(http, "wavespeed-ai/qwen-image/text-to-image", body)
    assert opened(output).format == pil_format


def test_flux_dev_draws_num_images_outputs_per_call(http: httpx.Client) -> None:
    outputs = completed(
        http, "wavespeed-ai/flux-dev", {"prompt": "kites", "size": "256*256", "num_images": 4}
    )
    assert len(outputs) == 4
    assert all(opened(output).size == (256, 256) for output in outputs)


def test_seedream_sequential_draws_max_images(http: httpx.Client) -> None:
    body = {"prompt": "a story", "size": "128*128", "max_images": 3}
    assert len(completed(http, "bytedance/seedream-v4/sequential", body)) == 3


@pytest.mark.parametrize(
    ("model_path", "body", "named"),
    [
        ("wavespeed-ai/qwen-image/text-to-image", {"size": "512*512"}, "prompt"),
        ("wavespeed-ai/qwen-image/text-to-image", {"prompt": "x", "size": "512x512"}, "size"),
        ("wavespeed-ai/qwen-image/text-to-image", {"prompt": "x", "size": "2048*2048"}, "size"),
        ("wavespeed-ai/flux-dev", {"prompt": "x", "size": "128*128"}, "size"),
        ("bytedance/seedream-v4", {"prompt": "x", "size": "8192*8192"}, "size"),
        ("wavespeed-ai/flux-dev", {"prompt": "x", "num_images": 5}, "num_images"),
        ("wavespeed-ai/flux-dev", {"prompt": "x", "num_images": 0}, "num_images"),
        ("ideogram-ai/ideogram-v3-turbo", {"prompt": "x", "aspect_ratio": "2:1"}, "aspect_ratio"),
        ("wavespeed-ai/flux-dev", {"prompt": "x", "output_format": "gif"}, "output_format"),
        ("wavespeed-ai/flux-dev", {"prompt": "x", "seed": "seven"}, "seed"),
    ],
)
def test_generators_refuse_a_missing_or_malformed_field_naming_it(
    http: httpx.Client, model_path: str, body: dict[str, Any], named: str
) -> None:
    assert named in refused(http, model_path, body)


# -- editors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_path", "field"),
    [
        ("wavespeed-ai/qwen-image/edit", "image"),
        ("wavespeed-ai/qwen-image/edit-plus", "images"),
        ("bytedance/seedream-v4/edit", "images"),
        ("bytedance/seedream-v4.5/edit", "images"),
        ("wavespeed-ai/flux-kontext-pro", "image"),
        ("google/nano-banana-pro/edit-ultra", "images"),
    ],
)
def test_editors_return_the_edited_image_at_its_size(
    http: httpx.Client, model_path: str, field: str
) -> None:
    value: Any = PICTURE if field == "image" else [PICTURE]
    [output] = completed(http, model_path, {"prompt": "make it blue", field: value})
    image = opened(output)
    assert (image.format, image.size) == ("JPEG", (64, 48))


def test_edit_plus_takes_up_to_three_images(http: httpx.Client) -> None:
    path = "wavespeed-ai/qwen-image/edit-plus"
    assert len(completed(http, path, {"prompt": "merge", "images": [PICTURE] * 3})) == 1
    assert "images" in refused(http, path, {"prompt": "merge", "images": [PICTURE] * 4})


def test_nano_banana_edit_ultra_takes_its_fixed_resolution_in_the_body(http: httpx.Client) -> None:
    path = "google/nano-banana-pro/edit-ultra"
    for resolution in ("4k", "8k"):
        completed(http, path, {"prompt": "sharpen", "images": [PICTURE], "resolution": resolution})
    body = {"prompt": "sharpen", "images": [PICTURE], "resolution": "2k"}
    assert "resolution" in refused(http, path, body)


@pytest.mark.parametrize(
    ("model_path", "body", "named"),
    [
        ("wavespeed-ai/qwen-image/edit", {"prompt": "x"}, "image"),
        ("bytedance/seedream-v4/edit", {"prompt": "x"}, "images"),
        ("wavespeed-ai/qwen-image/edit", {"image": PICTURE}, "prompt"),
        ("bytedance/seedream-v4/edit", {"prompt": "x", "images": [PICTURE], "size": "9*9"}, "size"),
    ],
)
def test_editors_refuse_a_missing_or_malformed_field_naming_it(
    http: httpx.Client, model_path: str, body: dict[str, Any], named: str
) -> None:
    assert named in refused(http, model_path, body)


# -- upscaler ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "size"),
    [
        ({"target_resolution": "2k"}, (2048, 512)),
        ({}, (4096, 1024)),
        ({"target_resolution": "8k"}, (8192, 2048)),
    ],
)
def test_the_upscaler_brings_the_long_side_to_the_target_resolution(
    http: httpx.Client, fields: dict[str, Any], size: tuple[int, int]
) -> None:
    picture = data_uri(image_bytes(64, 16))
    [output] = completed(http, "wavespeed-ai/image-upscaler", {"image": picture, **fields})
    image = opened(output)
    assert (image.format, image.size) == ("JPEG", size)


def test_real_esrgan_scales_by_its_factor(http: httpx.Client) -> None:
    body = {"image": PICTURE, "guidance_scale": 3}
    [output] = completed(http, "wavespeed-ai/real-esrgan", body)
    assert opened(output).size == (192, 144)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"target_resolution": "2k"}, "image"),
        ({"image": PICTURE, "target_resolution": "16k"}, "target_resolution"),
        ({"image": PICTURE, "creativity": 3}, "creativity"),
    ],
)
def test_the_upscaler_refuses_a_missing_or_malformed_field(
    http: httpx.Client, body: dict[str, Any], named: str
) -> None:
    assert named in refused(http, "wavespeed-ai/image-upscaler", body)


# -- image to 3D ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_path", "fields"),
    [
        ("wavespeed-ai/hunyuan3d-v3/image-to-3d", {"input_image_url": PICTURE}),
        ("wavespeed-ai/hunyuan3d/v2.1", {"image": PICTURE}),
        ("wavespeed-ai/hunyuan3d-v2-multi-view", {"front_image_url": PICTURE}),
        (
            "wavespeed-ai/hunyuan3d-v2-multi-view",
            {"front_image_url": PICTURE, "back_image_url": PICTURE, "left_image_url": PICTURE},
        ),
    ],
)
def test_hunyuan3d_models_output_a_glb(
    http: httpx.Client, model_path: str, fields: dict[str, Any]
) -> None:
    [output] = completed(http, model_path, fields)
    assert output[:4] == b"glTF"


@pytest.mark.parametrize(
    ("model_path", "named"),
    [
        ("wavespeed-ai/hunyuan3d-v3/image-to-3d", "input_image_url"),
        ("wavespeed-ai/hunyuan3d/v2.1", "image"),
        ("wavespeed-ai/hunyuan3d-v2-multi-view", "front_image_url"),
    ],
)
def test_hunyuan3d_models_name_their_missing_image(
    http: httpx.Client, model_path: str, named: str
) -> None:
    assert named in refused(http, model_path, {"prompt": "a vase"})


# -- face swap -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model_path",
    [
        "wavespeed-ai/image-face-swap",
        "wavespeed-ai/image-face-swap-pro",
        "wavespeed-ai/image-head-swap",
    ],
)
def test_face_swaps_return_the_base_image_with_the_face(
    http: httpx.Client, model_path: str
) -> None:
    body = {"image": PICTURE, "face_image": raw_base64(image_bytes(40, 40)), "target_index": 0}
    [output] = completed(http, model_path, body)
    image = opened(output)
    assert (image.format, image.size) == ("JPEG", (64, 48))


def test_akool_face_swap_takes_source_and_target_image_arrays(http: httpx.Client) -> None:
    body = {"image": PICTURE, "source_image": [FACE], "target_image": [FACE], "face_enhance": True}
    [output] = completed(http, "akool/image-face-swap", body)
    assert opened(output).size == (64, 48)


@pytest.mark.parametrize(
    ("model_path", "body", "named"),
    [
        ("wavespeed-ai/image-face-swap", {"image": PICTURE}, "face_image"),
        ("wavespeed-ai/image-face-swap", {"face_image": FACE}, "image"),
        (
            "wavespeed-ai/image-face-swap",
            {"image": PICTURE, "face_image": FACE, "target_index": 11},
            "target_index",
        ),
        ("akool/image-face-swap", {"image": PICTURE, "target_image": [FACE]}, "source_image"),
        ("akool/image-face-swap", {"image": PICTURE, "source_image": [FACE]}, "target_image"),
    ],
)
def test_face_swaps_refuse_a_missing_field_naming_it(
    http: httpx.Client, model_path: str, body: dict[str, Any], named: str
) -> None:
    assert named in refused(http, model_path, body)


# -- image to video ------------------------------------------------------------------------------

WAN = "alibaba/wan-2.5/image-to-video"


def test_wan_image_to_video_outputs_an_mp4(http: httpx.Client) -> None:
    body = {"image": PICTURE, "prompt": "slow pan", "resolution": "480p", "duration": 5}
    done = run_sync(http, WAN, body)
    try:
        import av  # noqa: F401
    except ImportError:
        assert done["status"] == "failed"
        assert "video" in done["error"]
        return
    assert done["status"] == "completed", done["error"]
    [url] = done["outputs"]
    assert url.endswith(".mp4")
    assert download(url)[4:8] == b"ftyp"


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"prompt": "pan"}, "image"),
        ({"image": PICTURE}, "prompt"),
        ({"image": PICTURE, "prompt": "pan", "duration": 7}, "duration"),
        ({"image": PICTURE, "prompt": "pan", "resolution": "4k"}, "resolution"),
    ],
)
def test_wan_image_to_video_refuses_a_missing_or_malformed_field(
    http: httpx.Client, body: dict[str, Any], named: str
) -> None:
    assert named in refused(http, WAN, body)


def test_an_unknown_model_path_is_a_404(http: httpx.Client) -> None:
    error_envelope(http.post("/api/v3/wavespeed-ai/no-such-model", json={"prompt": "x"}), 404)
