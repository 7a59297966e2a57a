"""Working pixels written in an output format, with whatever metadata the caller keeps."""

from __future__ import annotations

import io

from PIL import Image, PngImagePlugin

from imagestudio.adapters.images.carried_metadata import CarriedMetadata
from imagestudio.domain.media import MediaType

LOSSLESS_PNG = 70
"""PNG qualities from this one up are lossless; below it, the palette shrinks with quality.

At 100 the PNG is written quickly; below 100 zlib works hardest, which costs up to twenty times
the time for a few percent.
"""

MAX_SIDE = {
    MediaType.PNG: 2**31 - 1,
    MediaType.JPEG: 65_500,
    MediaType.WEBP: 16_383,
    MediaType.AVIF: 65_535,
}
"""The longest side each format's encoder writes."""

_PILLOW_FORMAT = {
    MediaType.PNG: "PNG",
    MediaType.JPEG: "JPEG",
    MediaType.WEBP: "WEBP",
    MediaType.AVIF: "AVIF",
}
# What fits in one JPEG APP1 segment; larger EXIF or XMP would need the extended forms.
_JPEG_SEGMENT = 65_000


def prepared(
    image: Image.Image, media_type: MediaType, background: tuple[int, int, int]
) -> Image.Image:
    """`image` in a mode `media_type` holds: flattened onto `background` where alpha cannot be."""
    if media_type is MediaType.JPEG:
        return _flattened(image, background) if image.mode in ("RGBA", "LA") else image
    if media_type in (MediaType.WEBP, MediaType.AVIF) and image.mode in ("L", "LA"):
        return image.convert("RGBA" if image.mode == "LA" else "RGB")
    return image


def encoded(
    image: Image.Image, media_type: MediaType, quality: int, metadata: CarriedMetadata
) -> bytes:
    """`image` (already `prepared`) at `quality` 1..100; for PNG see `png_colours`."""
    options: dict[str, object] = {}
    if media_type is MediaType.PNG:
        colours = png_colours(quality)
        if colours is not None:
            image = _quantised(image, colours)
        options["optimize"] = quality < 100
        if metadata.xmp:
            text = PngImagePlugin.PngInfo()
            text.add_itxt("XML:com.adobe.xmp", metadata.xmp.decode("utf-8", "replace"))
            options["pnginfo"] = text
    else:
        options["quality"] = quality
        if media_type is MediaType.JPEG:
            options["optimize"] = True
        if metadata.xmp and not _too_long(metadata.xmp, media_type):
            options["xmp"] = metadata.xmp
    if metadata.exif and not _too_long(metadata.exif, media_type):
        options["exif"] = metadata.exif
    if metadata.icc is not None and metadata.icc.grey == (image.mode in ("L", "LA")):
        options["icc_profile"] = metadata.icc.data
    buffer = io.BytesIO()
    image.save(buffer, _PILLOW_FORMAT[media_type], **options)
    return buffer.getvalue()


def png_colours(quality: int) -> int | None:
    """The palette size PNG `quality` quantises to (2 at 1, 256 at 69), or None: lossless."""
    if quality >= LOSSLESS_PNG:
        return None
    return 2 + (quality - 1) * 254 // (LOSSLESS_PNG - 2)


def _flattened(image: Image.Image, background: tuple[int, int, int]) -> Image.Image:
    flat = Image.new("RGB", image.size, background)
    flat.paste(image.convert("RGB"), mask=image.getchannel("A"))
    grey_background = background[0] == background[1] == background[2]
    return flat.convert("L") if image.mode == "LA" and grey_background else flat


def _quantised(image: Image.Image, colours: int) -> Image.Image:
    if image.mode in ("RGBA", "LA"):
        # Only the octree quantiser keeps an alpha channel.
        return image.convert("RGBA").quantize(colours, method=Image.Quantize.FASTOCTREE)
    return image.quantize(colours, method=Image.Quantize.MEDIANCUT)


def _too_long(block: bytes, media_type: MediaType) -> bool:
    return media_type is MediaType.JPEG and len(block) > _JPEG_SEGMENT
