"""Why a processing request is refused before any pixel is touched: a quality, a target size, a
background or a format the processor cannot write, an image too wide for its format."""

from __future__ import annotations

from imagestudio.adapters.images.encoding import MAX_SIDE
from imagestudio.adapters.images.safe_decoding import too_large
from imagestudio.adapters.images.source_image import SourceImage
from imagestudio.application.ports.image_processor import (
    CompressSpec,
)
from imagestudio.domain.errors import InputProblem, InvalidInput
from imagestudio.domain.media import MediaType


def compress_refusal(spec: CompressSpec) -> InvalidInput | None:
    if spec.quality is not None and spec.target_bytes is not None:
        return InvalidInput("target_bytes", "give a quality or a target size, not both")
    if spec.target_bytes is not None and spec.target_bytes < 1:
        return InvalidInput("target_bytes", f"must be a positive size, not {spec.target_bytes}")
    return quality_refusal(spec.quality)


def quality_refusal(quality: int | None) -> InvalidInput | None:
    if quality is None or 1 <= quality <= 100:
        return None
    return InvalidInput("quality", f"must be from 1 to 100, not {quality}")


def background_refusal(background: tuple[int, int, int]) -> InvalidInput | None:
    if len(background) == 3 and all(0 <= channel <= 255 for channel in background):
        return None
    return InvalidInput("background", f"must be three values from 0 to 255, not {background}")


def unwritable(media_type: MediaType, writable: frozenset[MediaType]) -> InvalidInput:
    choices = ", ".join(sorted(named(each) for each in writable))
    return InvalidInput(
        "media_type",
        f"{media_type} cannot be written as an image here (choose {choices})",
        InputProblem.UNSUPPORTED_FORMAT,
    )


def too_wide(source: SourceImage, media_type: MediaType) -> InvalidInput:
    width, height = source.pixels.size
    return too_large(
        "image",
        f"{width}×{height} is too large for {named(media_type)} "
        f"(at most {MAX_SIDE[media_type]} pixels a side)",
    )


def named(media_type: MediaType) -> str:
    return {MediaType.WEBP: "WebP", MediaType.JPEG: "JPEG"}.get(
        media_type, media_type.extension.upper()
    )
