"""The catalog refuses, before anything is reserved, every input Stability's endpoints refuse by
its shape (provider_contracts.md §2.2: shortest and longest side, pixel counts, aspect
1:2.5-2.5:1), as the sandbox
states them: an input that passed our checks and failed at Stability used to run as an
operation, with a ledger line, for a 400 the catalog could have foreseen (the HTTP side of it:
tests/http/test_http_input_aspect.py)."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image

from imagestudio.adapters.catalog import load_catalog
from imagestudio.adapters.sandbox.config import SANDBOX_KEY, SandboxConfig
from imagestudio.adapters.sandbox.runner import RunningSandbox
from imagestudio.adapters.sandbox.stability_body import MAX_BODY_BYTES
from imagestudio.adapters.sandbox.stability_endpoints import ENDPOINTS, Endpoint
from imagestudio.adapters.sandbox.stability_fields import ImageFile, ImageLimits
from imagestudio.domain.model import Model

MAIN_IMAGES = ("image", "init_image", "subject_image")


def stability_models() -> list[Model]:
    return [model for model in load_catalog().all() if model.provider == "stability"]


def endpoint_of(model: Model) -> Endpoint:
    path = model.provider_path.partition("?")[0].removeprefix("v2beta/")
    return next(endpoint for endpoint in ENDPOINTS if endpoint.path == path)


def main_image_limits(endpoint: Endpoint) -> ImageLimits | None:
    files = {field.name: field for field in endpoint.fields if isinstance(field, ImageFile)}
    found = next((files[name] for name in MAIN_IMAGES if name in files), None)
    return None if found is None else found.limits


@pytest.mark.parametrize("model", stability_models(), ids=lambda model: model.id)
def test_the_catalog_is_at_least_as_strict_as_the_endpoint_on_its_input(model: Model) -> None:
    limits = main_image_limits(endpoint_of(model))
    if limits is None:  # a generator that takes no input image
        return
    ours = model.limits
    assert ours.min_side >= (limits.min_side or 0)
    assert ours.min_input_pixels >= (limits.min_pixels or 0)
    if limits.max_side is not None:
        assert ours.max_input_side is not None
        assert ours.max_input_side <= limits.max_side
    if limits.max_pixels is not None:
        assert ours.max_input_pixels <= limits.max_pixels
    if limits.max_aspect is not None:
        assert ours.max_input_aspect is not None
        assert ours.max_input_aspect <= limits.max_aspect
    else:
        assert ours.max_input_aspect is None


def elongated_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (768, 256), (90, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def test_the_sandbox_refuses_a_3_to_1_input_as_the_catalog_does() -> None:
    """The limit is the contract's: the emulator turns a 3:1 input down with a 400."""
    with RunningSandbox(SandboxConfig()) as sandbox:
        reply = httpx.post(
            sandbox.base_url + "/v2beta/stable-image/upscale/conservative",
            headers={"authorization": f"Bearer {SANDBOX_KEY}"},
            data={"prompt": "a fox"},
            files={"image": ("in.png", elongated_png(), "image/png")},
        )

    assert reply.status_code == 400, reply.text
    assert "aspect ratio" in reply.text


@pytest.mark.parametrize("model", stability_models(), ids=lambda model: model.id)
def test_every_stability_model_caps_a_request_at_the_endpoints_body_limit(model: Model) -> None:
    assert model.limits.max_request_bytes == MAX_BODY_BYTES
