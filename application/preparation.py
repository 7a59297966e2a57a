"""Turn a request into a priced, validated operation, or a typed error. Nothing is written."""

from __future__ import annotations

from returns.result import Failure, Result, Success

from imagestudio.application.billable_units import reserve_units
from imagestudio.application.image_roles import check_image_roles
from imagestudio.application.input_images import check_request_bytes, load_input
from imagestudio.application.input_rules import (
    check_image_count,
    check_model_images,
    check_outputs,
    check_prompt,
    check_required,
    choose_option,
)
from imagestudio.application.model_choice import choose_model
from imagestudio.application.operation_ports import OperationPorts
from imagestudio.application.output_size import output_size
from imagestudio.application.parameter_rules import parameter_problem
from imagestudio.application.ports.provider import InputImage
from imagestudio.application.preparation_refusal import Refused, ok, take
from imagestudio.application.prepared_operation import PreparedOperation
from imagestudio.application.request_hash import request_hash
from imagestudio.application.requests import OperationRequest
from imagestudio.domain.errors import InvalidInput, OperationError, WebhookRefused
from imagestudio.domain.model import Model
from imagestudio.domain.operation import ParameterValue
from imagestudio.domain.pricing import PriceUnavailable
from imagestudio.domain.seed import seed_problem


def _text(value: ParameterValue | None) -> str | None:
    return None if value is None else str(value)


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
    The request's shape (`shape_problem`) is its use case's to check, once, before this.
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
            # As a run's first usable model (run_operation.py): one that takes the parameters.
            takes=frozenset(request.parameters),
        )
        if isinstance(chosen, Failure):
            return Failure(chosen.failure())
        model = chosen.unwrap()
    try:
        return Success(await _prepare(ports, request, model, quoting))
    except Refused as refused:
        return Failure(refused.error)


def requested_mode(request: OperationRequest) -> str | None:
    """The sub-operation the caller asked for, which `auto` routing must respect."""
    return _text(request.parameters.get("mode"))


async def _prepare(
    ports: OperationPorts, request: OperationRequest, model: Model, quoting: bool
) -> PreparedOperation:
    kind = request.kind
    ok(parameter_problem(model, kind, request.parameters))
    parameters: dict[str, ParameterValue] = dict(request.parameters)
    mode = take(choose_option(parameters, "mode", model.modes))
    if mode is not None:
        parameters["mode"] = mode
    # A quote prices; the prompt (like the images) only matters if the caller gave one.
    ok(check_prompt(model, kind, request.prompt, mode, required=not quoting))
    if not quoting:
        ok(check_required(model, request.prompt, parameters))
    ok(check_outputs(model, request.outputs))
    if request.seed is not None:
        # As the request is split into calls (outcomes.split_into_calls): ceil(n / per call).
        calls = -(-request.outputs // max(1, model.limits.outputs_per_call))
        refused = seed_problem(request.seed, calls)
        if refused is not None:
            raise Refused(InvalidInput("seed", refused))
    inputs: tuple[InputImage, ...] = ()
    digests: tuple[str, ...] = ()
    if not quoting or request.images:
        ok(check_image_count(kind, len(request.images)))
        ok(check_image_roles(kind, [image.role for image in request.images], mode))
        ok(check_model_images(model, [image.role for image in request.images]))
        loaded = [
            await load_input(ports, request.user_id, model, i, im)
            for i, im in enumerate(request.images)
        ]
        inputs = tuple(image for image, _ in loaded)
        digests = tuple(digest for _, digest in loaded)
        ok(check_request_bytes(model, request.prompt, parameters, inputs))
    width, height = output_size(request, model, inputs, parameters)
    units = reserve_units(request, model, width, height, parameters)
    try:
        price = model.pricing.price(units)
    except PriceUnavailable as error:
        raise Refused(InvalidInput("parameters", str(error))) from None
    # Last, as it may wait on DNS: a request refused for anything else is refused at once.
    if request.webhook is not None:
        refusal = await ports.destinations.refusal(request.webhook.url)
        if refusal is not None:
            raise Refused(WebhookRefused(refusal))
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
            request_hash(request, model, digests, parameters)
            if request.idempotency_key is not None
            else ""
        ),
    )
