"""OpenAI's `quality`, `style`, `background`, `moderation`, `complexity` and `input_fidelity`,
every value the `openai` client can send (read from its own signatures, so a value it grows is
noticed), through the client itself on both image routes: OpenAI's defaults are taken;
`moderation=low` turns a model's safety checker off where the model has one;
`background=opaque` is taken when the answer is a JPEG; every other value is refused with a 400
naming the field, and costs nothing. They used to be ignored, so an image made without what was
asked was charged as if it were. And every other field the client can send is one the routes
read, a file they take, or one that changes nothing made here (`IGNORED`): a field the client
grows fails here until it is decided."""

from __future__ import annotations

import base64
import inspect
import io
import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
from http_support import png
from PIL import Image
from test_http_openai import Served, serving

from imagestudio.adapters.sandbox.config import SANDBOX_KEY, SandboxConfig
from imagestudio.adapters.sandbox.runner import RunningSandbox
from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.usage_record import Outcome
from imagestudio.entrypoints.http.openai_options import IGNORED, SERVED
from imagestudio.entrypoints.http.openai_schemas import ImagesIn

FIELDS = tuple(SERVED)
TAKEN = {
    ("complexity", "high"),
    ("input_fidelity", "low"),
    ("quality", "auto"),
    ("quality", "standard"),
    ("style", "vivid"),
    ("background", "auto"),
    ("moderation", "auto"),
}
"""OpenAI's defaults (DALL·E's `standard` and `vivid` among them): nothing more is asked."""
IN_THIS_COMBINATION = {("moderation", "low"), ("background", "opaque")}
"""Served, but not as sent here (422, as for `output_compression` without a format):
`moderation=low` maps onto a model's safety checker, and the offline generator has none (the
catalog's check refuses it); `background=opaque` needs `output_format=jpeg`. The others are not
offered at all (400)."""


def literal_values(annotation: object) -> set[str]:
    """The strings of every `Literal` inside an annotation (`Optional[Literal[...]] | Omit`)."""
    if typing.get_origin(annotation) is typing.Literal:
        return {value for value in typing.get_args(annotation) if isinstance(value, str)}
    found: set[str] = set()
    for inner in typing.get_args(annotation):
        found |= literal_values(inner)
    return found


def client_values(method: Callable[..., Any]) -> dict[str, set[str]]:
    hints = typing.get_type_hints(method, localns=vars(openai.types) | vars(types))
    return {name: literal_values(hints[name]) for name in FIELDS if name in hints}


GENERATE_VALUES = client_values(openai.resources.images.Images.generate)
EDIT_VALUES = client_values(openai.resources.images.Images.edit)
CASES = [  # sorted: a set's order differs between test workers, which must collect alike
    ("generate", name, value)
    for name, values in GENERATE_VALUES.items()
    for value in sorted(values)
] + [("edit", name, value) for name, values in EDIT_VALUES.items() for value in sorted(values)]


def test_the_client_offers_every_field_and_more_than_the_defaults() -> None:
    assert set(GENERATE_VALUES) | set(EDIT_VALUES) == set(FIELDS)
    assert set(EDIT_VALUES) == {"quality", "background", "complexity", "input_fidelity"}
    every = {(name, value) for _, name, value in CASES}
    assert every > TAKEN
    assert {("moderation", "low"), ("style", "natural"), ("background", "transparent")} <= every


CLIENT_ONLY = {"self", "extra_headers", "extra_query", "extra_body", "timeout"}
"""The client's own arguments, not fields of the request."""
EDIT_FILES = {"image", "mask"}


def client_fields(method: Callable[..., Any]) -> set[str]:
    return set(inspect.signature(method).parameters) - CLIENT_ONLY


def client_files(method: Callable[..., Any]) -> set[str]:
    hints = typing.get_type_hints(method, localns=vars(openai.types) | vars(types))
    return {name for name in client_fields(method) if "IO[bytes]" in str(hints[name])}


@pytest.mark.parametrize("method", ["generate", "edit"])
def test_every_field_the_client_sends_is_read_taken_as_a_file_or_changes_nothing(
    method: str,
) -> None:
    signature = getattr(openai.resources.images.Images, method)
    fields = client_fields(signature) - client_files(signature)
    undecided = fields - set(ImagesIn.model_fields) - set(IGNORED)
    assert not undecided, f"decide what {sorted(undecided)} mean here (openai_options.py)"
    assert not set(IGNORED) & set(ImagesIn.model_fields)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(tmp_path_factory.mktemp("options"), offline_price_usd="0.01") as served:
        yield served


def call(client: openai.OpenAI, method: str, **options: Any) -> Any:
    if method == "generate":
        return client.images.generate(prompt="a kite", response_format="b64_json", **options)
    return client.images.edit(
        image=("in.png", png(256, 192), "image/png"),
        prompt="a kite",
        response_format="b64_json",
        **options,
    )


@pytest.mark.parametrize(("method", "name", "value"), CASES)
def test_every_value_is_taken_or_refused_with_its_param(
    served: Served, method: str, name: str, value: str
) -> None:
    client = served.openai("alice", max_retries=0)
    lines = len(served.ledger("alice"))
    if (name, value) in TAKEN:
        answer = call(client, method, **{name: value})
        assert len(answer.data) == 1
        assert [line.outcome for line in served.ledger("alice")[lines:]] == [Outcome.SUCCEEDED]
        return
    with pytest.raises(openai.APIStatusError) as refused:
        call(client, method, **{name: value})
    assert refused.value.status_code == (422 if (name, value) in IN_THIS_COMBINATION else 400)
    assert refused.value.param == name, refused.value.message
    assert served.ledger("alice")[lines:] == (), "a refusal costs nothing"


@pytest.mark.parametrize(
    "name", sorted(client_files(openai.resources.images.Images.edit) - EDIT_FILES)
)
def test_a_file_the_edit_route_does_not_take_is_refused_and_costs_nothing(
    served: Served, name: str
) -> None:
    client = served.openai("alice", max_retries=0)
    lines = len(served.ledger("alice"))
    with pytest.raises(openai.BadRequestError) as refused:
        call(client, "edit", **{name: ("extra.png", png(256, 192), "image/png")})
    assert refused.value.param == name, refused.value.message
    assert served.ledger("alice")[lines:] == ()


@pytest.mark.parametrize("method", ["generate", "edit"])
@pytest.mark.parametrize(("name", "value"), [("style", "natural"), ("moderation", "low")])
def test_style_and_moderation_sent_to_an_edit_as_extra_fields_are_refused_too(
    served: Served, method: str, name: str, value: str
) -> None:
    # The edit's signature has neither, but the route reads its form as the generation's body.
    client = served.openai("alice", max_retries=0)
    lines = len(served.ledger("alice"))
    with pytest.raises(openai.APIStatusError) as refused:
        call(client, method, extra_body={name: value})
    assert refused.value.param == name
    assert served.ledger("alice")[lines:] == ()


@pytest.mark.parametrize("method", ["generate", "edit"])
def test_an_opaque_background_is_taken_for_a_jpeg_answer(served: Served, method: str) -> None:
    client = served.openai("alice", max_retries=0)
    answer = call(client, method, background="opaque", output_format="jpeg")
    image = Image.open(io.BytesIO(base64.b64decode(answer.data[0].b64_json)))
    assert image.format == "JPEG" and image.mode == "RGB"
    for output_format in ("png", "webp"):
        with pytest.raises(openai.UnprocessableEntityError) as refused:
            call(client, method, background="opaque", output_format=output_format)
        assert refused.value.param == "background"


def test_moderation_low_turns_the_safety_checker_off_on_a_model_that_has_one(
    tmp_path: Path,
) -> None:
    with (
        RunningSandbox(SandboxConfig()) as sandbox,
        serving(
            tmp_path,
            wavespeed_api_key=SANDBOX_KEY,
            wavespeed_base_url=sandbox.base_url,
            wavespeed_poll_seconds=0.1,
            stability_api_key=SANDBOX_KEY,
            stability_base_url=sandbox.base_url,
        ) as served,
    ):
        client = served.openai("alice", max_retries=0)
        answer = client.images.generate(
            prompt="a kite", size="512x512", moderation="low", response_format="b64_json"
        )
        with pytest.raises(openai.UnprocessableEntityError) as refused:
            client.images.generate(
                prompt="a kite", model="stability/generate-core", moderation="low"
            )
        lines = served.ledger("alice")
        operation = served.on_server(
            served.studio.container.operations().get(lines[0].operation_id)
        )

    assert len(answer.data) == 1
    # `auto` chose the model with a safety checker, and sent it off.
    assert operation is not None
    assert operation.model_id == "wavespeed/qwen-image"
    assert operation.parameters == {"enable_safety_checker": False}
    assert operation.status is OperationStatus.SUCCEEDED
    # A model without one refuses it, naming OpenAI's field; nothing is charged.
    assert refused.value.param == "moderation"
    assert "enable_safety_checker" in refused.value.message
    assert [line.model_id for line in lines] == ["wavespeed/qwen-image"]
