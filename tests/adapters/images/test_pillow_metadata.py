"""Orientation is applied to the pixels; EXIF, XMP and the colour profile are stripped or kept."""

from __future__ import annotations

import pytest
from PIL import ExifTags, Image, ImageCms
from pillow_samples import (
    ORIENTATION,
    PROCESSOR,
    WRITABLE,
    close_to,
    encoded,
    noise,
    photo_like,
    succeeded,
)

from imagestudio.application.ports.image_processor import (
    CompressSpec,
    ConvertSpec,
    Metadata,
    SocialFormat,
    SocialSpec,
)
from imagestudio.domain.media import MediaType

RED, GREEN = (255, 0, 0), (0, 255, 0)
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:dc="http://purl.org/dc/elements/1.1/" dc:source="made-by-ada"/></rdf:RDF></x:xmpmeta>'
)
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def marked_and_turned(orientation: int) -> bytes:
    """40×20 as stored, red with a green top-left corner, EXIF saying how to turn it."""
    stored = Image.new("RGB", (40, 20), RED)
    stored.paste(GREEN, (0, 0, 10, 10))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    return encoded(stored, "JPEG", quality=95, exif=exif.tobytes())


def with_every_kind_of_metadata() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Acme"
    exif[ExifTags.Base.Orientation] = 6
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2024:05:06 07:08:09"
    return encoded(photo_like(32, 24), "JPEG", exif=exif, xmp=XMP, icc_profile=SRGB)


def xmp_of(image: Image.Image) -> bytes:
    value = image.info.get("xmp") or b""
    return value.encode() if isinstance(value, str) else value


@pytest.mark.parametrize("media_type", WRITABLE)
def test_orientation_6_turns_the_pixels_clockwise(media_type: MediaType) -> None:
    spec = ConvertSpec(media_type=media_type)

    _, image = succeeded(PROCESSOR.convert(marked_and_turned(6), spec))

    assert image.size == (20, 40)
    assert close_to(image.convert("RGB").getpixel((15, 5)), GREEN, 60)
    assert close_to(image.convert("RGB").getpixel((5, 5)), RED, 60)


@pytest.mark.parametrize("media_type", WRITABLE)
def test_orientation_8_turns_the_pixels_anticlockwise(media_type: MediaType) -> None:
    spec = ConvertSpec(media_type=media_type)

    _, image = succeeded(PROCESSOR.convert(marked_and_turned(8), spec))

    assert image.size == (20, 40)
    assert close_to(image.convert("RGB").getpixel((5, 35)), GREEN, 60)
    assert close_to(image.convert("RGB").getpixel((5, 5)), RED, 60)


@pytest.mark.parametrize("metadata", list(Metadata))
def test_no_output_asks_to_be_turned_again(metadata: Metadata) -> None:
    spec = ConvertSpec(media_type=MediaType.JPEG, metadata=metadata)

    _, image = succeeded(PROCESSOR.convert(marked_and_turned(6), spec))

    assert image.getexif().get(ORIENTATION, 1) == 1


@pytest.mark.parametrize("media_type", WRITABLE)
def test_stripping_leaves_no_exif_xmp_or_profile(media_type: MediaType) -> None:
    spec = ConvertSpec(media_type=media_type, metadata=Metadata.STRIP)

    _, image = succeeded(PROCESSOR.convert(with_every_kind_of_metadata(), spec))

    assert not image.getexif()
    assert "exif" not in image.info
    assert not xmp_of(image)
    assert not image.info.get("icc_profile")


@pytest.mark.parametrize("media_type", WRITABLE)
def test_keeping_carries_exif_xmp_and_profile(media_type: MediaType) -> None:
    spec = ConvertSpec(media_type=media_type, metadata=Metadata.KEEP)

    _, image = succeeded(PROCESSOR.convert(with_every_kind_of_metadata(), spec))

    exif = image.getexif()
    assert exif.get(ExifTags.Base.Make) == "Acme"
    assert exif.get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal) == (
        "2024:05:06 07:08:09"
    )
    assert exif.get(ORIENTATION, 1) == 1
    assert b"made-by-ada" in xmp_of(image)
    assert image.info.get("icc_profile") == SRGB
    assert image.size == (24, 32)


def test_compress_strips_by_default() -> None:
    _, image = succeeded(PROCESSOR.compress(with_every_kind_of_metadata(), CompressSpec()))

    assert not image.getexif()
    assert not xmp_of(image)


def test_fit_social_keeps_when_asked() -> None:
    square = SocialFormat(platform="t", name="s", width=16, height=16, media_type=MediaType.JPEG)
    spec = SocialSpec(format=square, metadata=Metadata.KEEP)

    _, image = succeeded(PROCESSOR.fit_social(with_every_kind_of_metadata(), spec))

    assert image.getexif().get(ExifTags.Base.Make) == "Acme"


def test_png_text_chunks_are_stripped() -> None:
    from PIL import PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "private note")
    data = encoded(noise(8, 8), "PNG", pnginfo=text)

    for metadata in Metadata:
        spec = ConvertSpec(media_type=MediaType.PNG, metadata=metadata)
        _, image = succeeded(PROCESSOR.convert(data, spec))
        assert "Comment" not in image.info
