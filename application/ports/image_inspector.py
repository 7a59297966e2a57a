"""The image inspector port: decode an upload safely before anything is spent on it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from returns.result import Result

from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.media import MediaType


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageInfo:
    media_type: MediaType
    width: int
    height: int


class ImageInspector(Protocol):
    def inspect(self, data: bytes, field: str, max_pixels: int) -> Result[ImageInfo, InvalidInput]:
        """Decode `data` fully; refuse undecodable images and decompression bombs."""
        ...
