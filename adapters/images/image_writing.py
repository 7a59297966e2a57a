"""A decoded image written in a format: at one quality, or at the best quality that fits a byte
limit."""

from __future__ import annotations

from collections.abc import Callable

from returns.result import Failure, Result, Success

from imagestudio.adapters.images.encoding import LOSSLESS_PNG, MAX_SIDE, encoded, prepared
from imagestudio.adapters.images.processing_refusals import too_wide
from imagestudio.adapters.images.quality_search import best_fitting
from imagestudio.adapters.images.source_image import SourceImage
from imagestudio.application.ports.image_processor import (
    ProcessedImage,
)
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.media import MediaType

WHITE = (255, 255, 255)


FAITHFUL_QUALITY = 90
"""Convert and fit_social change the format or size, not the fidelity the caller asked for."""


Encode = Callable[[int], bytes]


def written(
    source: SourceImage,
    media_type: MediaType,
    background: tuple[int, int, int],
    quality: int,
) -> Result[ProcessedImage, InvalidInput]:
    encode = _encoder(source, media_type, background)
    if encode is None:
        return Failure(too_wide(source, media_type))
    return Success(_processed(encode(quality), media_type, source))


def searched(
    source: SourceImage,
    media_type: MediaType,
    ceiling: int,
    limit: int,
    too_big: Callable[[int], InvalidInput],
) -> Result[ProcessedImage, InvalidInput]:
    encode = _encoder(source, media_type, WHITE)
    if encode is None:
        return Failure(too_wide(source, media_type))
    top = min(ceiling, LOSSLESS_PNG) if media_type is MediaType.PNG else ceiling
    return (
        best_fitting(range(1, top + 1), encode, limit)
        .alt(too_big)
        .map(lambda data: _processed(data, media_type, source))
    )


def _encoder(
    source: SourceImage, media_type: MediaType, background: tuple[int, int, int]
) -> Encode | None:
    if max(source.pixels.size) > MAX_SIDE[media_type]:
        return None
    pixels = prepared(source.pixels, media_type, background)

    def encode(quality: int) -> bytes:
        return encoded(pixels, media_type, quality, source.metadata)

    return encode


def _processed(data: bytes, media_type: MediaType, source: SourceImage) -> ProcessedImage:
    width, height = source.pixels.size
    return ProcessedImage(data=data, media_type=media_type, width=width, height=height)


def faithful(media_type: MediaType) -> int:
    return 100 if media_type is MediaType.PNG else FAITHFUL_QUALITY
