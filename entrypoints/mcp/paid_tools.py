"""The paid tools, one per operation kind.

Each runs as the calling user, under their plan exactly as over HTTP: reserved before any
provider is called, refused (a tool error: whose limit, the numbers, when it clears) when the
plan has no room, charged only for what succeeds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from mcp.server.mcpserver import Context, MCPServer
from pydantic import Field

from imagestudio.domain.operation_kind import OperationKind
from imagestudio.entrypoints.http.schemas import OperationOut
from imagestudio.entrypoints.http.whole_numbers import WholeNumber, WholeNumberOrNone
from imagestudio.entrypoints.mcp import hints
from imagestudio.entrypoints.mcp.acting import Acting, Resolve
from imagestudio.entrypoints.mcp.inputs import (
    ImageArg,
    Model,
    Params,
    Seed,
    image_arguments,
    operation_request,
)
from imagestudio.entrypoints.mcp.running import run

Ctx = Context[Any, Any]
Tool = TypeVar("Tool", bound=Callable[..., Any])
Prompt = Annotated[str, Field(description="What to make, in words.")]
Key = Annotated[
    str | None,
    Field(
        max_length=200,
        description="Retrying with the same key answers with the first run's outcome instead "
        "of running (and charging) again.",
    ),
]
PAID_NOTE = (
    " Paid: reserved from your plan before anything runs and charged for what succeeds; call "
    "`quote` first with the same request to see the price and whether your plan has room, "
    "especially for an expensive run. Answers with the operation (its asset ids, signed links "
    "and the charge), or, when it takes long, with it still running: follow it with "
    "`get_operation`."
)


async def _run_paid(acting: Acting, kind: OperationKind, **arguments: Any) -> OperationOut:
    """A paid tool's call: its arguments as `operation_request` reads them, run as the caller."""
    request = operation_request(acting.user, kind, **arguments)
    return await run(acting, request, image_arguments(arguments["images"]))


def register(server: MCPServer[Any], resolve: Resolve) -> None:
    def paid_tool(description: str) -> Callable[[Tool], Tool]:
        """What makes a tool paid: the note on payment after its description, the paid hints."""
        return server.tool(
            description=description + PAID_NOTE, annotations=hints.PAID, structured_output=True
        )

    @paid_tool("Generate images from a prompt.")
    async def generate(
        ctx: Ctx,
        prompt: Prompt,
        model: Model = "auto",
        width: WholeNumberOrNone = None,
        height: WholeNumberOrNone = None,
        n: Annotated[WholeNumber, Field(description="How many variations.")] = 1,
        negative_prompt: str | None = None,
        seed: Seed = None,
        parameters: Params = None,
        idempotency_key: Key = None,
    ) -> OperationOut:
        return await _run_paid(
            resolve(ctx),
            OperationKind.TEXT_TO_IMAGE,
            images={},
            parameters=parameters,
            named={"negative_prompt": negative_prompt},
            idempotency_key=idempotency_key,
            model=model,
            prompt=prompt,
            width=width,
            height=height,
            n=n,
            seed=seed,
        )

    @paid_tool(
        "Edit an image with a prompt in one of the model's modes (erase, inpaint, "
        "outpaint...), optionally within a mask (white = edit)."
    )
    async def edit(
        ctx: Ctx,
        image: ImageArg,
        prompt: str = "",
        mode: str | None = None,
        mask: ImageArg | None = None,
        model: Model = "auto",
        seed: Seed = None,
        parameters: Params = None,
        idempotency_key: Key = None,
    ) -> OperationOut:
        return await _run_paid(
            resolve(ctx),
            OperationKind.IMAGE_EDIT,
            images={"image": image, "mask": mask},
            parameters=parameters,
            named={"mode": mode},
            idempotency_key=idempotency_key,
            model=model,
            prompt=prompt,
            seed=seed,
        )

    @paid_tool("Upscale an image by `scale`.")
    async def upscale(
        ctx: Ctx,
        image: ImageArg,
        scale: WholeNumber = 2,
        prompt: Annotated[str, Field(description="What it shows (some models need it).")] = "",
        model: Model = "auto",
        seed: Seed = None,
        parameters: Params = None,
        idempotency_key: Key = None,
    ) -> OperationOut:
        return await _run_paid(
            resolve(ctx),
            OperationKind.UPSCALE,
            images={"image": image},
            parameters=parameters,
            named={"scale": scale},
            idempotency_key=idempotency_key,
            model=model,
            prompt=prompt,
            seed=seed,
        )

    @paid_tool(
        "Generate an image guided by a control image (mode: sketch, structure, "
        "style, style-transfer with a style image)."
    )
    async def control(
        ctx: Ctx,
        image: ImageArg,
        prompt: Prompt,
        mode: str | None = None,
        style_image: ImageArg | None = None,
        model: Model = "auto",
        seed: Seed = None,
        parameters: Params = None,
        idempotency_key: Key = None,
    ) -> OperationOut:
        return await _run_paid(
            resolve(ctx),
            OperationKind.CONTROL,
            images={"image": image, "style": style_image},
            parameters=parameters,
            named={"mode": mode},
            idempotency_key=idempotency_key,
            model=model,
            prompt=prompt,
            seed=seed,
        )

    @paid_tool("Make a 3D model (GLB) of the object in an image.")
    async def image_to_3d(
        ctx: Ctx,
        image: ImageArg,
        model: Model = "auto",
        seed: Seed = None,
        parameters: Params = None,
        idempotency_key: Key = None,
    ) -> OperationOut:
        return await _run_paid(
            resolve(ctx),
            OperationKind.IMAGE_TO_3D,
            images={"image": image},
            parameters=parameters,
            named={},
            idempotency_key=idempotency_key,
            model=model,
            seed=seed,
        )

    @paid_tool("Put the face from `face` onto the `target_index`-th face in `target`.")
    async def face_swap(
        ctx: Ctx,
        face: ImageArg,
        target: ImageArg,
        target_index: WholeNumber = 0,
        model: Model = "auto",
        parameters: Params = None,
        idempotency_key: Key = None,
    ) -> OperationOut:
        return await _run_paid(
            resolve(ctx),
            OperationKind.FACE_SWAP,
            images={"face": face, "target": target},
            parameters=parameters,
            named={"target_index": target_index},
            idempotency_key=idempotency_key,
            model=model,
        )

    @paid_tool(
        "Animate an image into a video clip (duration in seconds, resolution "
        "480p/720p/1080p as the model offers). The most expensive kind: quote first."
    )
    async def image_to_video(
        ctx: Ctx,
        image: ImageArg,
        prompt: str = "",
        duration: WholeNumberOrNone = None,
        resolution: str | None = None,
        model: Model = "auto",
        seed: Seed = None,
        parameters: Params = None,
        idempotency_key: Key = None,
    ) -> OperationOut:
        return await _run_paid(
            resolve(ctx),
            OperationKind.IMAGE_TO_VIDEO,
            images={"image": image},
            parameters=parameters,
            named={"duration": duration, "resolution": resolution},
            idempotency_key=idempotency_key,
            model=model,
            prompt=prompt,
            seed=seed,
        )
