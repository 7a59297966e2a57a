"""The size of an operation's output: asked for, the model's default, or derived from the input."""

from __future__ import annotations

from collections.abc import Mapping

from returns.result import Failure, Result, Success

from imagestudio.application.input_rules import check_size, positive_int
from imagestudio.application.ports.provider import InputImage
from imagestudio.application.preparation_refusal import Refused, ok, take
from imagestudio.application.requests import OperationRequest
from imagestudio.domain.errors import InputProblem, InvalidInput
from imagestudio.domain.errors.echo import echoed
from imagestudio.domain.model import Model
from imagestudio.domain.operation import ParameterValue
from imagestudio.domain.operation_kind import OperationKind as K


def output_size(
    request: OperationRequest,
    model: Model,
    inputs: tuple[InputImage, ...],
    parameters: dict[str, ParameterValue],
) -> tuple[int, int]:
    asked = (request.width, request.height)
    if (request.width is None) != (request.height is None):
        raise Refused(InvalidInput("size", "give both width and height, or neither"))
    if request.kind is K.TEXT_TO_IMAGE or not inputs:
        width, height = asked if request.width is not None else model.default_size
        assert width is not None and height is not None
        ok(check_size(model, width, height))
        return width, height
    base = next((im for im in inputs if im.role in ("image", "target")), inputs[0])
    if request.kind is K.UPSCALE:
        scale = take(positive_int(parameters, "scale", 2))
        parameters["scale"] = scale
        if request.width is not None and request.height is not None:
            ok(check_size(model, request.width, request.height, check_ratio=False))
            return request.width, request.height
        width, height = base.width * scale, base.height * scale
        if width * height > model.limits.max_output_pixels:
            raise Refused(
                InvalidInput(
                    "scale",
                    f"{width}x{height} exceeds {model.limits.max_output_pixels} output pixels",
                    InputProblem.TOO_LARGE,
                )
            )
        return width, height
    width, height = base.width, base.height
    if parameters.get("mode") == "outpaint":
        grow = {
            side: take(_non_negative(parameters, side, 128))
            for side in ("left", "right", "up", "down")
        }
        parameters.update(grow)
        width += grow["left"] + grow["right"]
        height += grow["up"] + grow["down"]
        ok(check_size(model, width, height, check_ratio=False))
    if request.width is not None and (request.width, request.height) != (width, height):
        # The output follows the input here: a size asked otherwise would be ignored, and the
        # caller charged for what they did not ask.
        raise Refused(
            InvalidInput(
                "size",
                f"{request.kind} makes its output at the input's size ({width}x{height} here, "
                "outpaint margins included): leave the size out, or ask for that one",
            )
        )
    return width, height


def _non_negative(
    parameters: Mapping[str, ParameterValue], name: str, default: int
) -> Result[int, InvalidInput]:
    value = parameters.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return Failure(InvalidInput(name, f"must be a whole number of pixels, not {echoed(value)}"))
    return Success(value)
