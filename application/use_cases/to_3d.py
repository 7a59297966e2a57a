"""Image-to-3D: a GLB model from an image."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from returns.result import Result

from imagestudio.application.requests import ImageInput, OperationRequest, OperationResult
from imagestudio.application.use_cases.run_operation import RunOperation
from imagestudio.domain.errors import OperationError
from imagestudio.domain.operation import ParameterValue
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.webhook import WebhookSubscription


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageTo3DRequest:
    user_id: str
    image: ImageInput
    model_id: str | None = None
    parameters: Mapping[str, ParameterValue] = field(default_factory=dict)
    idempotency_key: str | None = None
    webhook: WebhookSubscription | None = None
    """Deliver the operation's events there (see `domain/webhook.py`)."""


class ImageTo3D:
    """Builds a 3D model (GLB) from an image."""

    def __init__(self, run: RunOperation) -> None:
        self._run = run

    async def execute(self, request: ImageTo3DRequest) -> Result[OperationResult, OperationError]:
        """Run an image-to-3D operation."""
        return await self._run.execute(
            OperationRequest(
                user_id=request.user_id,
                kind=OperationKind.IMAGE_TO_3D,
                model_id=request.model_id,
                images=(request.image,),
                parameters=request.parameters,
                idempotency_key=request.idempotency_key,
                webhook=request.webhook,
            )
        )
