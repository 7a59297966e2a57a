"""A decoded image made workable: upright, 8-bit RGB(A) or grey(+alpha), colours made sRGB.

Every later step (cropping, flattening, encoding) can then assume one of four modes and pixels
that need no orientation or colour profile to be read right.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps

from imagestudio.adapters.images.carried_metadata import NOTHING, CarriedMetadata, IccProfile
from imagestudio.application.ports.image_processor import Metadata

_ORIENTATION = 0x0112
_SIXTEEN_BIT = frozenset({"I;16", "I;16L", "I;16B", "I;16N"})
_WIDE = _SIXTEEN_BIT | {"I", "F"}
_WORKING = frozenset({"RGB", "RGBA", "L", "LA"})
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
_BAD_PROFILE = (OSError, ValueError, ImageCms.PyCMSError)


@dataclass(frozen=True, slots=True)
class SourceImage:
    pixels: Image.Image
    """Upright, in RGB, RGBA, L or LA, with an empty `info` so nothing leaks into an output."""
    metadata: CarriedMetadata
    read_as: str
    """Pillow's name for the format the input was read as ("PNG", "JPEG", "MPO", ...)."""


def source_image(image: Image.Image, metadata: Metadata) -> SourceImage:
    """`image` upright and in a working mode; with `metadata` KEEP, what an output may carry.

    Colours: a CMYK or Lab image always becomes sRGB. An RGB image with a profile becomes sRGB
    when metadata is stripped (an untagged image is read as sRGB), and keeps its pixels and
    profile when metadata is kept. A grey profile is kept or dropped with the metadata.
    """
    upright = ImageOps.exif_transpose(image)
    if _plain_cmyk(image):
        upright = upright.point(lambda value: 255 - value)
    profile = _profile(upright.info.get("icc_profile"))
    pixels, icc = _in_working_mode(upright, profile, keep=metadata is Metadata.KEEP)
    carried = (
        CarriedMetadata(exif=_exif(upright), xmp=_xmp(upright), icc=icc)
        if metadata is Metadata.KEEP
        else NOTHING
    )
    pixels = _without_opaque_alpha(pixels)
    # Pillow's encoders fall back on `info` for some metadata: only `carried` may reach them.
    pixels.info = {}
    return SourceImage(pixels, carried, image.format or "")


def _in_working_mode(
    image: Image.Image, profile: ImageCms.ImageCmsProfile | None, *, keep: bool
) -> tuple[Image.Image, IccProfile | None]:
    mode = image.mode
    if mode == "CMYK":
        return _cmyk_as_srgb(image, profile), None
    if mode == "LAB":
        lab = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB"))
        return ImageCms.profileToProfile(image, lab, _SRGB, outputMode="RGB") or image, None
    image = _working(image)
    if profile is None:
        return image, None
    space = profile.profile.xcolor_space.strip()
    grey = image.mode in ("L", "LA")
    if space == "GRAY" and grey:
        return image, IccProfile(profile.tobytes(), grey=True) if keep else None
    if space == "RGB" and not grey:
        if keep:
            return image, IccProfile(profile.tobytes(), grey=False)
        return _as_srgb(image, profile), None
    return image, None


def _working(image: Image.Image) -> Image.Image:
    mode = image.mode
    transparent = "transparency" in image.info
    if mode in _WIDE:
        return _eight_bit(image)
    if mode == "1":
        return image.convert("L")
    if mode in ("P", "PA"):
        return image.convert("RGBA" if mode == "PA" or transparent else "RGB")
    if mode in ("L", "RGB") and transparent:
        return image.convert(mode + "A")
    if mode in _WORKING:
        return image
    return image.convert("RGBA" if "A" in image.getbands() else "RGB")


def _eight_bit(image: Image.Image) -> Image.Image:
    """Scaled to 0..255 by the range the samples can take, not clipped at 255."""
    if image.mode in _SIXTEEN_BIT:
        image, low, high = image.convert("I"), 0.0, 65535.0
    else:
        low, high = _extremes(image)
        if image.mode == "F" and low >= 0 and high <= 1:
            low, high = 0.0, 1.0
        elif low >= 0 and high <= 65535:
            # Most 32-bit grey images are 16-bit samples widened on the way in.
            low, high = 0.0, 65535.0
    scale = 255 / (high - low) if high > low else 0.0
    return image.point(lambda value: (value - low) * scale + 0.5).convert("L")


def _plain_cmyk(image: Image.Image) -> bool:
    """Whether Pillow inverted a CMYK JPEG that has no Adobe marker saying it is stored inverted.

    Pillow assumes Adobe's inverted inks for every CMYK JPEG; like libjpeg's other users, we
    take them as stored when the marker is absent.
    """
    return image.mode == "CMYK" and image.format in ("JPEG", "MPO") and "adobe" not in image.info


def _extremes(image: Image.Image) -> tuple[float, float]:
    low, high = image.getextrema()
    assert isinstance(low, int | float) and isinstance(high, int | float), "one band"
    return float(low), float(high)


def _cmyk_as_srgb(image: Image.Image, profile: ImageCms.ImageCmsProfile | None) -> Image.Image:
    # Pillow has already undone the inversion of Adobe CMYK JPEGs while decoding.
    if profile is not None and profile.profile.xcolor_space.strip() == "CMYK":
        try:
            converted = ImageCms.profileToProfile(image, profile, _SRGB, outputMode="RGB")
        except _BAD_PROFILE:
            converted = None
        if converted is not None:
            return converted
    return image.convert("RGB")


def _as_srgb(image: Image.Image, profile: ImageCms.ImageCmsProfile) -> Image.Image:
    colour = image.convert("RGB")
    try:
        converted = ImageCms.profileToProfile(colour, profile, _SRGB, outputMode="RGB")
    except _BAD_PROFILE:
        return image
    if converted is None:
        return image
    if image.mode == "RGBA":
        converted.putalpha(image.getchannel("A"))
    return converted


def _profile(data: object) -> ImageCms.ImageCmsProfile | None:
    if not isinstance(data, bytes) or not data:
        return None
    try:
        return ImageCms.ImageCmsProfile(io.BytesIO(data))
    except _BAD_PROFILE:
        return None


def _without_opaque_alpha(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA") and image.getchannel("A").getextrema() == (255, 255):
        return image.convert(image.mode[:-1])
    return image


def _exif(image: Image.Image) -> bytes | None:
    exif = image.getexif()
    if not exif:
        return None
    if _ORIENTATION in exif:
        exif[_ORIENTATION] = 1
    return exif.tobytes()


def _xmp(image: Image.Image) -> bytes | None:
    value = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp")
    if isinstance(value, str):
        return value.encode("utf-8")
    return value if isinstance(value, bytes) and value else None
