"""Uploaded images as the emulator sees them: measured, refitted, masked, blurred (Pillow)."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from PIL import Image, ImageFilter, ImageOps

from imagestudio.domain.media import MediaType

_FORMATS = {"PNG", "JPEG", "WEBP"}
_PIL_FORMAT = {MediaType.PNG: "PNG", MediaType.JPEG: "JPEG", MediaType.WEBP: "WEBP"}


@dataclass(frozen=True, slots=True)
class UploadedImage:
    data: bytes
    width: int
    height: int
    has_alpha: bool

    @property
    def pixels(self) -> int:
        return self.width * self.height

    @property
    def aspect(self) -> float:
        return self.width / self.height


def measured(data: bytes) -> UploadedImage:
    """The upload's size and alpha; ValueError when it is not a PNG, JPEG or WebP."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in _FORMATS:
                raise ValueError(f"unsupported format {image.format}")
            has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            return UploadedImage(data, image.width, image.height, has_alpha)
    except ValueError:
        raise
    except Exception as error:
        raise ValueError(str(error)) from None


def size_at(pixels: int, aspect: float, multiple: int = 1) -> tuple[int, int]:
    """A width and height of about `pixels` at `aspect`, each a multiple of `multiple`."""
    width = math.sqrt(pixels * aspect)
    height = width / aspect
    return (
        max(multiple, round(width / multiple) * multiple),
        max(multiple, round(height / multiple) * multiple),
    )


def fitted_png(image: UploadedImage, size: tuple[int, int]) -> bytes:
    """The image cropped to the aspect of `size` and scaled to it (for 1 MP outputs)."""
    with Image.open(io.BytesIO(image.data)) as opened:
        fitted = ImageOps.fit(opened.convert("RGBA"), size, Image.Resampling.LANCZOS)
    return _png(fitted)


def transparency_mask_png(image: UploadedImage) -> bytes:
    """White where the image is transparent: Stability's mask when no `mask` part is sent."""
    with Image.open(io.BytesIO(image.data)) as opened:
        alpha = opened.convert("RGBA").getchannel("A")
    return _png(ImageOps.invert(alpha))


def blurred(data: bytes, media: MediaType) -> bytes:
    """What a CONTENT_FILTERED reply carries: the output, blurred past recognition."""
    with Image.open(io.BytesIO(data)) as opened:
        opened.load()
        radius = max(8, min(opened.size) // 12)
        image = opened.filter(ImageFilter.GaussianBlur(radius))
    buffer = io.BytesIO()
    if media is MediaType.JPEG and image.mode != "RGB":
        image = image.convert("RGB")
    image.save(buffer, format=_PIL_FORMAT[media])
    return buffer.getvalue()


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
