"""Real outputs for the sandbox: the offline renderer, driven by what a request asked for."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PIL import Image

from imagestudio.adapters.offline_provider.reading import UnusableInput
from imagestudio.adapters.offline_provider.rendering import render
from imagestudio.application.ports.provider import Artifact, InputImage, ProviderJob
from imagestudio.domain.media import MediaType
from imagestudio.domain.model import InputLimits, Model
from imagestudio.domain.operation import ParameterValue
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.pricing import FlatPerOutput

_FORMATS = {"PNG": MediaType.PNG, "JPEG": MediaType.JPEG, "WEBP": MediaType.WEBP}


class RenderRefused(Exception):
    """The request cannot be rendered (undecodable image, impossible size): a 400 upstream."""


@dataclass(frozen=True, slots=True)
class GivenImage:
    data: bytes
    role: str = "image"
    """"image", "mask", "face", "target" or "style": what the offline renderer uses it for."""


def media_type_for(output_format: str) -> MediaType:
    """`jpeg` / `jpg` / `png` / `webp` / `glb` / `mp4` → the media type (ValueError otherwise)."""
    return MediaType.from_extension(output_format)


def read_image(given: GivenImage) -> InputImage:
    try:
        with Image.open(io.BytesIO(given.data)) as image:
            media = _FORMATS.get(image.format or "")
            width, height = image.size
    except Exception as error:
        raise RenderRefused(f"could not decode the {given.role} image: {error}") from None
    if media is None:
        raise RenderRefused(f"the {given.role} image must be PNG, JPEG or WebP")
    return InputImage(
        data=given.data, media_type=media, width=width, height=height, role=given.role
    )


async def render_outputs(
    *,
    kind: OperationKind,
    prompt: str,
    width: int,
    height: int,
    images: Sequence[GivenImage] = (),
    output: MediaType = MediaType.PNG,
    outputs: int = 1,
    seed: int | None = None,
    parameters: Mapping[str, ParameterValue] | None = None,
) -> tuple[Artifact, ...]:
    """Render `outputs` real files (in a thread: it is CPU work). Raises RenderRefused."""
    inputs = tuple(read_image(given) for given in images)
    model = Model(
        id=f"sandbox/{kind.value}",
        provider="sandbox",
        provider_path=kind.value,
        kinds=frozenset({kind}),
        pricing=FlatPerOutput(micros=0),
        output=output,
        limits=InputLimits(max_side=16_384, max_output_pixels=1 << 28, max_outputs=16),
    )
    job = ProviderJob(
        model=model,
        kind=kind,
        prompt=prompt,
        inputs=inputs,
        width=width,
        height=height,
        outputs=outputs,
        seed=seed,
        parameters=dict(parameters or {}),
    )
    try:
        return await asyncio.to_thread(render, job)
    except UnusableInput as problem:
        raise RenderRefused(problem.detail) from None
