"""A model catalog held in memory: for tests and apps that build their catalog in code."""

from __future__ import annotations

from collections.abc import Iterable

from imagestudio.domain.model import Model


class InMemoryModelCatalog:
    def __init__(self, models: Iterable[Model]) -> None:
        self._models: dict[str, Model] = {}
        for model in models:
            if model.id in self._models:
                raise ValueError(f"duplicate model id {model.id!r}")
            self._models[model.id] = model

    def get(self, model_id: str) -> Model | None:
        return self._models.get(model_id)

    def all(self) -> tuple[Model, ...]:
        return tuple(self._models[model_id] for model_id in sorted(self._models))
