"""Face swap: the face of one image onto the person in another."""

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
class FaceSwapRequest:
    user_id: str
    face: ImageInput
    target: ImageInput
    target_index: int = 0
    model_id: str | None = None
    parameters: Mapping[str, ParameterValue] = field(default_factory=dict)
    idempotency_key: str | None = None
    webhook: WebhookSubscription | None = None
    """Deliver the operation's events there (see `domain/webhook.py`)."""


class SwapFace:
    """Puts the face from `face` onto the `target_index`-th face of `target`."""

    def __init__(self, run: RunOperation) -> None:
        self._run = run

    async def execute(self, request: FaceSwapRequest) -> Result[OperationResult, OperationError]:
        """Run a face-swap operation."""
        face, target = request.face, request.target
        return await self._run.execute(
            OperationRequest(
                user_id=request.user_id,
                kind=OperationKind.FACE_SWAP,
                model_id=request.model_id,
                images=(
                    face.as_role("face"),
                    target.as_role("target"),
                ),
                parameters={**request.parameters, "target_index": request.target_index},
                idempotency_key=request.idempotency_key,
                webhook=request.webhook,
            )
        )
