"""The model catalog read from a TOML file: the one place a model's path and price live."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from importlib.resources import files
from pathlib import Path

from imagestudio.adapters.catalog.catalog_error import CatalogError
from imagestudio.adapters.catalog.entry_parsing import OFFLINE, parse_models
from imagestudio.domain.model import Model
from imagestudio.domain.money import Micros
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.pricing import DEFAULT_MICROS_PER_CREDIT, FlatPerOutput

PACKAGED_CATALOG = "models.toml"


class TomlModelCatalog:
    """The `ModelCatalog` port over the models of a TOML catalog; ids are unique."""

    def __init__(self, models: Iterable[Model]) -> None:
        by_id: dict[str, Model] = {}
        for model in models:
            if model.id in by_id:
                raise CatalogError("duplicate id: list each model once", model_id=model.id)
            by_id[model.id] = model
        self._by_id = by_id
        self._all = tuple(sorted(by_id.values(), key=lambda model: model.id))

    def get(self, model_id: str) -> Model | None:
        return self._by_id.get(model_id)

    def all(self) -> tuple[Model, ...]:
        return self._all

    def for_kind(self, kind: OperationKind) -> tuple[Model, ...]:
        return tuple(model for model in self._all if model.serves(kind))


def load_catalog(
    source: Path | str | None = None,
    *,
    micros_per_credit: int = DEFAULT_MICROS_PER_CREDIT,
    offline_price: Micros | None = None,
) -> TomlModelCatalog:
    """The catalog in `source` (a path), or the packaged one.

    Credits are converted at `micros_per_credit`; `offline_price`, when given, is the flat price
    per output of every offline model (free otherwise).
    """
    if micros_per_credit <= 0:
        raise CatalogError(f"must be positive, not {micros_per_credit}", field="micros_per_credit")
    if offline_price is not None and offline_price < 0:
        raise CatalogError(f"must not be negative, not {offline_price}", field="offline_price")
    name, text = _read(source)
    try:
        models = parse_models(text, micros_per_credit=micros_per_credit)
        if offline_price is not None:
            models = tuple(_priced_offline(model, offline_price) for model in models)
        return TomlModelCatalog(models)
    except CatalogError as error:
        raise error.located_in(name) from None


def _read(source: Path | str | None) -> tuple[str, str]:
    if source is None:
        packaged = files("imagestudio.adapters.catalog") / PACKAGED_CATALOG
        return PACKAGED_CATALOG, packaged.read_text(encoding="utf-8")
    path = Path(source)
    return str(path), path.read_text(encoding="utf-8")


def _priced_offline(model: Model, price: Micros) -> Model:
    if model.provider != OFFLINE:
        return model
    return replace(model, pricing=FlatPerOutput(price))
