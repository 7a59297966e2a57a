"""An image fitted to a social format: cropped to cover it where it matters most, resized, and
written under the format's byte limit if it has one."""

from __future__ import annotations

from PIL import Image
from returns.result import Result

from imagestudio.adapters.images.image_writing import (
    FAITHFUL_QUALITY,
    WHITE,
    faithful,
    searched,
    written,
)
from imagestudio.adapters.images.processing_refusals import named
from imagestudio.adapters.images.safe_decoding import too_large
from imagestudio.adapters.images.smart_crop import cover_box
from imagestudio.adapters.images.source_image import SourceImage
from imagestudio.application.ports.image_processor import (
    ProcessedImage,
    SocialFormat,
)
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.media import MediaType


def fitted(
    source: SourceImage, social: SocialFormat, media_type: MediaType
) -> Result[ProcessedImage, InvalidInput]:
    size = (social.width, social.height)
    box = cover_box(source.pixels, *size)
    pixels = source.pixels.resize(size, Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)
    fitted = SourceImage(pixels, source.metadata, source.read_as)
    if social.max_bytes is None:
        return written(fitted, media_type, WHITE, faithful(media_type))
    limit = social.max_bytes

    def too_big(smallest: int) -> InvalidInput:
        return too_large(
            "image",
            f"cannot fit {social.key}'s limit of {limit} bytes: the smallest it gets as "
            f"{named(media_type)} at {social.width}×{social.height} is {smallest} bytes",
        )

    return searched(fitted, media_type, FAITHFUL_QUALITY, limit, too_big)
