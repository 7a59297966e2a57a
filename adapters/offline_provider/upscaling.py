"""Upscaling by Lanczos resampling, never past what the model may output."""

from __future__ import annotations

import math

from PIL import Image

from imagestudio.adapters.offline_provider.encoding import image_artifact
from imagestudio.adapters.offline_provider.reading import (
    UnusableInput,
    decoded,
    int_parameter,
    main_image,
)
from imagestudio.application.ports.provider import Artifact, ProviderJob
from imagestudio.domain.model import InputLimits

DEFAULT_SCALE = 2


def upscale(job: ProviderJob) -> tuple[Artifact, ...]:
    """To the job's size when it differs from the input's, else by the `scale` parameter (2).

    A size past the model's limits is shrunk, keeping the aspect ratio, to the largest it allows.
    """
    image = decoded(main_image(job), "RGBA")
    size = clamped(wanted_size(job, image.size), job.model.limits)
    if size[0] <= image.width and size[1] <= image.height:
        raise UnusableInput(
            f"cannot upscale a {image.width}x{image.height} image within the model's limits "
            f"({job.model.limits.max_output_pixels} pixels, {job.model.limits.max_side} px a side)"
        )
    if image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB")
    result = image.resize(size, Image.Resampling.LANCZOS)
    artifact = image_artifact(result, job.model.output)
    return (artifact,) * job.outputs


def wanted_size(job: ProviderJob, size: tuple[int, int]) -> tuple[int, int]:
    width, height = size
    if (job.width, job.height) != size:
        return (job.width, job.height)
    scale = int_parameter(job.parameters, "scale", DEFAULT_SCALE, minimum=1)
    return (width * scale, height * scale)


def clamped(size: tuple[int, int], limits: InputLimits) -> tuple[int, int]:
    width, height = size
    factor = min(
        1.0,
        math.sqrt(limits.max_output_pixels / (width * height)),
        limits.max_side / max(width, height),
    )
    if factor == 1.0:
        return size
    clamped_size = (max(1, math.floor(width * factor)), max(1, math.floor(height * factor)))
    while clamped_size[0] * clamped_size[1] > limits.max_output_pixels:
        clamped_size = (clamped_size[0] - 1, max(1, clamped_size[1] - 1))
    return clamped_size
