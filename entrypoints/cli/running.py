"""Running one operation from the CLI: progress while it works, then the result or one error."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

import typer

from imagestudio.domain.errors import InvalidInput, OperationError
from imagestudio.entrypoints.cli.errors import EXIT_INTERRUPTED, EXIT_UNEXPECTED
from imagestudio.entrypoints.cli.operation_inputs import Inputs, by_file_name
from imagestudio.entrypoints.cli.out_files import Output, Written, targets, unwritable, write
from imagestudio.entrypoints.cli.output import (
    console,
    fail,
    line,
    money,
    print_json,
    print_json_error,
    table,
)

INTERRUPTED = (
    "interrupted: an operation not sent yet was released; one already sent stays held until "
    "`imagestudio reconcile` settles it, never charged twice (`imagestudio operations list` "
    "shows it)"
)

if TYPE_CHECKING:
    from returns.result import Result
    from rich.progress import Progress

    from imagestudio.application.requests import OperationResult
    from imagestudio.entrypoints.api import ImageStudio


def run_operation(
    studio: ImageStudio,
    work: Coroutine[Any, Any, Result[OperationResult, OperationError]],
    *,
    label: str,
    as_json: bool,
    out: str | None,
    inputs: Inputs = (),
) -> None:
    refused = None if out is None else unwritable(out)
    if refused is not None:  # before anything is reserved: a bad --out costs nothing
        work.close()
        fail(InvalidInput("out", refused), as_json)
    try:
        result = _run(studio, work, label=label, as_json=as_json)
    except KeyboardInterrupt:
        # The operation was cancelled: released if nothing had left yet, else held for
        # reconciliation (the money path logged which). Say what to do, in our one line.
        if as_json:
            print_json_error("Interrupted", INTERRUPTED)
        sys.stderr.write(f"error: {INTERRUPTED}\n")
        sys.exit(EXIT_INTERRUPTED)
    from returns.result import Failure

    if isinstance(result, Failure):
        fail(by_file_name(result.failure(), inputs), as_json)
    report(studio, result.unwrap(), as_json=as_json, out=out)


def _run(
    studio: ImageStudio,
    work: Coroutine[Any, Any, Result[OperationResult, OperationError]],
    *,
    label: str,
    as_json: bool,
) -> Result[OperationResult, OperationError]:
    if not console().is_terminal or as_json:
        return asyncio.run(work)
    from imagestudio.entrypoints.cli.progress_line import run_showing

    with _progress_bar() as bar:
        task = bar.add_task(label, total=None)  # no percentage from providers: it pulses

        def show(said: str) -> None:
            bar.update(task, description=f"{label}: {said}")

        return asyncio.run(run_showing(studio, work, show))


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
    unwritten: OSError | None = None
    try:
        written = write_outputs(studio, result, out) if out is not None else []
    except OSError as error:  # after it was paid for: say so, and where the outputs are kept
        written, unwritten = [], error
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
        _unwritten(result, out, unwritten)
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
    _unwritten(result, out, unwritten)


def _unwritten(result: OperationResult, out: str | None, error: OSError | None) -> None:
    """The outputs could not be copied to `--out` (found only while writing, as a folder that
    cannot be made there): the operation stands, its outputs are stored, and this says how to
    get them."""
    if error is None:
        return
    ids = " ".join(asset.id for asset in result.assets)
    sys.stderr.write(
        f"error: could not write to --out {out}: {error.strerror or error}; the operation "
        f"succeeded and its outputs are kept: imagestudio assets download <id> --out <folder>/ "
        f"for each of {ids}\n"
    )
    raise typer.Exit(EXIT_UNEXPECTED)


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
