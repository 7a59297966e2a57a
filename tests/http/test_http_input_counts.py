"""More pictures than an editor reads are refused with a 422 before anything is reserved; up to
its count they run at the sandbox. They used to be accepted and then dropped silently (qwen
`edit` reads one `image`, a Stability form one field per role) or refused by WaveSpeed after the
operation started (`edit-plus` takes at most 3)."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator

import pytest
from http_support import Api, footprint, serving
from PIL import Image

from imagestudio.adapters.sandbox.config import SANDBOX_KEY, SandboxConfig
from imagestudio.adapters.sandbox.runner import RunningSandbox


def picture(shade: int) -> dict[str, str]:
    buffer = io.BytesIO()
    Image.new("RGB", (512, 512), (shade, 90, 160)).save(buffer, "PNG")
    return {"base64": base64.b64encode(buffer.getvalue()).decode()}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with (
        RunningSandbox(SandboxConfig()) as sandbox,
        serving(
            tmp_path_factory.mktemp("counts"),
            users={"alice": "enterprise"},
            wavespeed_api_key=SANDBOX_KEY,
            wavespeed_base_url=sandbox.base_url,
            wavespeed_poll_seconds=0.1,
            stability_api_key=SANDBOX_KEY,
            stability_base_url=sandbox.base_url,
        ) as served,
    ):
        yield served


@pytest.mark.parametrize(
    ("model", "most"),
    [
        ("wavespeed/qwen-image-edit", 1),
        ("wavespeed/qwen-image-edit-plus", 3),
        ("stability/edit-search-and-replace", 1),
    ],
)
def test_one_picture_more_than_the_editor_reads_is_refused_for_free(
    api: Api, model: str, most: int
) -> None:
    def edit(count: int, mask: bool = False) -> tuple[int, str]:
        images = [picture(40 * index) for index in range(count)]
        if mask:
            images.append({**picture(255), "role": "mask"})
        with api.client("alice") as alice:
            answer = alice.post(
                "/v1/operations",
                json={
                    "kind": "image-edit",
                    "model": model,
                    "prompt": "a fox",
                    "parameters": {"search_prompt": "a dog"} if "search" in model else {},
                    "images": images,
                },
            )
        return answer.status_code, answer.text

    before = footprint(api, "alice")
    too_many = edit(most + 1)
    after_refusal = footprint(api, "alice")
    # A mask is not one of the pictures (Stability's search-and-replace takes none at all).
    enough = edit(most, mask=model.startswith("wavespeed/"))

    assert too_many[0] == 422, too_many[1]
    assert f"{model} takes at most {most} image(s)" in too_many[1]
    assert after_refusal == before
    assert enough[0] == 200, enough[1]


def test_a_mask_to_a_stability_endpoint_without_one_is_refused_for_free(api: Api) -> None:
    before = footprint(api, "alice")
    with api.client("alice") as alice:
        answer = alice.post(
            "/v1/operations",
            json={
                "kind": "image-edit",
                "model": "stability/edit-outpaint",
                "parameters": {"left": 64},
                "images": [picture(10), {**picture(255), "role": "mask"}],
            },
        )

    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "images[1]", answer.text
    assert "takes no 'mask' image" in answer.json()["detail"]
    assert footprint(api, "alice") == before
