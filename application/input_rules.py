"""Checks of a request against its model's limits: pure, so they cost nothing and write nothing."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from returns.result import Failure, Result, Success

from imagestudio.domain.errors import InputProblem, InvalidInput
from imagestudio.domain.errors.echo import echoed
from imagestudio.domain.model import Model
from imagestudio.domain.operation import ParameterValue
from imagestudio.domain.operation_kind import OperationKind as K

MAX_OUTPUTS = 10

# How many input images each kind needs (at least, at most).
IMAGE_COUNTS: Mapping[K, tuple[int, int]] = {
    K.TEXT_TO_IMAGE: (0, 0),
    K.IMAGE_EDIT: (1, 4),
    K.UPSCALE: (1, 1),
    K.CONTROL: (1, 2),
    K.IMAGE_TO_3D: (1, 4),
    K.FACE_SWAP: (2, 2),
    K.IMAGE_TO_VIDEO: (1, 1),
}

# Edit modes that need no prompt: they act on the image alone.
PROMPTLESS_MODES = frozenset({"erase", "remove-background", "outpaint"})
PROMPTED_KINDS = frozenset({K.TEXT_TO_IMAGE, K.CONTROL, K.IMAGE_EDIT})


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored as text everywhere (PostgreSQL refuses NUL; UTF-8 has no
    lone surrogates), or None."""
    if "\x00" in text:
        return "must not contain NUL characters"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode text (it holds a lone surrogate)"
    return None


def check_prompt(
    model: Model, kind: K, prompt: str, mode: str | None, *, required: bool = True
) -> InvalidInput | None:
    if len(prompt) > model.limits.max_prompt_chars:
        return InvalidInput(
            "prompt",
            f"{len(prompt)} characters; {model.id} takes at most {model.limits.max_prompt_chars}",
            InputProblem.TOO_LARGE,
        )
    if (problem := text_problem(prompt)) is not None:
        # Refused before anything is spent: the prompt is stored with the outputs, and a
        # database that cannot store it would lose outputs the provider already billed.
        return InvalidInput("prompt", problem)
    needs_prompt = required and kind in PROMPTED_KINDS and mode not in PROMPTLESS_MODES
    if needs_prompt and not prompt.strip():
        return InvalidInput("prompt", f"{kind} needs a prompt")
    return None


def check_required(
    model: Model, prompt: str, parameters: Mapping[str, ParameterValue]
) -> InvalidInput | None:
    """The first field `model` requires that the request leaves out or empty."""
    if "prompt" in parameters:
        # A prompt among the parameters would be sent nowhere: say where it belongs.
        return InvalidInput("parameters.prompt", "the prompt is its own field, not a parameter")
    for name in sorted(model.requires):
        value = prompt if name == "prompt" else parameters.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            where = name if name == "prompt" else f"parameters.{name}"
            return InvalidInput(where, f"{model.id} requires {echoed(name)}")
    return None


def check_outputs(model: Model, outputs: int) -> InvalidInput | None:
    most = min(MAX_OUTPUTS, model.limits.max_outputs)
    if not 1 <= outputs <= most:
        return InvalidInput("outputs", f"must be between 1 and {most} for {model.id}")
    return None


def check_size(
    model: Model, width: int, height: int, *, check_ratio: bool = True
) -> InvalidInput | None:
    """A requested output size against the model's sides, pixels and (for generation) ratios."""
    limits = model.limits
    for name, side in (("width", width), ("height", height)):
        if not limits.min_side <= side <= limits.max_side:
            return InvalidInput(
                "size", f"{name} {side} is outside {limits.min_side}..{limits.max_side} px"
            )
    if width * height > limits.max_output_pixels:
        return InvalidInput(
            "size",
            f"{width}x{height} exceeds {limits.max_output_pixels} pixels",
            InputProblem.TOO_LARGE,
        )
    if (
        check_ratio
        and limits.aspect_ratios
        and nearest_ratio(width, height, limits.aspect_ratios) is None
    ):
        allowed = ", ".join(limits.aspect_ratios)
        return InvalidInput("size", f"{width}x{height} is not one of {model.id}'s ratios {allowed}")
    return None


RATIO_TOLERANCE = Fraction(2, 100)
"""Providers name ratios loosely (1344x768 is sold as "16:9"): within 2% counts as a match."""


def nearest_ratio(width: int, height: int, ratios: tuple[str, ...]) -> str | None:
    """The listed ratio ("16:9") closest to width:height, if one is within the tolerance."""
    actual = Fraction(width, height)

    def distance(ratio: str) -> Fraction:
        across, _, down = ratio.partition(":")
        wanted = Fraction(int(across), int(down))
        return abs(actual - wanted) / wanted

    best = min(ratios, key=distance)
    return best if distance(best) <= RATIO_TOLERANCE else None


def check_model_images(model: Model, roles: list[str]) -> InvalidInput | None:
    """An image of a role the model does not read, or more pictures than it reads (a mask
    aside): either would be dropped on the way or turned down by the provider."""
    read = model.limits.input_roles
    for index, role in enumerate(roles):
        if read and role not in read:
            return InvalidInput(
                f"images[{index}]",
                f"{model.id} takes no {echoed(role)} image (its roles: {', '.join(read)})",
            )
    most = model.limits.max_input_images
    pictures = sum(1 for role in roles if role != "mask")
    if most is not None and pictures > most:
        return InvalidInput(
            "images", f"{model.id} takes at most {most} image(s) besides a mask, got {pictures}"
        )
    return None


def check_image_count(kind: K, count: int) -> InvalidInput | None:
    least, most = IMAGE_COUNTS[kind]
    if not least <= count <= most:
        wanted = str(least) if least == most else f"{least} to {most}"
        return InvalidInput("images", f"{kind} takes {wanted} input image(s), got {count}")
    return None


def choose_option(
    parameters: Mapping[str, ParameterValue], name: str, allowed: tuple[str, ...]
) -> Result[str | None, InvalidInput]:
    """The value of a string option that must be one of `allowed` (first one by default)."""
    if not allowed:
        return Success(None)
    value = parameters.get(name, allowed[0])
    if str(value) not in allowed:
        return Failure(InvalidInput(name, f"{echoed(value)} is not one of {', '.join(allowed)}"))
    return Success(str(value))


def positive_int(
    parameters: Mapping[str, ParameterValue], name: str, default: int
) -> Result[int, InvalidInput]:
    value = parameters.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return Failure(InvalidInput(name, f"must be a positive whole number, not {echoed(value)}"))
    return Success(value)
