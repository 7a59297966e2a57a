"""The HTTP API's request and response bodies (pydantic lives here, at the boundary)."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from imagestudio.application.requests import ImageInput, OperationRequest
from imagestudio.domain.asset import Asset
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.money import format_usd
from imagestudio.domain.operation import ImageOperation
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.seed import MAX_SEED
from imagestudio.entrypoints.http.operation_schemas import HeldOut, WaitOut
from imagestudio.entrypoints.http.webhook_fields import WebhookFields
from imagestudio.entrypoints.http.whole_numbers import WholeNumber, WholeNumberOrNone

Role = Literal["image", "mask", "face", "target", "style"]
ParameterValue = str | int | float | bool


class ImageIn(BaseModel):
    """An input image: base64 bytes (or a `data:` URI), or the id of one of your assets."""

    model_config = ConfigDict(extra="forbid")
    role: Role = "image"
    base64: str | None = Field(default=None, description="The image bytes, base64 or data URI.")
    asset_id: str | None = None

    def to_input(self, index: int) -> ImageInput | InvalidInput:
        if (self.base64 is None) == (self.asset_id is None):
            return InvalidInput(f"images[{index}]", "give exactly one of base64 or asset_id")
        if self.asset_id is not None:
            return ImageInput(asset_id=self.asset_id, role=self.role)
        text = self.base64 or ""
        if text.startswith("data:"):
            text = text.partition(",")[2]
        try:
            data = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            return InvalidInput(f"images[{index}]", "is not valid base64")
        return ImageInput(data=data, role=self.role)


class OperationIn(WebhookFields):
    """One operation to run (or, for a quote, to price)."""

    model_config = ConfigDict(extra="forbid")
    kind: OperationKind
    model: str = Field(default="auto", description="A model id, or `auto`.")
    prompt: str = ""
    width: WholeNumberOrNone = Field(default=None, ge=1, le=65_536)
    height: WholeNumberOrNone = Field(default=None, ge=1, le=65_536)
    n: WholeNumber = Field(default=1, ge=1, le=16, description="How many outputs (variations).")
    seed: WholeNumberOrNone = Field(default=None, ge=0, le=MAX_SEED)
    parameters: dict[str, ParameterValue] = Field(default_factory=dict)
    images: list[ImageIn] = Field(default_factory=list, max_length=8)

    def to_request(self, user: str, **extra: Any) -> OperationRequest | InvalidInput:
        """The operation request this body asks for, as `user` (the one way every entrypoint
        that takes this body builds it); `extra`: OperationRequest's other fields."""
        images: list[ImageInput] = []
        for index, given in enumerate(self.images):
            image = given.to_input(index)
            if isinstance(image, InvalidInput):
                return image
            images.append(image)
        return OperationRequest(
            user_id=user,
            kind=OperationKind(self.kind),
            model_id=self.model,
            prompt=self.prompt,
            images=tuple(images),
            width=self.width,
            height=self.height,
            outputs=self.n,
            seed=self.seed,
            parameters=dict(self.parameters),
            **extra,
        )


class ProblemOut(BaseModel):
    """An RFC 9457 problem (`application/problem+json`): a stable `type` per error, and that
    error's own fields (which limit, its numbers, when it clears...) beside the standard ones."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None


class AssetOut(BaseModel):
    id: str
    media_type: str
    size_bytes: int
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None
    created_at: datetime
    url: str

    @classmethod
    def of(cls, asset: Asset, url: str) -> AssetOut:
        return cls(
            id=asset.id,
            media_type=asset.media_type.value,
            size_bytes=asset.size_bytes,
            width=asset.width,
            height=asset.height,
            duration_seconds=asset.duration_seconds,
            created_at=asset.created_at,
            url=url,
        )


class OperationOut(BaseModel):
    id: str
    status: str
    kind: str
    model: str
    provider: str
    charged_micros: int
    charged_usd: str
    error: str | None = None
    failed_outputs: list[str] = Field(default_factory=list)
    assets: list[AssetOut] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime
    held: HeldOut | None = Field(default=None, description="What its reservation still holds.")
    waiting: WaitOut | None = Field(default=None, description="What it waits for, until when.")

    @classmethod
    def of(
        cls,
        operation: ImageOperation,
        assets: list[AssetOut],
        failed_outputs: tuple[str, ...] = (),
    ) -> OperationOut:
        return cls(
            id=operation.id,
            status=operation.status.value,
            kind=operation.kind.value,
            model=operation.model_id,
            provider=operation.provider,
            charged_micros=operation.charged,
            charged_usd=format_usd(operation.charged),
            error=operation.error,
            failed_outputs=list(failed_outputs),
            assets=assets,
            created_at=operation.created_at,
            updated_at=operation.updated_at,
        )
