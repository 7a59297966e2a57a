"""`imagestudio upscale|face-swap`: enlarge an image, or put a face onto it.

Each command imports its request when it runs: `--help` reads only the signatures."""

from __future__ import annotations

from typing import Annotated

import typer

from imagestudio.entrypoints.cli.operation_inputs import images_or_fail, parameters_or_fail
from imagestudio.entrypoints.cli.operation_options import Image, Key, Model, Params, Seed, User
from imagestudio.entrypoints.cli.options import Json, Out
from imagestudio.entrypoints.cli.running import run_operation
from imagestudio.entrypoints.cli.studio import studio, user_or_default


def upscale(
    image: Image,
    scale: Annotated[int, typer.Option("--scale", help="Enlargement factor.")] = 2,
    prompt: Annotated[
        str,
        typer.Option("--prompt", help="What the image shows (creative and conservative need it)."),
    ] = "",
    negative_prompt: Annotated[str | None, typer.Option("--negative-prompt")] = None,
    model: Model = None,
    user: User = None,
    seed: Seed = None,
    param: Params = None,
    idempotency_key: Key = None,
    out: Out = None,
    json: Json = False,
) -> None:
    """Upscale an image."""
    from imagestudio.application.use_cases.upscale import UpscaleRequest

    inputs = [(image, "image")]
    images = images_or_fail(inputs, json)
    parameters = parameters_or_fail(param, json)
    if negative_prompt:
        parameters = {**parameters, "negative_prompt": negative_prompt}
    request = UpscaleRequest(
        user_id=user_or_default(user),
        image=images[0],
        scale=scale,
        prompt=prompt,
        model_id=model,
        seed=seed,
        parameters=parameters,
        idempotency_key=idempotency_key,
    )
    run_operation(
        studio(),
        studio().upscale.execute(request),
        label="upscaling",
        as_json=json,
        out=out,
        inputs=inputs,
    )


def face_swap(
    face: Image,
    target: Image,
    target_index: Annotated[int, typer.Option("--target-index", help="Which face in TARGET.")] = 0,
    model: Model = None,
    user: User = None,
    param: Params = None,
    idempotency_key: Key = None,
    out: Out = None,
    json: Json = False,
) -> None:
    """Put the face from FACE onto the person in TARGET."""
    from imagestudio.application.use_cases.face_swap import FaceSwapRequest

    inputs = [(face, "face"), (target, "target")]
    images = images_or_fail(inputs, json)
    request = FaceSwapRequest(
        user_id=user_or_default(user),
        face=images[0],
        target=images[1],
        target_index=target_index,
        model_id=model,
        parameters=parameters_or_fail(param, json),
        idempotency_key=idempotency_key,
    )
    run_operation(
        studio(),
        studio().face_swap.execute(request),
        label="swapping faces",
        as_json=json,
        out=out,
        inputs=inputs,
    )
