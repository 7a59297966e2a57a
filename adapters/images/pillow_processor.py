"""The `ImageProcessor` port on Pillow: compress, convert and fit to social formats, locally."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from returns.result import Failure, Result, Success

from imagestudio.adapters.images.image_writing import (
    FAITHFUL_QUALITY,
    WHITE,
    faithful,
    searched,
    written,
)
from imagestudio.adapters.images.processing_refusals import (
    background_refusal,
    compress_refusal,
    named,
    quality_refusal,
    unwritable,
)
from imagestudio.adapters.images.safe_decoding import UNDECODABLE, decoded, too_large
from imagestudio.adapters.images.social_fit import fitted
from imagestudio.adapters.images.social_formats_file import load_social_formats
from imagestudio.adapters.images.source_image import SourceImage, source_image
from imagestudio.adapters.images.thumbnails import thumbnail_of
from imagestudio.application.ports.image_processor import (
    CompressSpec,
    ConvertSpec,
    Metadata,
    ProcessedImage,
    SocialFormat,
    SocialSpec,
)
from imagestudio.domain.errors import InputProblem, InvalidInput
from imagestudio.domain.media import MediaType

# GIF, TIFF and BMP are read (first frame only) but never written: they come out as PNG.
_READ_AS = {
    "PNG": MediaType.PNG,
    "JPEG": MediaType.JPEG,
    "MPO": MediaType.JPEG,
    "WEBP": MediaType.WEBP,
    "AVIF": MediaType.AVIF,
    "GIF": MediaType.PNG,
    "TIFF": MediaType.PNG,
    "BMP": MediaType.PNG,
}
_READ_NAMED = "PNG, JPEG, WebP, AVIF, GIF, TIFF or BMP"
_COMPRESS_QUALITY = 80
_TARGET_CEILING = 95
"""Above this the lossy formats grow much larger for no visible gain: a size target stops here."""


class PillowImageProcessor:
    """The `ImageProcessor` port on Pillow; the presets come from a TOML file read once here.

    PNG has no quality of its own: at 100 it is written losslessly and quickly, from 70 to 99
    losslessly with zlib's hardest effort, below 70 its colours are quantised to a palette that
    shrinks with the quality (256 colours at 69, 2 at 1), which is what lets a PNG reach a size
    target. Convert and fit_social write PNG at 100 (quickly) unless a size limit applies.
    """

    def __init__(self, max_pixels: int = 50_000_000, formats_file: Path | None = None) -> None:
        self._max_pixels = max_pixels
        self._formats = load_social_formats(formats_file)
        self._writable = frozenset(
            {MediaType.PNG, MediaType.JPEG, MediaType.WEBP}
            | ({MediaType.AVIF} if _can_write_avif() else set())
        )

    def compress(self, data: bytes, spec: CompressSpec) -> Result[ProcessedImage, InvalidInput]:
        refusal = self._format_refusal(spec.media_type) or compress_refusal(spec)
        if refusal is not None:
            return Failure(refusal)
        return self._source(data, spec.metadata).bind(lambda source: self._compressed(source, spec))

    def convert(self, data: bytes, spec: ConvertSpec) -> Result[ProcessedImage, InvalidInput]:
        refusal = (
            self._format_refusal(spec.media_type)
            or quality_refusal(spec.quality)
            or background_refusal(spec.background)
        )
        if refusal is not None:
            return Failure(refusal)
        # A PNG quality below 70 would quantise its colours: converting keeps them all.
        png = spec.media_type is MediaType.PNG
        quality = faithful(spec.media_type) if png else spec.quality or FAITHFUL_QUALITY
        return self._source(data, spec.metadata).bind(
            lambda source: written(source, spec.media_type, spec.background, quality)
        )

    def fit_social(self, data: bytes, spec: SocialSpec) -> Result[ProcessedImage, InvalidInput]:
        media_type = spec.media_type or spec.format.media_type
        refusal = self._format_refusal(media_type) or self._preset_refusal(spec.format)
        if refusal is not None:
            return Failure(refusal)
        return self._source(data, spec.metadata).bind(
            lambda source: fitted(source, spec.format, media_type)
        )

    def thumbnail(self, data: bytes, size: int) -> Result[ProcessedImage, InvalidInput]:
        return thumbnail_of(data, size, self._max_pixels)

    def social_formats(self) -> tuple[SocialFormat, ...]:
        return self._formats

    def writable(self) -> frozenset[MediaType]:
        return self._writable

    def _source(self, data: bytes, metadata: Metadata) -> Result[SourceImage, InvalidInput]:
        def normalised(image: Image.Image) -> Result[SourceImage, InvalidInput]:
            try:
                return Success(source_image(image, metadata))
            except UNDECODABLE:
                return Failure(InvalidInput("image", "could not be decoded to pixels"))

        return decoded(data, "image", self._max_pixels, _READ_AS, _READ_NAMED).bind(normalised)

    def _compressed(
        self, source: SourceImage, spec: CompressSpec
    ) -> Result[ProcessedImage, InvalidInput]:
        media_type = spec.media_type or _READ_AS[source.read_as]
        if media_type not in self._writable:
            return Failure(unwritable(media_type, self._writable))
        if spec.target_bytes is None:
            quality = spec.quality or _COMPRESS_QUALITY
            return written(source, media_type, WHITE, quality)
        target = spec.target_bytes

        def too_big(smallest: int) -> InvalidInput:
            return InvalidInput(
                "target_bytes",
                f"{target} bytes cannot be reached: the smallest this image gets as "
                f"{named(media_type)} is {smallest} bytes",
                InputProblem.TOO_LARGE,
            )

        return searched(source, media_type, _TARGET_CEILING, target, too_big)

    def _format_refusal(self, media_type: MediaType | None) -> InvalidInput | None:
        if media_type is None or media_type in self._writable:
            return None
        return unwritable(media_type, self._writable)

    def _preset_refusal(self, social: SocialFormat) -> InvalidInput | None:
        if social.width < 1 or social.height < 1:
            return InvalidInput(
                "format", f"{social.key} has no area ({social.width}×{social.height})"
            )
        if social.width * social.height > self._max_pixels:
            return too_large(
                "format",
                f"{social.key} ({social.width}×{social.height}) is more than the "
                f"{self._max_pixels} pixels allowed",
            )
        if social.max_bytes is not None and social.max_bytes < 1:
            return InvalidInput("format", f"{social.key} has max_bytes {social.max_bytes}")
        return None


def _can_write_avif() -> bool:
    # Pillow can be built with an AVIF decoder but no encoder: only writing proves it.
    try:
        Image.new("RGB", (1, 1)).save(io.BytesIO(), "AVIF")
    except (KeyError, OSError, ValueError):
        return False
    return True
