"""The model catalog port: the one source of truth for a model's path, kinds and price."""

from __future__ import annotations

from typing import Protocol

from imagestudio.domain.model import Model


class ModelCatalog(Protocol):
    def get(self, model_id: str) -> Model | None:
        """The model with this id, or None."""
        ...

    def all(self) -> tuple[Model, ...]:
        """Every model, ordered by id."""
        ...
