"""An input more elongated than a Stability endpoint takes (1:2.5-2.5:1), or with a side longer
than it takes, is refused with a 422 or 413 before anything is reserved, for every model with
that limit; it used to be accepted, run as an operation with a ledger line, and fail with
Stability's 400. So are inputs that each fit but together pass Stability's 10 MiB a request
(they failed with its 413)."""

from __future__ import annotations

import base64
import io
import os
from collections.abc import Iterator
from typing import Any

import pytest
from http_support import Api, footprint, serving
from PIL import Image

from imagestudio.adapters.catalog import load_catalog
from imagestudio.adapters.sandbox.config import SANDBOX_KEY, SandboxConfig
from imagestudio.adapters.sandbox.runner import RunningSandbox
from imagestudio.domain.model import Model

LIMITED = [
    model
    for model in load_catalog().all()
    if model.provider == "stability" and model.limits.max_input_aspect is not None
]


def picture(width: int, height: int) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (90, 120, 200)).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with (
        RunningSandbox(SandboxConfig()) as sandbox,
        serving(
            tmp_path_factory.mktemp("aspect"),
            users={"alice": "enterprise"},
            stability_api_key=SANDBOX_KEY,
            stability_base_url=sandbox.base_url,
        ) as served,
    ):
        yield served


def test_the_framed_endpoints_all_carry_the_limit() -> None:
    assert {model.id.removeprefix("stability/") for model in LIMITED} == {
        "upscale-conservative",
        "edit-outpaint",
        "edit-search-and-replace",
        "edit-search-and-recolor",
        "edit-replace-background-and-relight",
        "control-sketch",
        "control-structure",
        "control-style",
    }


@pytest.mark.parametrize("model", LIMITED, ids=lambda model: model.id)
def test_an_input_too_elongated_for_the_endpoint_is_refused_for_free(
    api: Api, model: Model
) -> None:
    (kind,) = model.kinds
    before = footprint(api, "alice")
    with api.client("alice") as alice:
        answer = alice.post(
            "/v1/operations",
            json={
                "kind": kind.value,
                "model": model.id,
                "prompt": "a fox",
                "parameters": dict.fromkeys(model.requires - {"prompt"}, "a fox"),
                "images": [{"base64": picture(768, 256)}],
            },
        )

    assert answer.status_code == 422, answer.text
    assert answer.json()["type"] == "/problems/invalid-input/invalid", answer.text
    assert "too elongated" in answer.json()["detail"]
    assert footprint(api, "alice") == before


def test_an_input_with_a_side_too_long_for_fast_upscaling_is_refused_for_free(api: Api) -> None:
    def upscale(width: int, height: int) -> Any:
        with api.client("alice") as alice:
            return alice.post(
                "/v1/operations",
                json={
                    "kind": "upscale",
                    "model": "stability/upscale-fast",
                    "images": [{"base64": picture(width, height)}],
                },
            )

    before = footprint(api, "alice")
    too_long = upscale(2000, 500)  # 1 MP: within its pixel count, not its sides
    after_refusal = footprint(api, "alice")
    longest = upscale(1536, 600)

    assert too_long.status_code == 413, too_long.text
    assert too_long.json()["type"] == "/problems/invalid-input/too-large", too_long.text
    assert "at most 1536 px a side" in too_long.json()["detail"]
    assert after_refusal == before
    assert longest.status_code == 200, longest.text


def noise(side: int) -> bytes:
    """A PNG that does not compress: about 3 bytes a pixel."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def test_inputs_that_together_pass_stabilitys_10_mib_are_refused_for_free(api: Api) -> None:
    image, style = noise(1400), noise(1400)  # 5.9 MB each: under 10 MiB apiece, not together
    assert len(image) < 10 * 1024 * 1024 < len(image) + len(style)
    form = {"kind": "control", "model": "stability/control-style-transfer", "prompt": "a fox"}
    before = footprint(api, "alice")
    with api.client("alice") as alice:
        together = alice.post(
            "/v1/operations",
            data=form,
            files={"image": ("in.png", image, "image/png"), "style": ("s.png", style, "image/png")},
        )
        alone = alice.post(
            "/v1/quotes",
            json={
                **form,
                "images": [
                    {"base64": base64.b64encode(image).decode()},
                    {"role": "style", "base64": picture(256, 256)},
                ],
            },
        )

    assert together.status_code == 413, together.text
    assert together.json()["type"] == "/problems/invalid-input/too-large", together.text
    assert "takes at most 10485760 a request" in together.json()["detail"]
    assert footprint(api, "alice") == before
    assert alone.status_code == 200, alone.text  # one of them, with a small style, it takes
