"""Which model serves a request: the one named, or the cheapest configured one for the kind."""

from __future__ import annotations

from returns.result import Failure, Result, Success

from imagestudio.application.ports.catalog import ModelCatalog
from imagestudio.application.ports.provider import ProviderDirectory
from imagestudio.domain.errors import ProviderNotConfigured, UnknownModel, UnsupportedKind
from imagestudio.domain.model import Model
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.pricing import BillableUnits

ModelChoiceError = UnknownModel | UnsupportedKind | ProviderNotConfigured

AUTO = "auto"


def one_output_price(model: Model) -> int:
    width, height = model.default_size
    seconds = min(model.limits.durations, default=5)
    resolution = model.limits.resolutions[0] if model.limits.resolutions else None
    units = BillableUnits(outputs=1, pixels=width * height, seconds=seconds, resolution=resolution)
    return model.pricing.price(units)


def choose_model(
    catalog: ModelCatalog,
    providers: ProviderDirectory,
    kind: OperationKind,
    model_id: str | None,
    *,
    mode: str | None = None,
    require_configured: bool = True,
) -> Result[Model, ModelChoiceError]:
    """The named model if it exists, serves `kind` and has a configured provider; or the default.

    The default is the cheapest model for the kind (offering `mode`, when one is asked for)
    among configured providers (ties by id), so the offline profile picks the free offline
    models. A quote may name a model whose provider
    this profile lacks (`require_configured=False`): pricing needs only the catalog.
    """
    if model_id is None or model_id == AUTO:
        configured = providers.names()
        candidates = [
            model
            for model in catalog.all()
            if model.serves(kind)
            and model.provider in configured
            and (mode is None or mode in model.modes)
        ]
        if not candidates:
            return Failure(UnsupportedKind(AUTO, kind.value))
        return Success(min(candidates, key=lambda model: (one_output_price(model), model.id)))
    model = catalog.get(model_id)
    if model is None:
        return Failure(UnknownModel(model_id))
    if not model.serves(kind):
        return Failure(UnsupportedKind(model_id, kind.value))
    if require_configured and providers.get(model.provider) is None:
        return Failure(ProviderNotConfigured(model.provider, model.id))
    return Success(model)
