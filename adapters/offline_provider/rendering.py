"""Which renderer performs which kind of operation; blocking work, meant for a thread."""

from __future__ import annotations

from collections.abc import Callable

from imagestudio.adapters.offline_provider.control import control
from imagestudio.adapters.offline_provider.drawing import text_to_image
from imagestudio.adapters.offline_provider.edits import edit
from imagestudio.adapters.offline_provider.face_swap import face_swap
from imagestudio.adapters.offline_provider.image_to_3d import image_to_3d
from imagestudio.adapters.offline_provider.reading import UnusableInput
from imagestudio.adapters.offline_provider.upscaling import upscale
from imagestudio.adapters.offline_provider.video import image_to_video
from imagestudio.application.ports.provider import Artifact, ProviderJob
from imagestudio.domain.operation_kind import OperationKind

Renderer = Callable[[ProviderJob], tuple[Artifact, ...]]

RENDERERS: dict[OperationKind, Renderer] = {
    OperationKind.TEXT_TO_IMAGE: text_to_image,
    OperationKind.IMAGE_EDIT: edit,
    OperationKind.UPSCALE: upscale,
    OperationKind.CONTROL: control,
    OperationKind.FACE_SWAP: face_swap,
    OperationKind.IMAGE_TO_3D: image_to_3d,
    OperationKind.IMAGE_TO_VIDEO: image_to_video,
}


def render(job: ProviderJob) -> tuple[Artifact, ...]:
    """The job's outputs; raises UnusableInput for a job that cannot be performed."""
    if job.outputs < 1:
        raise UnusableInput(f"a call asks for at least one output, not {job.outputs}")
    if job.width < 1 or job.height < 1:
        raise UnusableInput(f"the size {job.width}x{job.height} has no pixels")
    if job.kind is OperationKind.TEXT_TO_IMAGE:
        _check_output_size(job)
    return RENDERERS[job.kind](job)


def _check_output_size(job: ProviderJob) -> None:
    limits = job.model.limits
    if (
        job.width * job.height > limits.max_output_pixels
        or max(job.width, job.height) > limits.max_side
    ):
        raise UnusableInput(
            f"{job.width}x{job.height} exceeds the model's output limits "
            f"({limits.max_output_pixels} pixels, {limits.max_side} px a side)"
        )
