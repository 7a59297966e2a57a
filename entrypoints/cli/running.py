"""Running one operation from the CLI: progress while it works, then the result or one error."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from imagestudio.domain.errors import InvalidInput, OperationError
from imagestudio.entrypoints.cli.out_files import Output, Written, targets, write
from imagestudio.entrypoints.cli.output import (
    console,
    fail,
    line,
    money,
    print_json,
    table,
)

if TYPE_CHECKING:
    from returns.result import Result
    from rich.progress import Progress

    from imagestudio.application.requests import ImageInput, OperationResult
    from imagestudio.domain.operation import ParameterValue
    from imagestudio.entrypoints.api import ImageStudio
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
        parameters[name] = value
    return parameters


def run_operation(
    studio: ImageStudio,
    work: Coroutine[Any, Any, Result[OperationResult, OperationError]],
    *,
    label: str,
    as_json: bool,
    out: str | None,
    inputs: Inputs = (),
) -> None:
    if console().is_terminal and not as_json:
        from imagestudio.entrypoints.cli.progress_line import run_showing

        with _progress_bar() as bar:
            task = bar.add_task(label, total=None)  # no percentage from providers: it pulses

            def show(said: str) -> None:
                bar.update(task, description=f"{label}: {said}")

            result = asyncio.run(run_showing(studio, work, show))
    else:
        result = asyncio.run(work)
    from returns.result import Failure

    if isinstance(result, Failure):
        fail(by_file_name(result.failure(), inputs), as_json)
    report(studio, result.unwrap(), as_json=as_json, out=out)


def _progress_bar() -> Progress:
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console(),
        transient=True,
    )


def report(studio: ImageStudio, result: OperationResult, *, as_json: bool, out: str | None) -> None:
    operation = result.operation
    written = write_outputs(studio, result, out) if out is not None else []
    locations = {asset.id: studio.container.assets().location(asset) for asset in result.assets}
    locations |= {place.asset_id: str(place.path) for place in written}
    if as_json:
        print_json(
            {
                "operation_id": operation.id,
                "status": operation.status.value,
                "kind": operation.kind.value,
                "model": operation.model_id,
                "provider": operation.provider,
                "charged_micros": result.charged,
                "charged_usd": money(result.charged),
                "assets": [
                    {
                        "id": asset.id,
                        "media_type": asset.media_type.value,
                        "size_bytes": asset.size_bytes,
                        "width": asset.width,
                        "height": asset.height,
                        "duration_seconds": asset.duration_seconds,
                        "path": locations[asset.id],
                    }
                    for asset in result.assets
                ],
                "failed_outputs": list(result.failed_outputs),
            }
        )
        return
    console().print(
        f"[bold]{operation.kind}[/] {operation.id} with {operation.model_id}: "
        f"{len(result.assets)} output(s), charged {money(result.charged)}",
        soft_wrap=True,  # the operation's id stays on one line, however narrow the terminal
    )
    table(
        "assets",
        ["id", "type", "size", "bytes", "path"],
        [
            (
                asset.id,
                asset.media_type.value,
                _dimensions(asset.width, asset.height),
                asset.size_bytes,
                locations[asset.id],
            )
            for asset in result.assets
        ],
    )
    sizes = {asset.id: asset.size_bytes for asset in result.assets}
    for place in written:
        line(place.said(sizes[place.asset_id]))
    for reason in result.failed_outputs:
        console().print(f"[yellow]one output failed:[/] {reason}", soft_wrap=True)


def write_outputs(studio: ImageStudio, result: OperationResult, out: str) -> list[Written]:
    """Copy the outputs to `out` (see out_files.py), named after what they hold."""
    store = studio.container.assets()
    outputs = []
    for asset in result.assets:
        loaded = asyncio.run(store.load(asset.owner, asset.id))
        assert loaded is not None, f"{asset.id} was stored moments ago"
        outputs.append(Output(asset.id, loaded[1], asset.media_type))
    places = targets(out, outputs)
    write(outputs, places)
    return places


def _dimensions(width: int | None, height: int | None) -> str:
    return f"{width}x{height}" if width and height else "-"
