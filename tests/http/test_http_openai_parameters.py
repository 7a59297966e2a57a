"""Every optional parameter of the `openai` client's `images.generate` and `images.edit`, sent
one at a time through the client itself: a call the client builds is answered with its image
(what we have no use for is ignored), or refused with a typed 4xx that costs nothing; a field
the client does not send is refused. The parameters are read from the client's own signatures,
so one it grows is noticed here."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai
import pytest
from http_support import png
from test_http_openai import serving

NOT_PARAMETERS = frozenset({"extra_headers", "extra_query", "extra_body", "timeout"})
SHARED: dict[str, Any] = {
    "background": "auto",
    "complexity": "high",
    "frame_count": 1,
    "frame_duration_ms": 100,
    "model": "dall-e-3",
    "moderation": "auto",
    "n": 2,
    "output_format": "webp",
    "partial_images": 0,
    "quality": "auto",
    "response_format": "b64_json",
    "safety_identifier": "someone",
    "size": "256x256",
    "stream": False,
    "style": "vivid",
    "svg": {},
    "user": "someone",
    "input_fidelity": "low",
    "mask": ("mask.png", png(), "image/png"),
}
"""A value each optional parameter may take, answered with images."""
REFUSED: dict[str, tuple[Any, int, str]] = {
    "stream": (True, 400, "stream"),
    # No model here takes a quality level (test_http_openai_options.py: every field's values).
    "quality": ("high", 400, "quality"),
    # A compression needs a format that has one: OpenAI's default, PNG, has none.
    "output_compression": (50, 422, "output_compression"),
    "markup": (("markup.png", png(), "image/png"), 400, "markup"),
}
"""Values we do not serve: the status and the `param` of the refusal."""


def optional_parameters(method: Callable[..., Any]) -> list[str]:
    return [
        name
        for name, parameter in inspect.signature(method).parameters.items()
        if parameter.default is not inspect.Parameter.empty and name not in NOT_PARAMETERS
    ]


def calls(client: openai.OpenAI) -> dict[str, Callable[..., Any]]:
    return {
        "generate": lambda **options: client.images.generate(prompt="a kite", **options),
        # An edit's output has its input's size: 256x192, the size it is asked for.
        "edit": lambda **options: client.images.edit(
            image=("in.png", png(256, 192), "image/png"),
            prompt="a kite",
            **({**options, "size": "256x192"} if "size" in options else options),
        ),
    }


@pytest.mark.parametrize("method", ["generate", "edit"])
def test_every_parameter_the_client_sends_is_taken_or_refused_typed(
    tmp_path: Path, method: str
) -> None:
    with serving(tmp_path, offline_price_usd="0.01") as served:
        client = served.openai("alice", max_retries=0)
        call = calls(client)[method]
        names = optional_parameters(getattr(client.images, method))
        assert set(names) <= set(SHARED) | set(REFUSED), "a parameter this test does not know"
        answered: dict[str, int] = {}
        refused: dict[str, tuple[int, str | None]] = {}
        for name in names:
            if name in SHARED:
                answered[name] = len(call(**{name: SHARED[name]}).data)
            if name in REFUSED:
                with pytest.raises(openai.APIStatusError) as refusal:
                    call(**{name: REFUSED[name][0]})
                refused[name] = (refusal.value.status_code, refusal.value.param)
        ledger = served.ledger("alice")

    served_names = [name for name in names if name in SHARED]
    assert answered == {name: 2 if name == "n" else 1 for name in served_names}
    assert refused == {name: REFUSED[name][1:] for name in names if name in REFUSED}
    assert [line.outcome.value for line in ledger] == ["succeeded"] * len(served_names)


MADE_UP = ("sed", "negative_prompt", "parameters", "kind", "images")
"""Fields no image route reads: a misspelt `seed`, a model parameter, fields of our own API."""


@pytest.mark.parametrize("method", ["generate", "edit"])
def test_a_field_the_routes_do_not_read_is_refused_naming_it_and_costs_nothing(
    tmp_path: Path, method: str
) -> None:
    """Ignored, it charged an image made without it (OpenAI refuses an unknown parameter too)."""
    with serving(tmp_path, offline_price_usd="0.01") as served:
        call = calls(served.openai("alice", max_retries=0))[method]
        params: dict[str, tuple[int, str | None]] = {}
        for name in MADE_UP:
            with pytest.raises(openai.APIStatusError) as refusal:
                call(extra_body={name: "7"})
            params[name] = (refusal.value.status_code, refusal.value.param)
        ledger = served.ledger("alice")

    assert params == {name: (400, name) for name in MADE_UP}
    assert ledger == ()
