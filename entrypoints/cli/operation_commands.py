"""The CLI commands that run an operation (and may spend quota).

Each command imports its request when it runs: `--help` reads only the signatures."""

from __future__ import annotations

from typing import Annotated

import typer

from imagestudio.entrypoints.cli.options import Json, Out
from imagestudio.entrypoints.cli.running import images_or_fail, parameters_or_fail, run_operation
from imagestudio.entrypoints.cli.sizes import parse_size
from imagestudio.entrypoints.cli.studio import studio, user_or_default

Model = Annotated[str | None, typer.Option("--model", "-m", help="Model id, or 'auto'.")]
User = Annotated[
    str | None, typer.Option("--user", "-u", help="User id (default: the local user).")
]
Seed = Annotated[int | None, typer.Option("--seed", help="Seed for reproducible output.")]
Key = Annotated[
    str | None,
    typer.Option("--idempotency-key", help="Retries with this key replay the first outcome."),
]
Image = Annotated[str, typer.Argument(help="An image file, or asset:<id> for a stored asset.")]
Params = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        "-p",
        help="A model field as name=value, repeatable (search_prompt=cat, left=200, "
        "creativity=0.4, style_preset=anime); numbers and true/false are typed.",
    ),
]


def register(app: typer.Typer) -> None:
    app.command()(generate)
    app.command()(edit)
    app.command()(upscale)
    app.command()(control)
    app.command("to-3d")(to_3d)
    app.command("face-swap")(face_swap)
    app.command("to-video")(to_video)


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
