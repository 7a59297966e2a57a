"""Text-to-image, with 1–10 variations that succeed or fail on their own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from returns.result import Result

from imagestudio.application.requests import OperationRequest, OperationResult
from imagestudio.application.use_cases.run_operation import RunOperation
from imagestudio.domain.errors import OperationError
from imagestudio.domain.operation import ParameterValue
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.webhook import WebhookSubscription


@dataclass(frozen=True, slots=True, kw_only=True)
class GenerateRequest:
    user_id: str
    prompt: str
    model_id: str | None = None
    width: int | None = None
    height: int | None = None
    variations: int = 1
    seed: int | None = None
    negative_prompt: str | None = None
    parameters: Mapping[str, ParameterValue] = field(default_factory=dict)
    idempotency_key: str | None = None
    webhook: WebhookSubscription | None = None
    """Deliver the operation's events there (see `domain/webhook.py`)."""


class GenerateImages:
    """Generates images from a prompt; only the variations that succeed are charged."""

    def __init__(self, run: RunOperation) -> None:
        self._run = run

    async def execute(self, request: GenerateRequest) -> Result[OperationResult, OperationError]:
        """Run a text-to-image operation for `request.variations` outputs."""
        parameters = dict(request.parameters)
        if request.negative_prompt:
            parameters["negative_prompt"] = request.negative_prompt
        return await self._run.execute(
            OperationRequest(
                user_id=request.user_id,
                kind=OperationKind.TEXT_TO_IMAGE,
                model_id=request.model_id,
                prompt=request.prompt,
                width=request.width,
                height=request.height,
                outputs=request.variations,
                seed=request.seed,
                parameters=parameters,
                idempotency_key=request.idempotency_key,
                webhook=request.webhook,
            )
        )
