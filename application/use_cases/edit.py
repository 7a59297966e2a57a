"""Image edit: one of the model's edit modes applied to an image (and an optional mask)."""

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
class EditRequest:
    user_id: str
    image: ImageInput
    prompt: str = ""
    mode: str | None = None
    """One of the model's modes (erase, inpaint, outpaint…); None takes the model's first."""
    mask: ImageInput | None = None
    extra_images: tuple[ImageInput, ...] = ()
    model_id: str | None = None
    seed: int | None = None
    parameters: Mapping[str, ParameterValue] = field(default_factory=dict)
    idempotency_key: str | None = None
    webhook: WebhookSubscription | None = None
    """Deliver the operation's events there (see `domain/webhook.py`)."""


class EditImage:
    """Edits an image with a prompt, a mode and optionally a mask."""

    def __init__(self, run: RunOperation) -> None:
        self._run = run

    async def execute(self, request: EditRequest) -> Result[OperationResult, OperationError]:
        """Run an image-edit operation."""
        images = [request.image, *request.extra_images]
        if request.mask is not None:
            images.append(request.mask.as_role("mask"))
        parameters = dict(request.parameters)
        if request.mode is not None:
            parameters["mode"] = request.mode
        return await self._run.execute(
            OperationRequest(
                user_id=request.user_id,
                kind=OperationKind.IMAGE_EDIT,
                model_id=request.model_id,
                prompt=request.prompt,
                images=tuple(images),
                seed=request.seed,
                parameters=parameters,
                idempotency_key=request.idempotency_key,
                webhook=request.webhook,
            )
        )
