"""Control: generate guided by an image's sketch, structure or style."""

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
class ControlRequest:
    user_id: str
    image: ImageInput
    prompt: str
    mode: str | None = None
    """sketch, structure, style or style-transfer (as the model offers); None: its first."""
    style_image: ImageInput | None = None
    model_id: str | None = None
    seed: int | None = None
    parameters: Mapping[str, ParameterValue] = field(default_factory=dict)
    idempotency_key: str | None = None
    webhook: WebhookSubscription | None = None
    """Deliver the operation's events there (see `domain/webhook.py`)."""


class ControlImage:
    """Generates an image that follows a control image."""

    def __init__(self, run: RunOperation) -> None:
        self._run = run

    async def execute(self, request: ControlRequest) -> Result[OperationResult, OperationError]:
        """Run a control operation."""
        images = [request.image]
        if request.style_image is not None:
            style = request.style_image
            images.append(style.as_role("style"))
        parameters = dict(request.parameters)
        if request.mode is not None:
            parameters["mode"] = request.mode
        return await self._run.execute(
            OperationRequest(
                user_id=request.user_id,
                kind=OperationKind.CONTROL,
                model_id=request.model_id,
                prompt=request.prompt,
                images=tuple(images),
                seed=request.seed,
                parameters=parameters,
                idempotency_key=request.idempotency_key,
                webhook=request.webhook,
            )
        )
