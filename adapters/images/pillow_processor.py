"""The `ImageProcessor` port on Pillow: compress, convert and fit to social formats, locally."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from returns.result import Failure, Result, Success

from imagestudio.adapters.images.encoding import LOSSLESS_PNG, MAX_SIDE, encoded, prepared
from imagestudio.adapters.images.quality_search import best_fitting
from imagestudio.adapters.images.safe_decoding import UNDECODABLE, decoded, too_large
from imagestudio.adapters.images.smart_crop import cover_box
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
_FAITHFUL_QUALITY = 90
"""Convert and fit_social change the format or size, not the fidelity the caller asked for."""
_TARGET_CEILING = 95
"""Above this the lossy formats grow much larger for no visible gain: a size target stops here."""
_WHITE = (255, 255, 255)

Encode = Callable[[int], bytes]


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
        refusal = self._format_refusal(spec.media_type) or _compress_refusal(spec)
        if refusal is not None:
            return Failure(refusal)
        return self._source(data, spec.metadata).bind(lambda source: self._compressed(source, spec))

    def convert(self, data: bytes, spec: ConvertSpec) -> Result[ProcessedImage, InvalidInput]:
        refusal = (
            self._format_refusal(spec.media_type)
            or _quality_refusal(spec.quality)
            or _background_refusal(spec.background)
        )
        if refusal is not None:
            return Failure(refusal)
        # A PNG quality below 70 would quantise its colours: converting keeps them all.
        png = spec.media_type is MediaType.PNG
        quality = _faithful(spec.media_type) if png else spec.quality or _FAITHFUL_QUALITY
        return self._source(data, spec.metadata).bind(
            lambda source: _written(source, spec.media_type, spec.background, quality)
        )

    def fit_social(self, data: bytes, spec: SocialSpec) -> Result[ProcessedImage, InvalidInput]:
        media_type = spec.media_type or spec.format.media_type
        refusal = self._format_refusal(media_type) or self._preset_refusal(spec.format)
        if refusal is not None:
            return Failure(refusal)
        return self._source(data, spec.metadata).bind(
            lambda source: _fitted(source, spec.format, media_type)
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
            return Failure(_unwritable(media_type, self._writable))
        if spec.target_bytes is None:
            quality = spec.quality or _COMPRESS_QUALITY
            return _written(source, media_type, _WHITE, quality)
        target = spec.target_bytes

        def too_big(smallest: int) -> InvalidInput:
            return InvalidInput(
                "target_bytes",
                f"{target} bytes cannot be reached: the smallest this image gets as "
                f"{_named(media_type)} is {smallest} bytes",
                InputProblem.TOO_LARGE,
            )

        return _searched(source, media_type, _TARGET_CEILING, target, too_big)

    def _format_refusal(self, media_type: MediaType | None) -> InvalidInput | None:
        if media_type is None or media_type in self._writable:
            return None
        return _unwritable(media_type, self._writable)

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


def _fitted(
    source: SourceImage, social: SocialFormat, media_type: MediaType
) -> Result[ProcessedImage, InvalidInput]:
    size = (social.width, social.height)
    box = cover_box(source.pixels, *size)
    pixels = source.pixels.resize(size, Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)
    fitted = SourceImage(pixels, source.metadata, source.read_as)
    if social.max_bytes is None:
        return _written(fitted, media_type, _WHITE, _faithful(media_type))
    limit = social.max_bytes

    def too_big(smallest: int) -> InvalidInput:
        return too_large(
            "image",
            f"cannot fit {social.key}'s limit of {limit} bytes: the smallest it gets as "
            f"{_named(media_type)} at {social.width}×{social.height} is {smallest} bytes",
        )

    return _searched(fitted, media_type, _FAITHFUL_QUALITY, limit, too_big)


def _written(
    source: SourceImage,
    media_type: MediaType,
    background: tuple[int, int, int],
    quality: int,
) -> Result[ProcessedImage, InvalidInput]:
    encode = _encoder(source, media_type, background)
    if encode is None:
        return Failure(_too_wide(source, media_type))
    return Success(_processed(encode(quality), media_type, source))


def _searched(
    source: SourceImage,
    media_type: MediaType,
    ceiling: int,
    limit: int,
    too_big: Callable[[int], InvalidInput],
) -> Result[ProcessedImage, InvalidInput]:
    encode = _encoder(source, media_type, _WHITE)
    if encode is None:
        return Failure(_too_wide(source, media_type))
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


def _compress_refusal(spec: CompressSpec) -> InvalidInput | None:
    if spec.quality is not None and spec.target_bytes is not None:
        return InvalidInput("target_bytes", "give a quality or a target size, not both")
    if spec.target_bytes is not None and spec.target_bytes < 1:
        return InvalidInput("target_bytes", f"must be a positive size, not {spec.target_bytes}")
    return _quality_refusal(spec.quality)


def _quality_refusal(quality: int | None) -> InvalidInput | None:
    if quality is None or 1 <= quality <= 100:
        return None
    return InvalidInput("quality", f"must be from 1 to 100, not {quality}")


def _background_refusal(background: tuple[int, int, int]) -> InvalidInput | None:
    if len(background) == 3 and all(0 <= channel <= 255 for channel in background):
        return None
    return InvalidInput("background", f"must be three values from 0 to 255, not {background}")


def _unwritable(media_type: MediaType, writable: frozenset[MediaType]) -> InvalidInput:
    choices = ", ".join(sorted(_named(each) for each in writable))
    return InvalidInput(
        "media_type",
        f"{media_type} cannot be written as an image here (choose {choices})",
        InputProblem.UNSUPPORTED_FORMAT,
    )


def _too_wide(source: SourceImage, media_type: MediaType) -> InvalidInput:
    width, height = source.pixels.size
    return too_large(
        "image",
        f"{width}×{height} is too large for {_named(media_type)} "
        f"(at most {MAX_SIDE[media_type]} pixels a side)",
    )


def _faithful(media_type: MediaType) -> int:
    return 100 if media_type is MediaType.PNG else _FAITHFUL_QUALITY


def _named(media_type: MediaType) -> str:
    return {MediaType.WEBP: "WebP", MediaType.JPEG: "JPEG"}.get(
        media_type, media_type.extension.upper()
    )


def _can_write_avif() -> bool:
    # Pillow can be built with an AVIF decoder but no encoder: only writing proves it.
    try:
        Image.new("RGB", (1, 1)).save(io.BytesIO(), "AVIF")
    except (KeyError, OSError, ValueError):
        return False
    return True
