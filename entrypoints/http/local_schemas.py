"""The local operations' bodies (compress, convert, social), read by the CLI's rules: an image as
base64 or one of your asset ids; formats png, jpg, webp or avif; a background as #rrggbb."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from imagestudio.application.ports.image_processor import (
    CompressSpec,
    ConvertSpec,
    Metadata,
    SocialFormat,
)
from imagestudio.application.requests import ImageInput
from imagestudio.domain.errors import InvalidInput, OperationError
from imagestudio.domain.media import MediaType
from imagestudio.entrypoints.http.schemas import ImageIn
from imagestudio.entrypoints.http.whole_numbers import WholeNumberOrNone

Format = Literal["png", "jpg", "jpeg", "webp", "avif"]
MetadataChoice = Literal["strip", "keep"]


class LocalImageIn(BaseModel):
    """One input image: `image` (base64 or a data URI), or `asset_id` (one of your assets)."""

    model_config = ConfigDict(extra="forbid")
    image: str | None = Field(default=None, description="The image bytes, base64 or data URI.")
    asset_id: str | None = Field(default=None, max_length=200)
    metadata: MetadataChoice = Field(
        default="strip", description="`keep` carries EXIF, XMP and the ICC profile over."
    )

    def to_input(self) -> ImageInput | InvalidInput:
        if (self.image is None) == (self.asset_id is None):
            return InvalidInput("image", "give exactly one of image (base64) or asset_id")
        found = ImageIn(base64=self.image, asset_id=self.asset_id).to_input(0)
        if isinstance(found, InvalidInput):
            # ImageIn names its field for a list of images; here there is only `image`.
            return InvalidInput("image", found.reason)
        return found

    renamed: ClassVar[Mapping[str, str]] = {"media_type": "format"}
    """The use case's fields this body (and the MCP tool's arguments) calls otherwise."""

    def kept_metadata(self) -> Metadata:
        return Metadata(self.metadata)

    @classmethod
    def named_here(cls, error: OperationError) -> OperationError:
        """`error` naming its field as this body does, so a refusal points at what was sent."""
        if isinstance(error, InvalidInput) and error.field in cls.renamed:
            return replace(error, field=cls.renamed[error.field])
        return error


class CompressIn(LocalImageIn):
    """Give `quality` or `target_bytes` (the largest acceptable output), not both."""

    quality: WholeNumberOrNone = Field(default=None, ge=1, le=100)
    target_bytes: WholeNumberOrNone = Field(default=None, ge=1, le=2**53)
    format: Format | None = Field(default=None, description="The output type; default: same.")

    def spec(self) -> CompressSpec:
        return CompressSpec(
            quality=self.quality,
            target_bytes=self.target_bytes,
            media_type=media_type(self.format),
            metadata=self.kept_metadata(),
        )


class ConvertIn(LocalImageIn):
    format: Format
    quality: WholeNumberOrNone = Field(default=None, ge=1, le=100, description="For lossy formats.")
    background: str = Field(
        default="#ffffff",
        pattern=r"^#[0-9a-fA-F]{6}$",
        description="What transparency becomes in a format without alpha.",
    )

    def spec(self) -> ConvertSpec:
        digits = self.background.removeprefix("#")
        chosen = media_type(self.format)
        assert chosen is not None
        return ConvertSpec(
            media_type=chosen,
            quality=self.quality,
            background=(int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)),
            metadata=self.kept_metadata(),
        )


class SocialIn(LocalImageIn):
    preset: str = Field(
        max_length=200,
        description="A platform format, `<platform>/<name>` (see /v1/social-formats).",
        examples=["instagram/story"],
    )
    format: Format | None = Field(default=None, description="The output type; default: preset's.")
    renamed: ClassVar[Mapping[str, str]] = {"format": "preset", "media_type": "format"}


class SocialFormatOut(BaseModel):
    key: str
    platform: str
    name: str
    width: int
    height: int
    media_type: str
    max_bytes: int | None = None
    description: str = ""

    @classmethod
    def of(cls, found: SocialFormat) -> SocialFormatOut:
        return cls(
            key=found.key,
            platform=found.platform,
            name=found.name,
            width=found.width,
            height=found.height,
            media_type=found.media_type.value,
            max_bytes=found.max_bytes,
            description=found.description,
        )


def media_type(extension: Format | None) -> MediaType | None:
    return None if extension is None else MediaType.from_extension(extension)
