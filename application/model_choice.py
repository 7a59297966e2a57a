"""Which model serves a request: the one named, or the best enabled one for the kind."""

from __future__ import annotations

from returns.result import Failure, Result, Success

from imagestudio.application.ports.catalog import ModelCatalog
from imagestudio.application.ports.provider import ProviderDirectory
from imagestudio.application.routing import AUTO, RoutingRules, one_output_price, route
from imagestudio.domain.errors import (
    InvalidInput,
    ProviderNotConfigured,
    UnknownModel,
    UnsupportedKind,
)
from imagestudio.domain.errors.echo import echoed
from imagestudio.domain.model import Model
from imagestudio.domain.operation_kind import OperationKind

ModelChoiceError = UnknownModel | UnsupportedKind | ProviderNotConfigured | InvalidInput

__all__ = [
    "AUTO",
    "ModelChoiceError",
    "candidates",
    "choose_model",
    "is_auto",
    "one_output_price",
]


def is_auto(model_id: str | None) -> bool:
    return model_id is None or model_id == AUTO


def candidates(
    catalog: ModelCatalog,
    providers: ProviderDirectory,
    kind: OperationKind,
    model_id: str | None,
    rules: RoutingRules,
    *,
    mode: str | None = None,
    require_configured: bool = True,
    takes: frozenset[str] = frozenset(),
) -> Result[list[Model], ModelChoiceError]:
    """The models to try, in order: the named one alone, or `auto`'s routing order (those
    taking the parameters named in `takes` first, `route`).

    A quote may name a model whose provider this profile lacks (`require_configured=False`):
    pricing needs only the catalog.
    """
    if is_auto(model_id):
        routed = route(catalog.all(), providers.names(), kind, rules, mode=mode, takes=takes)
        if not routed:
            return Failure(_unknown_mode(catalog, kind, mode) or UnsupportedKind(AUTO, kind.value))
        return Success(routed)
    assert model_id is not None
    model = catalog.get(model_id)
    if model is None:
        return Failure(UnknownModel(model_id))
    if not model.serves(kind):
        return Failure(UnsupportedKind(model_id, kind.value))
    if require_configured and providers.get(model.provider) is None:
        return Failure(ProviderNotConfigured(model.provider, model.id))
    return Success([model])


def choose_model(
    catalog: ModelCatalog,
    providers: ProviderDirectory,
    kind: OperationKind,
    model_id: str | None,
    *,
    mode: str | None = None,
    require_configured: bool = True,
    rules: RoutingRules | None = None,
    takes: frozenset[str] = frozenset(),
) -> Result[Model, ModelChoiceError]:
    """The named model if it exists, serves `kind` and has a configured provider; or `auto`'s
    first choice among enabled providers (the cheapest by default)."""
    found = candidates(
        catalog,
        providers,
        kind,
        model_id,
        rules or RoutingRules(),
        mode=mode,
        require_configured=require_configured,
        takes=takes,
    )
    return found.map(lambda models: models[0])


def _unknown_mode(
    catalog: ModelCatalog, kind: OperationKind, mode: str | None
) -> InvalidInput | None:
    """A mode no model of the catalog offers for `kind` is the caller's typo, not a lack of
    providers: say so, with the modes there are (a named model says the same of its own)."""
    known = dict.fromkeys(m for model in catalog.all() if model.serves(kind) for m in model.modes)
    if mode is None or mode in known or not known:
        return None
    return InvalidInput("mode", f"{echoed(mode)} is not one of {', '.join(known)}")
