"""A request's parameters against its model: a name the model does not take, or a value out of
the range its catalog entry gives, is refused before anything is reserved. Left to the provider,
an unknown parameter was dropped on the way (or refused after the money was held) and the user
charged for a request that ignored it."""

from __future__ import annotations

from collections.abc import Mapping

from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.errors.echo import echoed
from imagestudio.domain.model import Model
from imagestudio.domain.operation import ParameterValue
from imagestudio.domain.operation_kind import OperationKind as K

OUTPAINT_MARGINS = ("left", "right", "up", "down")


def our_parameters(model: Model, kind: K) -> frozenset[str]:
    """The parameters this library reads itself for `model` doing `kind` (the sub-operation,
    an upscale factor, outpaint margins, a face's index, a video's duration and resolution),
    whatever the provider calls them: each checked by its own rule."""
    names: set[str] = set()
    if model.modes:
        names.add("mode")
    if "outpaint" in model.modes:
        names.update(OUTPAINT_MARGINS)
    if kind is K.UPSCALE:
        names.add("scale")
    if kind is K.FACE_SWAP:
        names.add("target_index")
    if model.limits.durations:
        names.add("duration")
    if model.limits.resolutions:
        names.add("resolution")
    return frozenset(names)


def accepted_parameters(model: Model, kind: K) -> tuple[str, ...]:
    """Every parameter name `model` takes for `kind`, sorted; empty if it takes none."""
    described = {parameter.name for parameter in model.parameters or ()}
    return tuple(sorted(described | our_parameters(model, kind)))


def parameter_problem(
    model: Model, kind: K, parameters: Mapping[str, ParameterValue]
) -> InvalidInput | None:
    """The first parameter `model` does not take, or takes no such value of; None if all fit
    (and for a model whose parameters are not described)."""
    if model.parameters is None:
        return None
    described = {parameter.name: parameter for parameter in model.parameters}
    ours = our_parameters(model, kind)
    for name in sorted(parameters):
        spec = described.get(name)
        if spec is None and name not in ours:
            accepted = accepted_parameters(model, kind)
            takes = ", ".join(accepted) if accepted else "no parameters"
            return InvalidInput(
                f"parameters.{name}",
                f"{model.id} takes no parameter {echoed(name)}; it takes {takes}",
                accepted=accepted,
            )
        if spec is not None and (wrong := spec.problem(parameters[name])) is not None:
            return InvalidInput(
                f"parameters.{name}",
                f"{wrong} for {model.id}, not {echoed(parameters[name])}",
            )
    return None
