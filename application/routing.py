"""Routing `auto`: which models may serve a request, best first, under the operator's policy.

Only enabled providers are candidates. Real providers come first: the stand-ins (the offline
provider) are chosen only when no real provider can serve the kind, so a configured key is never
silently ignored in favour of a fake picture. The order is the fallback order too: after a
rate-limit or an outage at one provider, the next model of another provider is tried.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from imagestudio.application.parameter_rules import accepted_parameters
from imagestudio.domain.model import Model, ModelTier
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.pricing import BillableUnits

AUTO = "auto"


class RoutingPolicy(StrEnum):
    CHEAPEST = "cheapest"
    """The cheapest capable model (ties by id)."""
    QUALITY = "quality"
    """Models of the wanted tier first (cheapest first), then the nearest tiers."""
    PREFERENCE = "preference"
    """The operator's preference order (model ids or provider names), then the cheapest."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RoutingRules:
    policy: RoutingPolicy = RoutingPolicy.CHEAPEST
    tier: ModelTier = ModelTier.STANDARD
    """The tier the QUALITY policy looks for."""
    preference: tuple[str, ...] = ()
    """Model ids or provider names, most preferred first (PREFERENCE policy)."""
    stand_ins: frozenset[str] = frozenset({"offline"})
    """Providers used only when no real provider is enabled for the kind."""


def one_output_price(model: Model) -> int:
    """What one output costs at the model's defaults: the yardstick for "cheapest"."""
    width, height = model.default_size
    seconds = min(model.limits.durations, default=5)
    resolution = model.limits.resolutions[0] if model.limits.resolutions else None
    units = BillableUnits(outputs=1, pixels=width * height, seconds=seconds, resolution=resolution)
    return model.pricing.price(units)


def route(
    models: Iterable[Model],
    enabled: frozenset[str],
    kind: OperationKind,
    rules: RoutingRules,
    *,
    mode: str | None = None,
    takes: frozenset[str] = frozenset(),
) -> list[Model]:
    """Every model that can serve `kind` (offering `mode`, if asked) now, best first: of those,
    the ones taking every parameter named in `takes` when any does (else all of them, and the
    first refuses the parameter, naming the ones it takes: none is ever dropped on the way)."""
    capable = [
        model
        for model in models
        if model.serves(kind)
        and model.provider in enabled
        and (mode is None or mode in model.modes)
    ]
    real = [model for model in capable if model.provider not in rules.stand_ins] or capable
    fitting = [model for model in real if takes_all(model, kind, takes)]
    return sorted(fitting or real, key=lambda model: _rank(model, rules))


def takes_all(model: Model, kind: OperationKind, names: frozenset[str]) -> bool:
    """Whether `model` takes every parameter in `names` (one not described takes any)."""
    return model.parameters is None or names <= set(accepted_parameters(model, kind))


def _rank(model: Model, rules: RoutingRules) -> tuple[int, int, str]:
    price = one_output_price(model)
    if rules.policy is RoutingPolicy.QUALITY:
        return abs(model.tier.rank - rules.tier.rank), price, model.id
    if rules.policy is RoutingPolicy.PREFERENCE:
        return _preference(model, rules.preference), price, model.id
    return 0, price, model.id


def _preference(model: Model, preference: tuple[str, ...]) -> int:
    for position, wanted in enumerate(preference):
        if wanted in (model.id, model.provider):
            return position
    return len(preference)
