"""Uploaded images checked with Pillow: the header first, then a full decode under bomb guards."""

from __future__ import annotations

from PIL import Image
from returns.result import Failure, Result, Success

from imagestudio.adapters.images.safe_decoding import UNDECODABLE, decoded
from imagestudio.application.ports.image_inspector import ImageInfo
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.media import MediaType

# Phones write MPO (a JPEG followed by more pictures); its first picture is a plain JPEG.
_ACCEPTED = {
    "PNG": MediaType.PNG,
    "JPEG": MediaType.JPEG,
    "MPO": MediaType.JPEG,
    "WEBP": MediaType.WEBP,
    "AVIF": MediaType.AVIF,
}
_ORIENTATION = 0x0112
_TURNED_SIDEWAYS = frozenset({5, 6, 7, 8})


class PillowImageInspector:
    """The `ImageInspector` port on Pillow.

    The size in the header is checked before a single pixel is decoded; Pillow's own bomb
    warning is raised as an error while decoding.
    """

    def inspect(self, data: bytes, field: str, max_pixels: int) -> Result[ImageInfo, InvalidInput]:
        return decoded(data, field, max_pixels, _ACCEPTED, "PNG, JPEG, WebP or AVIF").bind(
            lambda image: _measured(image, field)
        )


def _measured(image: Image.Image, field: str) -> Result[ImageInfo, InvalidInput]:
    width, height = image.size
    try:
        orientation = image.getexif().get(_ORIENTATION)
    except UNDECODABLE:
        return Failure(InvalidInput(field, "has EXIF data that cannot be read"))
    if orientation in _TURNED_SIDEWAYS:
        width, height = height, width
    return Success(ImageInfo(media_type=_ACCEPTED[image.format or ""], width=width, height=height))
