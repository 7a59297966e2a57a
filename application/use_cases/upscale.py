"""Upscale: real resampling by a factor, or to a target size."""

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
class UpscaleRequest:
    user_id: str
    image: ImageInput
    scale: int = 2
    width: int | None = None
    height: int | None = None
    prompt: str = ""
    model_id: str | None = None
    seed: int | None = None
    parameters: Mapping[str, ParameterValue] = field(default_factory=dict)
    idempotency_key: str | None = None
    webhook: WebhookSubscription | None = None
    """Deliver the operation's events there (see `domain/webhook.py`)."""


class UpscaleImage:
    """Enlarges an image by `scale`, or to `width` × `height` when both are given."""

    def __init__(self, run: RunOperation) -> None:
        self._run = run

    async def execute(self, request: UpscaleRequest) -> Result[OperationResult, OperationError]:
        """Run an upscale operation."""
        return await self._run.execute(
            OperationRequest(
                user_id=request.user_id,
                kind=OperationKind.UPSCALE,
                model_id=request.model_id,
                prompt=request.prompt,
                images=(request.image,),
                width=request.width,
                height=request.height,
                seed=request.seed,
                parameters={**request.parameters, "scale": request.scale},
                idempotency_key=request.idempotency_key,
                webhook=request.webhook,
            )
        )
