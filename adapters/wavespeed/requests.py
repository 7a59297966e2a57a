"""The submit body for one job: the model's input fields, flat, as WaveSpeed v3 reads them."""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from dataclasses import dataclass

from imagestudio.adapters.wavespeed.model_fields import (
    PASSED_THROUGH,
    SizeField,
    is_akool,
    size_field,
    split_path,
    takes_image_list,
    takes_seed,
    upload_fields,
)
from imagestudio.application.ports.provider import InputImage, ProviderJob
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation_kind import OperationKind

BodyValue = str | int | float | bool | list[str]
Body = dict[str, BodyValue]

COMMON_ASPECT_RATIOS = ("1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3", "21:9")
"""For aspect-ratio models whose catalog entry lists none: the ratios they all accept."""

_OUTPUT_FORMATS = {MediaType.JPEG: "jpeg", MediaType.PNG: "png", MediaType.WEBP: "webp"}
_MAIN_ROLES = ("image", "target")


@dataclass(frozen=True, slots=True)
class Upload:
    """An input the model wants as a hosted URL: which body field the URL goes in."""

    field: str
    image: InputImage


def route_of(job: ProviderJob) -> str:
    """The model's route under `/api/v3/`, without the catalog's fixed fields."""
    return split_path(job.model.provider_path)[0]


def uploads_needed(job: ProviderJob) -> tuple[Upload, ...]:
    """The inputs to upload before submitting (3D and video models take URLs, not data)."""
    wanted = upload_fields(job.kind, route_of(job))
    uploads: list[Upload] = []
    for role, field in wanted.items():
        image = main_input(job) if role == "image" else _with_role(job, role)
        if image is not None:
            uploads.append(Upload(field, image))
    return tuple(uploads)


def build_body(
    job: ProviderJob, *, uploaded: Mapping[str, str] | None = None, sync_mode: bool = False
) -> Body:
    """The JSON body of the submit; `uploaded` maps body fields to the URLs of uploaded inputs."""
    route, fixed = split_path(job.model.provider_path)
    body: Body = {}
    if job.kind is OperationKind.UPSCALE:
        body.update(_upscale_fields(job))
    elif job.kind is OperationKind.FACE_SWAP:
        body.update(_face_swap_fields(job, route))
    elif job.kind is OperationKind.IMAGE_TO_VIDEO:
        body.update(_video_fields(job))
    elif job.kind is not OperationKind.IMAGE_TO_3D:  # 3D models read only uploaded URLs
        body.update(_prompted_fields(job, route))
    body.update(uploaded or {})
    if takes_seed(job.kind):
        body["seed"] = -1 if job.seed is None else job.seed
    if job.model.output in _OUTPUT_FORMATS:
        body["output_format"] = _OUTPUT_FORMATS[job.model.output]
    for name, value in job.parameters.items():
        if name in PASSED_THROUGH:
            body[name] = value
    body.update(fixed)
    if sync_mode:
        body["enable_sync_mode"] = True
    return body


def main_input(job: ProviderJob) -> InputImage | None:
    """The image the operation works on: the first "image" or "target", else the first input."""
    for image in job.inputs:
        if image.role in _MAIN_ROLES:
            return image
    return job.inputs[0] if job.inputs else None


def data_uri(image: InputImage) -> str:
    return f"data:{image.media_type.value};base64,{base64.b64encode(image.data).decode('ascii')}"


def nearest_aspect_ratio(width: int, height: int, choices: tuple[str, ...]) -> str:
    """The ratio among `choices` ("W:H") closest to width/height, compared on a log scale."""
    wanted = math.log(width / height)

    def distance(choice: str) -> float:
        left, _, right = choice.partition(":")
        return abs(math.log(float(left) / float(right)) - wanted)

    return min(choices or COMMON_ASPECT_RATIOS, key=distance)


def target_resolution(job: ProviderJob) -> str:
    """The upscaler's target: as asked, else the smallest of 2k/4k/8k that holds the output."""
    asked = job.parameters.get("target_resolution", job.parameters.get("resolution"))
    if isinstance(asked, str) and asked:
        return asked
    longest = max(job.width, job.height)
    if longest <= 2048:
        return "2k"
    return "4k" if longest <= 4096 else "8k"


def _prompted_fields(job: ProviderJob, route: str) -> Body:
    body: Body = {"prompt": job.prompt}
    shape = size_field(job.kind, route)
    if shape is SizeField.SIZE:
        body["size"] = f"{job.width}*{job.height}"
    elif shape is SizeField.ASPECT_RATIO:
        body["aspect_ratio"] = nearest_aspect_ratio(
            job.width, job.height, job.model.limits.aspect_ratios
        )
    pictures = [image for image in job.inputs if image.role != "mask"]
    if pictures:
        if takes_image_list(route):
            body["images"] = [data_uri(image) for image in pictures]
        else:
            main = main_input(job)
            assert main is not None
            body["image"] = data_uri(main)
    mask = _with_role(job, "mask")
    if mask is not None:
        body["mask_image"] = data_uri(mask)
    if job.model.limits.outputs_per_call > 1:
        body["num_images"] = job.outputs
    return body


def _upscale_fields(job: ProviderJob) -> Body:
    body: Body = {"target_resolution": target_resolution(job)}
    main = main_input(job)
    if main is not None:
        body["image"] = data_uri(main)
    return body


def _face_swap_fields(job: ProviderJob, route: str) -> Body:
    target, face = main_input(job), _with_role(job, "face")
    body: Body = {}
    if target is not None:
        body["image"] = data_uri(target)
    if is_akool(route):  # arrays: which faces of `image` (all of it) get which new faces
        if target is not None:
            body["target_image"] = [data_uri(target)]
        if face is not None:
            body["source_image"] = [data_uri(face)]
    elif face is not None:
        body["face_image"] = data_uri(face)
    return body


def _video_fields(job: ProviderJob) -> Body:
    body: Body = {"prompt": job.prompt}
    for name in ("resolution", "duration"):
        value = job.parameters.get(name)
        if value is not None:
            body[name] = value
    return body


def _with_role(job: ProviderJob, role: str) -> InputImage | None:
    return next((image for image in job.inputs if image.role == role), None)
