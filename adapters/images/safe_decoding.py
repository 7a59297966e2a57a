"""Untrusted image bytes decoded under guards: the header's size first, then the pixels."""

from __future__ import annotations

import io
import struct
import warnings
from collections.abc import Collection

from PIL import Image
from returns.result import Failure, Result, Success

from imagestudio.domain.errors import InputProblem, InvalidInput

UNDECODABLE = (OSError, SyntaxError, ValueError, EOFError, struct.error)


def decoded(
    data: bytes, field: str, max_pixels: int, formats: Collection[str], formats_named: str
) -> Result[Image.Image, InvalidInput]:
    """The first frame of `data`, fully decoded, if it is one of Pillow's `formats`.

    Nothing is decoded past the header of an image over `max_pixels`; Pillow's own bomb
    warning is raised as an error while decoding. The image is left open on purpose: closing
    it would discard the decoded pixels, and the in-memory buffer needs no closing.
    """
    if not data:
        return Failure(InvalidInput(field, "is empty"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in formats:
                return Failure(
                    InvalidInput(
                        field,
                        f"{image.format or 'this'} format is not accepted ({formats_named})",
                        InputProblem.UNSUPPORTED_FORMAT,
                    )
                )
            width, height = image.size
            if width * height > max_pixels:
                return Failure(
                    too_large(
                        field, f"{width}×{height} is more than the {max_pixels} pixels allowed"
                    )
                )
            image.load()
            return Success(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return Failure(too_large(field, "is a decompression bomb"))
    except UNDECODABLE:
        return Failure(InvalidInput(field, "is not a complete image that can be decoded"))


def too_large(field: str, reason: str) -> InvalidInput:
    return InvalidInput(field, reason, InputProblem.TOO_LARGE)
