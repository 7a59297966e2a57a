"""`imagestudio generate|edit|control`: make or change an image from a prompt.

Each command imports its request when it runs: `--help` reads only the signatures."""

from __future__ import annotations

from typing import Annotated

import typer

from imagestudio.entrypoints.cli.operation_inputs import images_or_fail, parameters_or_fail
from imagestudio.entrypoints.cli.operation_options import Image, Key, Model, Params, Seed, User
from imagestudio.entrypoints.cli.options import Json, Out
from imagestudio.entrypoints.cli.running import run_operation
from imagestudio.entrypoints.cli.sizes import parse_size
from imagestudio.entrypoints.cli.studio import studio, user_or_default


def generate(
    prompt: str,
    model: Model = None,
    user: User = None,
    size: Annotated[str | None, typer.Option("--size", help="WxH, e.g. 1024x768.")] = None,
    variations: Annotated[int, typer.Option("--variations", "-n", help="Outputs, 1-10.")] = 1,
    seed: Seed = None,
    negative_prompt: Annotated[str | None, typer.Option("--negative-prompt")] = None,
    param: Params = None,
    idempotency_key: Key = None,
    out: Out = None,
    json: Json = False,
) -> None:
    """Generate images from a prompt."""
    from imagestudio.application.use_cases.generate import GenerateRequest

    width, height = parse_size(size)
    request = GenerateRequest(
        user_id=user_or_default(user),
        prompt=prompt,
        model_id=model,
        width=width,
        height=height,
        variations=variations,
        seed=seed,
        negative_prompt=negative_prompt,
        parameters=parameters_or_fail(param, json),
        idempotency_key=idempotency_key,
    )
    run_operation(
        studio(), studio().generate.execute(request), label="generating", as_json=json, out=out
    )


def edit(
    image: Image,
    prompt: Annotated[str, typer.Argument()] = "",
    mode: Annotated[
        str | None, typer.Option("--mode", help="erase, inpaint, outpaint, ...")
    ] = None,
    mask: Annotated[str | None, typer.Option("--mask", help="A mask image (white = edit).")] = None,
    model: Model = None,
    user: User = None,
    seed: Seed = None,
    param: Params = None,
    idempotency_key: Key = None,
    out: Out = None,
    json: Json = False,
) -> None:
    """Edit an image with a prompt."""
    from imagestudio.application.use_cases.edit import EditRequest

    inputs = [(image, "image"), *([(mask, "mask")] if mask else [])]
    images = images_or_fail(inputs, json)
    request = EditRequest(
        user_id=user_or_default(user),
        image=images[0],
        prompt=prompt,
        mode=mode,
        mask=images[1] if mask else None,
        model_id=model,
        seed=seed,
        parameters=parameters_or_fail(param, json),
        idempotency_key=idempotency_key,
    )
    run_operation(
        studio(),
        studio().edit.execute(request),
        label="editing",
        as_json=json,
        out=out,
        inputs=inputs,
    )


def control(
    image: Image,
    prompt: str,
    mode: Annotated[str, typer.Option("--mode", help="sketch, structure, style, style-transfer.")],
    style_image: Annotated[
        str | None, typer.Option("--style-image", help="For style-transfer.")
    ] = None,
    model: Model = None,
    user: User = None,
    seed: Seed = None,
    param: Params = None,
    idempotency_key: Key = None,
    out: Out = None,
    json: Json = False,
) -> None:
    """Generate an image guided by a control image."""
    from imagestudio.application.use_cases.control import ControlRequest

    inputs = [(image, "image"), *([(style_image, "style")] if style_image else [])]
    images = images_or_fail(inputs, json)
    request = ControlRequest(
        user_id=user_or_default(user),
        image=images[0],
        prompt=prompt,
        mode=mode,
        style_image=images[1] if style_image else None,
        model_id=model,
        seed=seed,
        parameters=parameters_or_fail(param, json),
        idempotency_key=idempotency_key,
    )
    run_operation(
        studio(),
        studio().control.execute(request),
        label="generating",
        as_json=json,
        out=out,
        inputs=inputs,
    )
