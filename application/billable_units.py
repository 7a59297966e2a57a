"""What an operation bills for: the units its reservation is priced on."""

from __future__ import annotations

from collections.abc import Mapping

from imagestudio.application.input_rules import choose_option
from imagestudio.application.preparation_refusal import Refused, take
from imagestudio.application.requests import OperationRequest
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.errors.echo import echoed
from imagestudio.domain.model import Model
from imagestudio.domain.operation import ParameterValue
from imagestudio.domain.operation_kind import OperationKind as K
from imagestudio.domain.pricing import BillableUnits


def reserve_units(
    request: OperationRequest,
    model: Model,
    width: int,
    height: int,
    parameters: dict[str, ParameterValue],
) -> BillableUnits:
    n = request.outputs
    if request.kind is K.IMAGE_TO_VIDEO:
        durations = model.limits.durations or (5,)
        duration = parameters.get("duration", min(durations))
        # A whole number of seconds, by type: 5.0 == 5 and True == 1 would pass `in`, then be
        # priced and sent as what they are.
        if type(duration) is not int or duration not in durations:
            raise Refused(
                InvalidInput(
                    "duration",
                    f"{echoed(duration)} is not one of {', '.join(map(str, durations))}"
                    " (whole seconds)",
                )
            )
        resolution = take(choose_option(parameters, "resolution", model.limits.resolutions))
        parameters["duration"] = duration
        if resolution is not None:
            parameters["resolution"] = resolution
    return units_for(request.kind, n, width, height, parameters)


def units_for(
    kind: K, outputs: int, width: int, height: int, parameters: Mapping[str, ParameterValue]
) -> BillableUnits:
    """What `outputs` outputs of a validated request bill for (the reservation's units)."""
    if kind is K.IMAGE_TO_VIDEO:
        duration = parameters.get("duration")
        resolution = parameters.get("resolution")
        assert isinstance(duration, int)
        return BillableUnits(
            outputs=outputs,
            seconds=duration,
            resolution=None if resolution is None else str(resolution),
        )
    if kind is K.IMAGE_TO_3D:
        return BillableUnits(outputs=outputs)
    return BillableUnits(outputs=outputs, pixels=outputs * width * height)
