"""What callers hand the use cases, and what an operation gives back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from imagestudio.domain.asset import Asset
from imagestudio.domain.money import Micros
from imagestudio.domain.operation import ImageOperation, ParameterValue
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.webhook import WebhookSubscription


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageInput:
    """An input image: uploaded bytes, or the id of one of the caller's own assets."""

    data: bytes | None = None
    asset_id: str | None = None
    role: str = "image"

    def __post_init__(self) -> None:
        if (self.data is None) == (self.asset_id is None):
            raise ValueError("an ImageInput has either data or asset_id, not both or neither")

    def as_role(self, role: str) -> ImageInput:
        """The same image, used for `role` ("mask", "face", "target", "style")."""
        return replace(self, role=role)


@dataclass(frozen=True, slots=True, kw_only=True)
class OperationRequest:
    """Everything one operation needs; `model_id=None` picks the catalog's default for the kind."""

    user_id: str
    kind: OperationKind
    model_id: str | None = None
    prompt: str = ""
    images: tuple[ImageInput, ...] = ()
    width: int | None = None
    height: int | None = None
    outputs: int = 1
    seed: int | None = None
    parameters: Mapping[str, ParameterValue] = field(default_factory=dict)
    idempotency_key: str | None = None
    operation_id: str | None = None
    """The id the operation gets, chosen by the caller (an HTTP server answering 202 before it
    ends); new when None. A fallback to another provider is a new operation with a new id."""
    webhook: WebhookSubscription | None = None
    """Deliver the operation's events there (its destination checked by the caller)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OperationResult:
    """A finished operation: its record, the assets it stored, and what the user was charged."""

    operation: ImageOperation
    assets: tuple[Asset, ...]
    charged: Micros
    failed_outputs: tuple[str, ...] = ()
    """Why each output that did not succeed failed (variations succeed or fail on their own)."""
