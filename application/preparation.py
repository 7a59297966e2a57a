"""Turn a request into a priced, validated operation, or a typed error. Nothing is written."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from returns.result import Failure, Result, Success

from imagestudio.application.input_rules import (
    check_image_count,
    check_outputs,
    check_prompt,
    check_required,
    check_size,
    choose_option,
    positive_int,
)
from imagestudio.application.model_choice import AUTO, choose_model, is_auto
from imagestudio.application.operation_ports import OperationPorts
from imagestudio.application.ports.provider import InputImage
from imagestudio.application.requests import ImageInput, OperationRequest
from imagestudio.domain.errors import (
    AssetNotFound,
    InputProblem,
    InvalidInput,
    OperationError,
    WebhookRefused,
)
from imagestudio.domain.model import Model
from imagestudio.domain.money import Micros
from imagestudio.domain.operation import ParameterValue
from imagestudio.domain.operation_kind import OperationKind as K
from imagestudio.domain.pricing import BillableUnits, PriceUnavailable

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class PreparedOperation:
    request: OperationRequest
    model: Model
    inputs: tuple[InputImage, ...]
    input_digests: tuple[str, ...]
    input_asset_ids: tuple[str, ...]
    width: int
    height: int
    parameters: Mapping[str, ParameterValue]
    reserve_units: BillableUnits
    price: Micros
    """The highest this request can cost: what is reserved."""
    request_hash: str
    """What an idempotency key's retries must match; empty when the request has no key."""


class _Refused(Exception):
    """Carries a typed error out of the nested checks; never leaves this module."""

    def __init__(self, error: OperationError) -> None:
        self.error = error


def _text(value: ParameterValue | None) -> str | None:
    return None if value is None else str(value)


def _ok(problem: OperationError | None) -> None:
    if problem is not None:
        raise _Refused(problem)


def _take(result: Result[T, InvalidInput]) -> T:
    if isinstance(result, Failure):
        raise _Refused(result.failure())
    return result.unwrap()


async def prepare(
    ports: OperationPorts,
    request: OperationRequest,
    *,
    quoting: bool = False,
    model: Model | None = None,
) -> Result[PreparedOperation, OperationError]:
    """Validate `request` against its model (or `model`, when routing chose one) and price it.

    `quoting` prices without running: images are checked only if given, and the model's
    provider need not be configured here. A webhook is checked either way (a quote says the run
    would be refused): a destination that may not receive deliveries is `WebhookRefused`.
    """
    if model is None:
        chosen = choose_model(
            ports.catalog,
            ports.providers,
            request.kind,
            request.model_id,
            mode=requested_mode(request),
            require_configured=not quoting,
            rules=ports.routing,
        )
        if isinstance(chosen, Failure):
            return Failure(chosen.failure())
        model = chosen.unwrap()
    try:
        return Success(await _prepare(ports, request, model, quoting))
    except _Refused as refused:
        return Failure(refused.error)


def requested_mode(request: OperationRequest) -> str | None:
    """The sub-operation the caller asked for, which `auto` routing must respect."""
    return _text(request.parameters.get("mode"))


async def _prepare(
    ports: OperationPorts, request: OperationRequest, model: Model, quoting: bool
) -> PreparedOperation:
    kind = request.kind
    parameters: dict[str, ParameterValue] = dict(request.parameters)
    mode = _take(choose_option(parameters, "mode", model.modes))
    if mode is not None:
        parameters["mode"] = mode
    # A quote prices; the prompt (like the images) only matters if the caller gave one.
    _ok(check_prompt(model, kind, request.prompt, mode, required=not quoting))
    if not quoting:
        _ok(check_required(model, request.prompt, parameters))
    _ok(check_outputs(model, request.outputs))
    if request.seed is not None and request.seed < 0:
        raise _Refused(InvalidInput("seed", "must be 0 or more"))
    inputs: tuple[InputImage, ...] = ()
    digests: tuple[str, ...] = ()
    if not quoting or request.images:
        _ok(check_image_count(kind, len(request.images)))
        loaded = [
            await _load(ports, request.user_id, model, i, im) for i, im in enumerate(request.images)
        ]
        inputs = tuple(image for image, _ in loaded)
        digests = tuple(digest for _, digest in loaded)
    width, height = _output_size(request, model, inputs, parameters)
    units = _reserve_units(request, model, width, height, parameters)
    try:
        price = model.pricing.price(units)
    except PriceUnavailable as error:
        raise _Refused(InvalidInput("parameters", str(error))) from None
    # Last, as it may wait on DNS: a request refused for anything else is refused at once.
    if request.webhook is not None:
        refusal = await ports.destinations.refusal(request.webhook.url)
        if refusal is not None:
            raise _Refused(WebhookRefused(refusal))
    return PreparedOperation(
        request=request,
        model=model,
        inputs=inputs,
        input_digests=digests,
        input_asset_ids=tuple(im.asset_id for im in request.images if im.asset_id is not None),
        width=width,
        height=height,
        parameters=parameters,
        reserve_units=units,
        price=price,
        # Compared only when a key is claimed: without one it is not worth its JSON and hash.
        request_hash=(
            _request_hash(request, model, digests, parameters)
            if request.idempotency_key is not None
            else ""
        ),
    )


async def _load(
    ports: OperationPorts, user_id: str, model: Model, index: int, image: ImageInput
) -> tuple[InputImage, str]:
    field = f"images[{index}]"
    data = image.data
    if image.asset_id is not None:
        try:
            stored = await ports.assets.load(user_id, image.asset_id)
        except ValueError:
            stored = None  # an id that cannot name a file is not one of the caller's assets
        if stored is None:
            raise _Refused(AssetNotFound(image.asset_id))
        data = stored[1]
    assert data is not None
    limits = model.limits
    if len(data) > limits.max_input_bytes:
        raise _Refused(
            InvalidInput(
                field,
                f"{len(data)} bytes; {model.id} takes at most {limits.max_input_bytes}",
                InputProblem.TOO_LARGE,
            )
        )
    info = _take(ports.inspector.inspect(data, field, limits.max_input_pixels))
    if info.media_type not in limits.input_formats:
        accepted = ", ".join(media.extension for media in limits.input_formats)
        raise _Refused(
            InvalidInput(field, f"{model.id} accepts {accepted}", InputProblem.UNSUPPORTED_FORMAT)
        )
    if (
        min(info.width, info.height) < limits.min_side
        or info.width * info.height < limits.min_input_pixels
    ):
        raise _Refused(
            InvalidInput(field, f"{info.width}x{info.height} is too small for {model.id}")
        )
    digest = hashlib.sha256(data).hexdigest()
    return (
        InputImage(
            data=data,
            media_type=info.media_type,
            width=info.width,
            height=info.height,
            role=image.role,
        ),
        digest,
    )


def _output_size(
    request: OperationRequest,
    model: Model,
    inputs: tuple[InputImage, ...],
    parameters: dict[str, ParameterValue],
) -> tuple[int, int]:
    asked = (request.width, request.height)
    if (request.width is None) != (request.height is None):
        raise _Refused(InvalidInput("size", "give both width and height, or neither"))
    if request.kind is K.TEXT_TO_IMAGE or not inputs:
        width, height = asked if request.width is not None else model.default_size
        assert width is not None and height is not None
        _ok(check_size(model, width, height))
        return width, height
    base = next((im for im in inputs if im.role in ("image", "target")), inputs[0])
    if request.kind is K.UPSCALE:
        scale = _take(positive_int(parameters, "scale", 2))
        parameters["scale"] = scale
        if request.width is not None and request.height is not None:
            _ok(check_size(model, request.width, request.height, check_ratio=False))
            return request.width, request.height
        width, height = base.width * scale, base.height * scale
        if width * height > model.limits.max_output_pixels:
            raise _Refused(
                InvalidInput(
                    "scale",
                    f"{width}x{height} exceeds {model.limits.max_output_pixels} output pixels",
                    InputProblem.TOO_LARGE,
                )
            )
        return width, height
    if parameters.get("mode") == "outpaint":
        grow = {
            side: _take(_non_negative(parameters, side, 128))
            for side in ("left", "right", "up", "down")
        }
        parameters.update(grow)
        width = base.width + grow["left"] + grow["right"]
        height = base.height + grow["up"] + grow["down"]
        _ok(check_size(model, width, height, check_ratio=False))
        return width, height
    return base.width, base.height


def _non_negative(
    parameters: Mapping[str, ParameterValue], name: str, default: int
) -> Result[int, InvalidInput]:
    value = parameters.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return Failure(InvalidInput(name, f"must be a whole number of pixels, not {value!r}"))
    return Success(value)


def _reserve_units(
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
            raise _Refused(
                InvalidInput(
                    "duration",
                    f"{duration!r} is not one of {', '.join(map(str, durations))} (whole seconds)",
                )
            )
        resolution = _take(choose_option(parameters, "resolution", model.limits.resolutions))
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


def _request_hash(
    request: OperationRequest,
    model: Model,
    digests: tuple[str, ...],
    parameters: Mapping[str, ParameterValue],
) -> str:
    canonical = json.dumps(
        {
            "kind": request.kind.value,
            # As asked: an `auto` request is the same request whichever model routing picks.
            "model": AUTO if is_auto(request.model_id) else model.id,
            "prompt": request.prompt,
            "inputs": list(digests),
            "roles": [image.role for image in request.images],
            "size": [request.width, request.height],
            "outputs": request.outputs,
            "seed": request.seed,
            "parameters": {key: parameters[key] for key in sorted(parameters)},
        },
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
