"""The multipart/form-data body of one Stability call, built from a job and its endpoint."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from imagestudio.adapters.stability.endpoints import Endpoint, ModelEndpoint
from imagestudio.application.ports.provider import InputImage, ProviderJob
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation import ParameterValue

ASPECT_RATIOS = ("21:9", "16:9", "3:2", "5:4", "1:1", "4:5", "2:3", "9:16", "9:21")
MAX_SEED = 4_294_967_294
DEFAULT_IMAGE_STRENGTH = 0.5
"""Stability requires `strength` with an image; half keeps the input's layout recognisable."""

# Filled by the adapter from the job itself; a parameter of the same name never overrides them.
# `mode` and `scale` are also our own parameters (edit/control sub-operation, upscale factor).
_FROM_THE_JOB = frozenset({"prompt", "seed", "output_format", "aspect_ratio", "mode", "model"})
_OURS = frozenset({"scale"})

_FORMAT_NAMES = {MediaType.PNG: "png", MediaType.JPEG: "jpeg", MediaType.WEBP: "webp"}

FilePart = tuple[str, tuple[str | None, bytes, str | None]]
"""httpx's multipart tuple: (field, (filename or None for a text field, content, type))."""


class MissingImage(Exception):
    """The endpoint needs an input image the job does not have: refused before sending."""

    def __init__(self, field: str) -> None:
        super().__init__(f"the endpoint needs an input image for {field}")
        self.field = field


@dataclass(frozen=True, slots=True, kw_only=True)
class StabilityForm:
    fields: dict[str, str]
    files: dict[str, InputImage]
    """Form field name → the image sent under it."""

    def multipart(self) -> list[FilePart]:
        """Every part as an httpx `files` entry, so even a body without images is multipart."""
        parts: list[FilePart] = [
            (name, (None, value.encode(), None)) for name, value in self.fields.items()
        ]
        for name, image in self.files.items():
            filename = f"{name}.{image.media_type.extension}"
            parts.append((name, (filename, image.data, image.media_type.value)))
        return parts


def build_form(job: ProviderJob, target: ModelEndpoint) -> StabilityForm:
    """The body for `job` at `target`: only fields the endpoint knows, never our own.

    Raises MissingImage when the endpoint needs an input the job does not have.
    """
    endpoint = target.endpoint
    files = _files(job.inputs, endpoint)
    fields: dict[str, str] = {
        name: _encode(value)
        for name, value in job.parameters.items()
        if name in endpoint.fields and name not in _FROM_THE_JOB | _OURS
    }
    if job.prompt.strip() and endpoint.prompt_field in endpoint.fields:
        fields.setdefault(endpoint.prompt_field, job.prompt)
    fields.update((k, v) for k, v in target.fixed_fields.items() if k in endpoint.fields)
    with_image = endpoint.image_optional_mode and "image" in files
    if with_image:
        fields.setdefault("strength", _encode(DEFAULT_IMAGE_STRENGTH))
    else:
        fields.pop("strength", None)
    if "mode" in endpoint.fields:
        fields["mode"] = "image-to-image" if with_image else "text-to-image"
    if "aspect_ratio" in endpoint.fields and not with_image:
        fields["aspect_ratio"] = nearest_aspect_ratio(
            job.width, job.height, job.model.limits.aspect_ratios or ASPECT_RATIOS
        )
    if "seed" in endpoint.fields and job.seed is not None:
        # Calls of one request take seed, seed+1…: wrap rather than exceed Stability's range.
        fields["seed"] = str(job.seed % (MAX_SEED + 1))
    if endpoint.output_formats:
        fields["output_format"] = output_format(job.model.output, endpoint)
    return StabilityForm(fields={k: fields[k] for k in sorted(fields)}, files=files)


def output_format(wanted: MediaType, endpoint: Endpoint) -> str:
    """The model's output format, or the endpoint's first when it cannot give that one."""
    name = _FORMAT_NAMES.get(wanted, "")
    return name if name in endpoint.output_formats else endpoint.output_formats[0]


def nearest_aspect_ratio(width: int, height: int, allowed: tuple[str, ...]) -> str:
    """The allowed ratio ("16:9") closest to width:height."""
    actual = Fraction(width, height)

    def distance(ratio: str) -> Fraction:
        across, _, down = ratio.partition(":")
        wanted = Fraction(int(across), int(down))
        return abs(actual - wanted) / wanted

    return min(allowed, key=distance)


def _files(inputs: tuple[InputImage, ...], endpoint: Endpoint) -> dict[str, InputImage]:
    files: dict[str, InputImage] = {}
    for image in inputs:
        name = endpoint.images.get(image.role)
        if name is not None and name not in files:
            files[name] = image
    for role in sorted(endpoint.required_roles):
        if endpoint.images[role] not in files:
            raise MissingImage(endpoint.images[role])
    return files


def _encode(value: ParameterValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
