"""List models: what the catalog offers, for which kinds, at what price."""

from __future__ import annotations

from dataclasses import dataclass

from imagestudio.application.model_choice import one_output_price
from imagestudio.application.ports.catalog import ModelCatalog
from imagestudio.application.ports.provider import ProviderDirectory
from imagestudio.domain.model import Model
from imagestudio.domain.money import Micros
from imagestudio.domain.operation_kind import OperationKind


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelListing:
    model: Model
    price_of_one: Micros
    """One output at the model's default size (or shortest clip): a comparable figure."""
    available: bool
    """Whether this profile configures the model's provider."""
    unavailable_reason: str | None = None
    """Why not, and what would enable it (a key to set, a profile to choose)."""


class ListModels:
    """Lists the catalog, optionally only the models that serve one kind."""

    def __init__(self, catalog: ModelCatalog, providers: ProviderDirectory) -> None:
        self._catalog = catalog
        self._providers = providers

    async def execute(self, kind: OperationKind | None = None) -> tuple[ModelListing, ...]:
        """Every model (serving `kind`, when given), ordered by id."""
        return tuple(
            ModelListing(
                model=model,
                price_of_one=one_output_price(model),
                available=self._providers.get(model.provider) is not None,
                unavailable_reason=self._providers.why_unavailable(model.provider),
            )
            for model in self._catalog.all()
            if kind is None or model.serves(kind)
        )
