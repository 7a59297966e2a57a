"""A thumbnail: an image upright, shrunk to fit a square (never enlarged), written as WebP."""

from __future__ import annotations

import io

from PIL import Image
from returns.result import Failure, Result, Success

from imagestudio.adapters.images.encoding import prepared
from imagestudio.adapters.images.safe_decoding import UNDECODABLE, decoded
from imagestudio.adapters.images.source_image import source_image
from imagestudio.application.ports.image_processor import Metadata, ProcessedImage
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.thumbnail import THUMBNAIL_MEDIA

_READ = ("PNG", "JPEG", "MPO", "WEBP", "AVIF", "GIF", "TIFF", "BMP")
_QUALITY = 80
"""A preview: WebP's visible artefacts start well below this."""


def thumbnail_of(data: bytes, size: int, max_pixels: int) -> Result[ProcessedImage, InvalidInput]:
    """`data` fitted inside `size`×`size` with its proportions kept (metadata dropped)."""
    if not 1 <= size <= 16_383:
        return Failure(InvalidInput("size", f"must be from 1 to 16383 pixels, not {size}"))
    found = decoded(data, "image", max_pixels, _READ, "an image")
    if isinstance(found, Failure):
        return Failure(found.failure())
    try:
        pixels = source_image(found.unwrap(), Metadata.STRIP).pixels
        pixels.thumbnail((size, size), Image.Resampling.LANCZOS, reducing_gap=3.0)
        buffer = io.BytesIO()
        prepared(pixels, THUMBNAIL_MEDIA, (255, 255, 255)).save(
            buffer, "WEBP", quality=_QUALITY, method=4
        )
    except UNDECODABLE:
        return Failure(InvalidInput("image", "could not be decoded to pixels"))
    width, height = pixels.size
    return Success(
        ProcessedImage(
            data=buffer.getvalue(), media_type=THUMBNAIL_MEDIA, width=width, height=height
        )
    )
