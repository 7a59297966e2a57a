"""What an operation command was given, read as the request needs it: each input image (a file,
or `asset:<id>`), named back by what the person typed; and `--param name=value` parameters."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from imagestudio.domain.errors import InvalidInput
from imagestudio.entrypoints.cli.output import fail

if TYPE_CHECKING:
    from imagestudio.application.requests import ImageInput
    from imagestudio.domain.operation import ParameterValue
    from imagestudio.entrypoints.cli.errors import Problem

ASSET_PREFIX = "asset:"


def image_argument(value: str, role: str = "image") -> ImageInput | InvalidInput:
    """A file path, or `asset:<id>` for one of the user's stored assets."""
    from imagestudio.application.requests import ImageInput

    if value.startswith(ASSET_PREFIX):
        return ImageInput(asset_id=value.removeprefix(ASSET_PREFIX), role=role)
    path = Path(value)
    if not path.is_file():
        return InvalidInput(role, f"no such file: {value}")
    return ImageInput(data=path.read_bytes(), role=role)


Inputs = Sequence[tuple[str, str]]
"""The images a command was given, in request order: each as written and the role it plays."""


def images_or_fail(values: Inputs, as_json: bool) -> list[ImageInput]:
    images = []
    for value, role in values:
        image = image_argument(value, role)
        if isinstance(image, InvalidInput):
            fail(image, as_json)
        images.append(image)
    return images


def by_file_name(error: Problem, inputs: Inputs) -> Problem:
    """An error about an input image, naming the file (or asset) it was given as rather than
    its place in the request (`images[1]`), which the person typing never saw."""
    if not isinstance(error, InvalidInput):
        return error
    roles = [role for _, role in inputs]
    names = {f"images[{index}]": f"{role} {value}" for index, (value, role) in enumerate(inputs)}
    names |= {role: f"{role} {value}" for value, role in inputs if roles.count(role) == 1}
    field = names.get(error.field)
    return error if field is None else dataclasses.replace(error, field=field)


def parse_parameter(text: str) -> tuple[str, ParameterValue] | InvalidInput:
    """`name=value`: an integer, a decimal number, true/false, or else the text itself."""
    name, equals, raw = text.partition("=")
    name = name.strip()
    if not equals or not name:
        return InvalidInput("--param", f"{text!r} is not name=value")
    value: ParameterValue = raw
    lowered = raw.strip().lower()
    if lowered in ("true", "false"):
        value = lowered == "true"
    else:
        for number in (int, float):
            try:
                value = number(raw)
                break
            except ValueError:
                continue
    return name, value


def parameters_or_fail(values: list[str] | None, as_json: bool) -> dict[str, ParameterValue]:
    parameters: dict[str, ParameterValue] = {}
    for text in values or []:
        parsed = parse_parameter(text)
        if isinstance(parsed, InvalidInput):
            fail(parsed, as_json)
        name, value = parsed
        if name in parameters:  # the last one silently won, and was paid for
            fail(InvalidInput("param", f"{name} is given twice: give it once"), as_json)
        parameters[name] = value
    return parameters
