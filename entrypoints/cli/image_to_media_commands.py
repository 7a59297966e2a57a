"""`imagestudio to-3d|to-video`: turn an image into a 3D model or a short video.

Each command imports its request when it runs: `--help` reads only the signatures."""

from __future__ import annotations

from typing import Annotated

import typer

from imagestudio.entrypoints.cli.operation_inputs import images_or_fail, parameters_or_fail
from imagestudio.entrypoints.cli.operation_options import Image, Key, Model, Params, Seed, User
from imagestudio.entrypoints.cli.options import Json, Out
from imagestudio.entrypoints.cli.running import run_operation
from imagestudio.entrypoints.cli.studio import studio, user_or_default


def to_3d(
    image: Image,
    model: Model = None,
    user: User = None,
    param: Params = None,
    idempotency_key: Key = None,
    out: Out = None,
    json: Json = False,
) -> None:
    """Build a 3D model (GLB) from an image."""
    from imagestudio.application.use_cases.to_3d import ImageTo3DRequest

    inputs = [(image, "image")]
    images = images_or_fail(inputs, json)
    request = ImageTo3DRequest(
        user_id=user_or_default(user),
        image=images[0],
        model_id=model,
        parameters=parameters_or_fail(param, json),
        idempotency_key=idempotency_key,
    )
    run_operation(
        studio(),
        studio().to_3d.execute(request),
        label="building 3D model",
        as_json=json,
        out=out,
        inputs=inputs,
    )


def to_video(
    image: Image,
    prompt: Annotated[str, typer.Argument()] = "",
    duration: Annotated[int | None, typer.Option("--duration", help="Seconds.")] = None,
    resolution: Annotated[
        str | None, typer.Option("--resolution", help="480p, 720p, 1080p.")
    ] = None,
    model: Model = None,
    user: User = None,
    seed: Seed = None,
    param: Params = None,
    idempotency_key: Key = None,
    out: Out = None,
    json: Json = False,
) -> None:
    """Animate an image into a short video."""
    from imagestudio.application.use_cases.to_video import ImageToVideoRequest

    inputs = [(image, "image")]
    images = images_or_fail(inputs, json)
    request = ImageToVideoRequest(
        user_id=user_or_default(user),
        image=images[0],
        prompt=prompt,
        duration=duration,
        resolution=resolution,
        model_id=model,
        seed=seed,
        parameters=parameters_or_fail(param, json),
        idempotency_key=idempotency_key,
    )
    run_operation(
        studio(),
        studio().to_video.execute(request),
        label="rendering video",
        as_json=json,
        out=out,
        inputs=inputs,
    )
