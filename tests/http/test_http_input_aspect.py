"""An input more elongated than a Stability endpoint takes (1:2.5-2.5:1), or with a side longer
than it takes, is refused with a 422 or 413 before anything is reserved, for every model with
that limit; it used to be accepted, run as an operation with a ledger line, and fail with
Stability's 400."""

from __future__ import annotations

import base64
import io
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
