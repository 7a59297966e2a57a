"""Reading a job's parameters and inputs, refusing what the offline provider cannot use."""

from __future__ import annotations

import io
from collections.abc import Mapping

from PIL import Image

from imagestudio.application.ports.provider import InputImage, ProviderJob
from imagestudio.domain.operation import ParameterValue


class UnusableInput(Exception):
    """A job the offline provider cannot perform: becomes ProviderFailed(INVALID_INPUT)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def int_parameter(
    parameters: Mapping[str, ParameterValue], name: str, default: int, *, minimum: int = 0
) -> int:
    value = parameters.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise UnusableInput(f"parameter {name!r} must be an integer, not {value!r}")
    if value < minimum:
        raise UnusableInput(f"parameter {name!r} must be at least {minimum}, not {value}")
    return value


def choice_parameter(
    parameters: Mapping[str, ParameterValue], name: str, choices: tuple[str, ...]
) -> str:
    """The parameter's value among `choices`; the first choice is the default."""
    value = parameters.get(name, choices[0])
    if value not in choices:
        raise UnusableInput(
            f"parameter {name!r} must be one of {', '.join(choices)}, not {value!r}"
        )
    return str(value)


def input_for(job: ProviderJob, role: str, position: int) -> InputImage:
    """The input with `role`, or else the plain input at `position` in the job's order."""
    for given in job.inputs:
        if given.role == role:
            return given
    if position < len(job.inputs) and job.inputs[position].role == "image":
        return job.inputs[position]
    raise UnusableInput(f"{job.kind} needs an input image with role {role!r}")


def main_image(job: ProviderJob) -> InputImage:
    """The image the operation works on: the first plain input, or else the first input."""
    for given in job.inputs:
        if given.role == "image":
            return given
    if job.inputs:
        return job.inputs[0]
    raise UnusableInput(f"{job.kind} needs an input image")


def optional_input(job: ProviderJob, role: str) -> InputImage | None:
    return next((given for given in job.inputs if given.role == role), None)


def decoded(given: InputImage, mode: str = "RGB") -> Image.Image:
    """The input's pixels in `mode`; undecodable bytes are unusable input, not a crash."""
    try:
        with Image.open(io.BytesIO(given.data)) as opened:
            opened.load()
            image = opened.convert("RGBA") if _has_alpha(opened) else opened.convert("RGB")
    except Exception as error:
        raise UnusableInput(f"the {given.role} input is not a decodable image: {error}") from error
    if image.mode == mode:
        return image
    if image.mode == "RGBA" and mode == "RGB":
        return _flattened(image)
    return image.convert(mode)


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _flattened(image: Image.Image) -> Image.Image:
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background
