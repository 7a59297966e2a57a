"""The image processor port: compress, convert and fit images to social formats, here."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from returns.result import Result

from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.media import MediaType


class Metadata(StrEnum):
    STRIP = "strip"
    """Drop EXIF, XMP and text chunks (the pixels are already turned upright)."""
    KEEP = "keep"
    """Carry EXIF (orientation reset to upright), XMP and the ICC profile over."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcessedImage:
    data: bytes
    media_type: MediaType
    width: int
    height: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CompressSpec:
    """Give `quality` (1-100) or `target_bytes` (the largest acceptable output), not both."""

    quality: int | None = None
    target_bytes: int | None = None
    media_type: MediaType | None = None
    """The output format; None keeps the input's."""
    metadata: Metadata = Metadata.STRIP


@dataclass(frozen=True, slots=True, kw_only=True)
class ConvertSpec:
    media_type: MediaType
    quality: int | None = None
    """For lossy formats; the processor's default when None."""
    background: tuple[int, int, int] = (255, 255, 255)
    """What transparent pixels become in a format without an alpha channel."""
    metadata: Metadata = Metadata.STRIP


@dataclass(frozen=True, slots=True, kw_only=True)
class SocialFormat:
    """One platform's image format, from the presets data file."""

    platform: str
    name: str
    width: int
    height: int
    media_type: MediaType
    max_bytes: int | None = None
    description: str = ""

    @property
    def key(self) -> str:
        """How callers name it: `<platform>/<name>`, e.g. `instagram/story`."""
        return f"{self.platform}/{self.name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class SocialSpec:
    format: SocialFormat
    media_type: MediaType | None = None
    """The output format; None takes the preset's."""
    metadata: Metadata = Metadata.STRIP


class ImageProcessor(Protocol):
    """Pure CPU work on bytes (callers run it in a thread); errors name the field `image`."""

    def compress(self, data: bytes, spec: CompressSpec) -> Result[ProcessedImage, InvalidInput]:
        """Re-encode smaller; a `target_bytes` that no quality reaches is refused."""
        ...

    def convert(self, data: bytes, spec: ConvertSpec) -> Result[ProcessedImage, InvalidInput]:
        """Re-encode in another format, transparency flattened onto `background` if needed."""
        ...

    def fit_social(self, data: bytes, spec: SocialSpec) -> Result[ProcessedImage, InvalidInput]:
        """Resize and crop to exactly the format's size, keeping the most detailed region."""
        ...

    def thumbnail(self, data: bytes, size: int) -> Result[ProcessedImage, InvalidInput]:
        """The image upright, shrunk to fit a `size`×`size` square (never enlarged), as WebP."""
        ...

    def social_formats(self) -> tuple[SocialFormat, ...]:
        """Every preset, sorted by key."""
        ...

    def writable(self) -> frozenset[MediaType]:
        """The image formats this installation can write (AVIF needs Pillow's AVIF support)."""
        ...
