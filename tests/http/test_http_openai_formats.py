"""OpenAI's routes driven by the official `openai` client: `output_format` (and its
`output_compression`) is honoured in both answer forms, an edit's `size` other than its input's
is refused, and every method of `client.images` answers its errors in OpenAI's shape, so the
client shows the message (a problem+json showed only "Error code: 404")."""

from __future__ import annotations

import base64
import inspect
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from http_support import png
from PIL import Image
from test_http_openai import serving

FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("output_format", list(FORMATS))
def test_output_format_is_honoured_in_b64_and_url_answers(
    tmp_path: Path, output_format: str
) -> None:
    with serving(tmp_path) as served:
        client = served.openai("alice", max_retries=0)
        b64 = client.images.generate(
            prompt="a kite", size="256x256", response_format="b64_json", output_format=output_format
        )
        linked = client.images.generate(
            prompt="a kite", size="256x256", response_format="url", output_format=output_format
        )
        edited = client.images.edit(
            image=("in.png", png(), "image/png"),
            prompt="a kite",
            response_format="b64_json",
            output_format=output_format,
        )
        url = linked.data[0].url or ""
        fetched = httpx.get(url, timeout=30)

    assert opened(base64.b64decode(b64.data[0].b64_json or "")).format == FORMATS[output_format]
    assert opened(base64.b64decode(edited.data[0].b64_json or "")).format == FORMATS[output_format]
    assert fetched.status_code == 200, fetched.text
    assert fetched.headers["content-type"] == f"image/{output_format}"
    assert opened(fetched.content).format == FORMATS[output_format]
    assert opened(fetched.content).size == (256, 256)


def test_output_compression_is_honoured_for_jpeg_and_refused_without_it(tmp_path: Path) -> None:
    with serving(tmp_path) as served:
        client = served.openai("alice", max_retries=0)
        sizes = {}
        for level in (5, 95):
            answer = client.images.generate(
                prompt="a kite",
                size="512x512",
                response_format="b64_json",
                output_format="jpeg",
                output_compression=level,
            )
            sizes[level] = len(base64.b64decode(answer.data[0].b64_json or ""))
        lines = len(served.ledger("alice"))
        refused = {}
        for options in (
            {"output_compression": 50},
            {"output_format": "png", "output_compression": 50},
        ):
            with pytest.raises(openai.UnprocessableEntityError) as raised:
                client.images.generate(prompt="a kite", **options)
            refused[tuple(options)] = raised.value
        with pytest.raises(openai.BadRequestError) as gif:
            client.images.generate(prompt="a kite", extra_body={"output_format": "gif"})
        after = len(served.ledger("alice"))

    assert sizes[5] < sizes[95]
    for error in refused.values():
        assert error.param == "output_compression"
        assert "jpeg and webp" in error.message
    assert gif.value.param == "output_format"
    assert after == lines, "a refusal costs nothing"


def test_an_edit_size_other_than_its_inputs_is_refused_and_its_own_answered(
    tmp_path: Path,
) -> None:
    with serving(tmp_path) as served:
        client = served.openai("alice", max_retries=0)
        picture = ("in.png", png(256, 192), "image/png")
        with pytest.raises(openai.APIStatusError) as raised:
            client.images.edit(image=picture, prompt="a kite", size="1024x1024")
        refused_lines = len(served.ledger("alice"))
        same = client.images.edit(
            image=picture, prompt="a kite", size="256x192", response_format="b64_json"
        )
        auto = client.images.edit(
            image=picture, prompt="a kite", size="auto", response_format="b64_json"
        )

    assert raised.value.status_code == 422 and raised.value.param == "size"
    assert "256x192" in raised.value.message and "input's size" in raised.value.message
    assert refused_lines == 0
    for answer in (same, auto):
        assert opened(base64.b64decode(answer.data[0].b64_json or "")).size == (256, 192)


def images_methods(client: openai.OpenAI) -> list[str]:
    """The public calls of `client.images` (generate, edit, create_variation…)."""
    return sorted(
        name
        for name, member in inspect.getmembers(client.images)
        if not name.startswith("_")
        and inspect.ismethod(member)
        and name not in ("with_raw_response", "with_streaming_response")
    )


def calls(client: openai.OpenAI) -> dict[str, Callable[..., Any]]:
    picture = ("in.png", png(), "image/png")
    return {
        "generate": lambda **extra: client.images.generate(prompt="a kite", **extra),
        "edit": lambda **extra: client.images.edit(image=picture, prompt="a kite", **extra),
        "create_variation": lambda **extra: client.images.create_variation(image=picture, **extra),
    }


# The client marks create_variation deprecated; it is still a call it makes.
@pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")
def test_every_images_method_answers_its_errors_in_openais_shape(tmp_path: Path) -> None:
    with serving(tmp_path) as served:
        client = served.openai("alice", max_retries=0)
        stranger = openai.OpenAI(
            base_url=served.api.base_url + "/v1", api_key="isk_not_a_key", max_retries=0
        )
        methods = images_methods(client)
        ours, theirs = calls(client), calls(stranger)
        assert set(methods) == set(ours), "a method of client.images this test does not know"
        errors: dict[tuple[str, str], openai.APIStatusError] = {}
        for name in methods:
            with pytest.raises(openai.APIStatusError) as unauthorised:
                theirs[name]()
            errors[name, "no key"] = unauthorised.value
            with pytest.raises(openai.APIStatusError) as invalid:
                ours[name](n=99)
            errors[name, "invalid"] = invalid.value
        with pytest.raises(openai.APIStatusError) as offered:
            ours["create_variation"]()
        errors["create_variation", "offered"] = offered.value
        other = httpx.get(
            served.api.base_url + "/v1/images/generations",
            headers={"Authorization": f"Bearer {served.api.keys['alice']}"},
        )
        nowhere = httpx.post(
            served.api.base_url + "/v1/images/nowhere",
            headers={"Authorization": f"Bearer {served.api.keys['alice']}"},
        )

    for (name, case), error in errors.items():
        body = error.body
        assert isinstance(body, dict), (name, case, error.response.text)
        assert set(body) >= {"message", "type", "code", "param"}, (name, case, body)
        assert error.message.startswith(f"Error code: {error.status_code} - ")
        assert body["message"] in error.message, (name, case, error.message)
        assert error.response.headers["content-type"] == "application/json"
    assert {errors[name, "no key"].status_code for name in methods} == {401}
    assert errors["generate", "invalid"].param == "n"
    assert errors["edit", "invalid"].param == "n"
    variation = errors["create_variation", "offered"]
    assert (variation.status_code, variation.code) == (404, "not-offered")
    assert "images.edit" in variation.message
    assert variation.response.headers["x-should-retry"] == "false"
    for response in (other, nowhere):
        assert response.headers["content-type"] == "application/json", response.text
        assert set(response.json()["error"]) >= {"message", "type", "code", "param"}
    assert (other.status_code, nowhere.status_code) == (405, 404)
