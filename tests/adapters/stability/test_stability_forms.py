"""The multipart body per endpoint: only the fields each endpoint takes, filled from the job."""

from __future__ import annotations

import dataclasses

import httpx
import pytest
from stability_test_support import image_input, job, model, stability_models

from imagestudio.adapters.stability.endpoints import ENDPOINTS, ModelEndpoint, endpoint_for
from imagestudio.adapters.stability.forms import (
    MissingImage,
    StabilityForm,
    build_form,
    nearest_aspect_ratio,
)
from imagestudio.application.ports.provider import ProviderJob
from imagestudio.domain.media import MediaType


def form_of(provider_job: ProviderJob) -> StabilityForm:
    target = endpoint_for(provider_job.model.provider_path)
    assert target is not None
    return build_form(provider_job, target)


def test_every_catalog_stability_model_has_a_known_endpoint() -> None:
    models = stability_models()
    assert len(models) >= 20
    for each in models.values():
        assert endpoint_for(each.provider_path) is not None, each.id


def test_a_path_query_becomes_fixed_form_fields() -> None:
    target = endpoint_for("v2beta/stable-image/generate/sd3?model=sd3.5-large-turbo")
    assert target == ModelEndpoint(
        ENDPOINTS["v2beta/stable-image/generate/sd3"], {"model": "sd3.5-large-turbo"}
    )
    assert endpoint_for("v2beta/stable-image/generate/nope") is None


@pytest.mark.parametrize(
    ("model_id", "expected"),
    [("sd3.5-large", "sd3.5-large"), ("sd3.5-large-turbo", "sd3.5-large-turbo")],
)
def test_sd3_text_to_image_sends_model_mode_and_nearest_ratio(model_id: str, expected: str) -> None:
    form = form_of(job(model_id, width=1344, height=768))
    assert form.fields == {
        "aspect_ratio": "16:9",
        "mode": "text-to-image",
        "model": expected,
        "output_format": "png",
        "prompt": "a lighthouse at dusk",
        "seed": "42",
    }
    assert form.files == {}


def test_sd3_with_an_image_is_image_to_image_with_strength_and_no_ratio() -> None:
    picture = image_input()
    form = form_of(job("sd3.5-medium", inputs=(picture,), parameters={"strength": 0.3}))
    assert form.fields["mode"] == "image-to-image"
    assert form.fields["strength"] == "0.3"
    assert "aspect_ratio" not in form.fields
    assert form.files == {"image": picture}
    defaulted = form_of(job("sd3.5-medium", inputs=(picture,)))
    assert defaulted.fields["strength"] == "0.5"


def test_generation_passes_known_options_and_never_our_own_or_unknown_ones() -> None:
    form = form_of(
        job(
            "generate-ultra",
            width=768,
            height=1344,
            parameters={
                "negative_prompt": "fog",
                "style_preset": "cinematic",
                "mode": "ours",
                "scale": 4,
                "unknown_field": "x",
                "seed": 7,
                "strength": 0.4,
            },
        )
    )
    assert form.fields == {
        "aspect_ratio": "9:16",
        "negative_prompt": "fog",
        "output_format": "png",
        "prompt": "a lighthouse at dusk",
        "seed": "42",
        "style_preset": "cinematic",
    }


def test_core_is_a_text_only_form_without_a_seed_when_none_is_given() -> None:
    form = form_of(job("generate-core", seed=None))
    assert form.fields == {
        "aspect_ratio": "1:1",
        "output_format": "png",
        "prompt": form.fields["prompt"],
    }
    assert form.files == {}


def test_a_seed_beyond_stabilitys_range_wraps() -> None:
    assert form_of(job("generate-core", seed=4_294_967_295 + 3)).fields["seed"] == "3"


def test_fast_upscale_sends_the_image_and_format_only() -> None:
    picture = image_input()
    form = form_of(job("upscale-fast", inputs=(picture,), parameters={"scale": 4}))
    assert form.fields == {"output_format": "png"}
    assert form.files == {"image": picture}


@pytest.mark.parametrize("model_id", ["upscale-conservative", "upscale-creative"])
def test_prompted_upscales_send_prompt_and_creativity(model_id: str) -> None:
    form = form_of(
        job(model_id, inputs=(image_input(),), parameters={"creativity": 0.3, "scale": 2})
    )
    assert form.fields == {
        "creativity": "0.3",
        "output_format": "png",
        "prompt": "a lighthouse at dusk",
        "seed": "42",
    }


def test_inpaint_sends_image_and_mask_as_files_and_not_our_mode() -> None:
    picture, mask = image_input(), image_input("mask", color="white")
    form = form_of(
        job(
            "edit-inpaint",
            inputs=(picture, mask),
            parameters={"mode": "inpaint", "grow_mask": 10, "negative_prompt": "rust"},
        )
    )
    assert form.files == {"image": picture, "mask": mask}
    assert form.fields == {
        "grow_mask": "10",
        "negative_prompt": "rust",
        "output_format": "png",
        "prompt": "a lighthouse at dusk",
        "seed": "42",
    }


def test_erase_sends_a_prompt_only_when_there_is_one() -> None:
    picture = image_input()
    assert "prompt" not in form_of(job("edit-erase", prompt="", inputs=(picture,))).fields
    assert form_of(job("edit-erase", prompt="the cat", inputs=(picture,))).fields["prompt"] == (
        "the cat"
    )


def test_outpaint_sends_the_four_directions() -> None:
    sides = {"left": 100, "right": 0, "up": 50, "down": 0, "mode": "outpaint"}
    form = form_of(job("edit-outpaint", prompt="", inputs=(image_input(),), parameters=sides))
    assert {k: form.fields[k] for k in ("left", "right", "up", "down")} == {
        "left": "100",
        "right": "0",
        "up": "50",
        "down": "0",
    }
    assert "mode" not in form.fields
    assert "prompt" not in form.fields


def test_search_and_replace_and_recolor_send_their_search_texts() -> None:
    replaced = form_of(
        job("edit-search-and-replace", inputs=(image_input(),), parameters={"search_prompt": "dog"})
    )
    recolored = form_of(
        job("edit-search-and-recolor", inputs=(image_input(),), parameters={"select_prompt": "hat"})
    )
    assert replaced.fields["search_prompt"] == "dog"
    assert "select_prompt" not in replaced.fields
    assert recolored.fields["select_prompt"] == "hat"


def test_remove_background_only_asks_for_png_or_webp() -> None:
    picture = (image_input(),)
    assert form_of(job("edit-remove-background", inputs=picture)).fields == {"output_format": "png"}
    as_jpeg = dataclasses.replace(model("edit-remove-background"), output=MediaType.JPEG)
    as_webp = dataclasses.replace(model("edit-remove-background"), output=MediaType.WEBP)
    base = job("edit-remove-background", inputs=picture)
    assert form_of(dataclasses.replace(base, model=as_jpeg)).fields["output_format"] == "png"
    assert form_of(dataclasses.replace(base, model=as_webp)).fields["output_format"] == "webp"


def test_relight_sends_subject_image_and_the_prompt_as_background_prompt() -> None:
    subject, reference = image_input(), image_input("style", color="orange")
    form = form_of(
        job(
            "edit-replace-background-and-relight",
            inputs=(subject, reference),
            parameters={"light_source_direction": "left", "keep_original_background": False},
        )
    )
    assert form.files == {"subject_image": subject, "background_reference": reference}
    assert form.fields["background_prompt"] == "a lighthouse at dusk"
    assert form.fields["light_source_direction"] == "left"
    assert form.fields["keep_original_background"] == "false"
    assert "prompt" not in form.fields
    explicit = form_of(
        job(
            "edit-replace-background-and-relight",
            inputs=(subject,),
            parameters={"background_prompt": "a beach"},
        )
    )
    assert explicit.fields["background_prompt"] == "a beach"


@pytest.mark.parametrize("model_id", ["control-sketch", "control-structure"])
def test_sketch_and_structure_send_control_strength(model_id: str) -> None:
    form = form_of(
        job(model_id, inputs=(image_input(),), parameters={"control_strength": 0.6, "mode": "x"})
    )
    assert form.fields["control_strength"] == "0.6"
    assert "aspect_ratio" not in form.fields
    assert "mode" not in form.fields


def test_style_control_sends_fidelity_and_the_inputs_nearest_ratio() -> None:
    form = form_of(
        job(
            "control-style",
            inputs=(image_input(width=300, height=200),),
            width=300,
            height=200,
            parameters={"fidelity": 0.8},
        )
    )
    assert form.fields["aspect_ratio"] == "3:2"
    assert form.fields["fidelity"] == "0.8"


def test_style_transfer_sends_init_and_style_images() -> None:
    init, style = image_input(), image_input("style", color="purple")
    form = form_of(
        job(
            "control-style-transfer",
            inputs=(init, style),
            parameters={"style_strength": 0.7, "composition_fidelity": 0.5, "change_strength": 0.2},
        )
    )
    assert form.files == {"init_image": init, "style_image": style}
    assert form.fields["style_strength"] == "0.7"
    assert form.fields["composition_fidelity"] == "0.5"
    assert form.fields["change_strength"] == "0.2"


def test_style_transfer_without_a_style_image_is_refused_before_sending() -> None:
    with pytest.raises(MissingImage, match="style_image"):
        form_of(job("control-style-transfer", inputs=(image_input(),)))


def test_stable_fast_3d_sends_no_prompt_seed_or_output_format() -> None:
    form = form_of(
        job(
            "stable-fast-3d",
            inputs=(image_input(),),
            parameters={"texture_resolution": "512", "remesh": "quad", "vertex_count": 500},
        )
    )
    assert form.fields == {"remesh": "quad", "texture_resolution": "512", "vertex_count": "500"}


def test_point_aware_3d_takes_a_seed_and_its_own_options() -> None:
    form = form_of(
        job(
            "stable-point-aware-3d",
            inputs=(image_input(),),
            parameters={"foreground_ratio": 1.5, "target_type": "face", "vertex_count": 9},
        )
    )
    assert form.fields == {"foreground_ratio": "1.5", "seed": "42", "target_type": "face"}


@pytest.mark.parametrize(
    ("size", "ratio"),
    [((1024, 1024), "1:1"), ((1344, 768), "16:9"), ((640, 1536), "9:21"), ((1000, 800), "5:4")],
)
def test_nearest_aspect_ratio(size: tuple[int, int], ratio: str) -> None:
    allowed = ("21:9", "16:9", "3:2", "5:4", "1:1", "4:5", "2:3", "9:16", "9:21")
    assert nearest_aspect_ratio(*size, allowed) == ratio


def test_even_a_form_without_images_is_encoded_as_multipart() -> None:
    form = form_of(job("generate-core"))
    request = httpx.Request("POST", "http://stability.test/", files=form.multipart())
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    body = request.read()
    assert b'name="prompt"\r\n\r\na lighthouse at dusk' in body
    assert b"filename" not in body


def test_images_are_file_parts_with_their_media_type() -> None:
    picture = image_input()
    form = form_of(job("upscale-fast", inputs=(picture,)))
    request = httpx.Request("POST", "http://stability.test/", files=form.multipart())
    body = request.read()
    assert b'name="image"; filename="image.png"\r\nContent-Type: image/png' in body
    assert picture.data in body
