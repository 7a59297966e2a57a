"""The operation store port: the current state of every operation."""

from __future__ import annotations

from typing import Protocol

from imagestudio.domain.operation import ImageOperation


class OperationStore(Protocol):
    async def save(self, operation: ImageOperation) -> None:
        """Insert or replace the operation's current state."""
        ...

    async def get(self, operation_id: str) -> ImageOperation | None:
        """The operation, or None."""
        ...
