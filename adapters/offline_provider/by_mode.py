"""Rendering every output of a job with the transform its `mode` parameter names."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PIL import Image

from imagestudio.adapters.offline_provider.encoding import image_artifact
from imagestudio.adapters.offline_provider.reading import choice_parameter, decoded, main_image
from imagestudio.adapters.offline_provider.seeding import base_seed, variation_seed
from imagestudio.application.ports.provider import Artifact, ProviderJob

ModeTransform = Callable[[Image.Image, ProviderJob, int], Image.Image]


def render_by_mode(
    job: ProviderJob, modes: tuple[str, ...], transforms: Mapping[str, ModeTransform]
) -> tuple[Artifact, ...]:
    """Each output is the main input run through the mode's transform with its own seed."""
    mode = choice_parameter(job.parameters, "mode", modes)
    image = decoded(main_image(job))
    base = base_seed(job.prompt, job.seed)
    artifacts = []
    for index in range(job.outputs):
        seed = variation_seed(base, index)
        artifacts.append(image_artifact(transforms[mode](image, job, seed), job.model.output, seed))
    return tuple(artifacts)
