"""Uploaded images checked with Pillow: the header first, then a full decode under bomb guards."""

from __future__ import annotations

import io
import struct
import warnings

from PIL import Image
from returns.result import Failure, Result, Success

from imagestudio.application.ports.image_inspector import ImageInfo
from imagestudio.domain.errors import InputProblem, InvalidInput
from imagestudio.domain.media import MediaType

_ACCEPTED = {"PNG": MediaType.PNG, "JPEG": MediaType.JPEG, "WEBP": MediaType.WEBP}
_ORIENTATION = 0x0112
_TURNED_SIDEWAYS = frozenset({5, 6, 7, 8})
_UNDECODABLE = (OSError, SyntaxError, ValueError, EOFError, struct.error)


class PillowImageInspector:
    """The `ImageInspector` port on Pillow.

    The size in the header is checked before a single pixel is decoded; Pillow's own bomb
    warning is raised as an error while decoding.
    """

    def inspect(self, data: bytes, field: str, max_pixels: int) -> Result[ImageInfo, InvalidInput]:
        if not data:
            return Failure(InvalidInput(field, "is empty"))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data)) as image:
                    return _inspect_opened(image, field, max_pixels)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            return Failure(_too_large(field, "is a decompression bomb"))
        except _UNDECODABLE:
            return Failure(InvalidInput(field, "is not a complete image that can be decoded"))


def _inspect_opened(
    image: Image.Image, field: str, max_pixels: int
) -> Result[ImageInfo, InvalidInput]:
    media_type = _ACCEPTED.get(image.format or "")
    if media_type is None:
        return Failure(
            InvalidInput(
                field,
                f"{image.format or 'this'} format is not accepted (PNG, JPEG or WebP)",
                InputProblem.UNSUPPORTED_FORMAT,
            )
        )
    width, height = image.size
    if width * height > max_pixels:
        return Failure(
            _too_large(field, f"{width}×{height} is more than the {max_pixels} pixels allowed")
        )
    image.load()
    if image.getexif().get(_ORIENTATION) in _TURNED_SIDEWAYS:
        width, height = height, width
    return Success(ImageInfo(media_type=media_type, width=width, height=height))


def _too_large(field: str, reason: str) -> InvalidInput:
    return InvalidInput(field, reason, InputProblem.TOO_LARGE)
