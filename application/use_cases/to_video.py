"""Image-to-video: a short clip from an image and a prompt, priced per second."""

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
class ImageToVideoRequest:
    user_id: str
    image: ImageInput
    prompt: str = ""
    duration: int | None = None
    """Seconds; None takes the model's shortest."""
    resolution: str | None = None
    """480p, 720p, 1080p as the model offers; None takes its first."""
    model_id: str | None = None
    seed: int | None = None
    parameters: Mapping[str, ParameterValue] = field(default_factory=dict)
    idempotency_key: str | None = None
    webhook: WebhookSubscription | None = None
    """Deliver the operation's events there (see `domain/webhook.py`)."""


class ImageToVideo:
    """Animates an image into a video clip."""

    def __init__(self, run: RunOperation) -> None:
        self._run = run

    async def execute(
        self, request: ImageToVideoRequest
    ) -> Result[OperationResult, OperationError]:
        """Run an image-to-video operation."""
        parameters = dict(request.parameters)
        if request.duration is not None:
            parameters["duration"] = request.duration
        if request.resolution is not None:
            parameters["resolution"] = request.resolution
        return await self._run.execute(
            OperationRequest(
                user_id=request.user_id,
                kind=OperationKind.IMAGE_TO_VIDEO,
                model_id=request.model_id,
                prompt=request.prompt,
                images=(request.image,),
                seed=request.seed,
                parameters=parameters,
                idempotency_key=request.idempotency_key,
                webhook=request.webhook,
            )
        )
