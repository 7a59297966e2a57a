"""Operations in memory, by id."""

from __future__ import annotations

from imagestudio.domain.operation import ImageOperation


class InMemoryOperationStore:
    """The `OperationStore` port on a dict."""

    def __init__(self) -> None:
        self._operations: dict[str, ImageOperation] = {}

    async def save(self, operation: ImageOperation) -> None:
        self._operations[operation.id] = operation

    async def get(self, operation_id: str) -> ImageOperation | None:
        return self._operations.get(operation_id)
