"""Uploaded images: decoded safely, sized honestly, refused with the right problem."""

from __future__ import annotations

import io
import random
import struct
import zlib

import pytest
from PIL import Image, features
from returns.result import Failure, Success

from imagestudio.adapters.images.pillow_inspector import PillowImageInspector
from imagestudio.application.ports.image_inspector import ImageInfo
from imagestudio.domain.errors import InputProblem, InvalidInput
from imagestudio.domain.media import MediaType

MAX_PIXELS = 9_437_184
ORIENTATION = 0x0112


def encoded(image: Image.Image, image_format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def noise(width: int, height: int) -> Image.Image:
    pixels = random.Random(7).randbytes(width * height * 3)
    return Image.frombytes("RGB", (width, height), pixels)


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload))
    )


def png_claiming(width: int, height: int) -> bytes:
    """A 1-bit grey PNG whose header claims `width`×`height` but whose data cannot decode."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", b"not a zlib stream")
        + png_chunk(b"IEND", b"")
    )


def inspect(
    data: bytes, max_pixels: int = MAX_PIXELS
) -> Success[ImageInfo] | Failure[InvalidInput]:
    result = PillowImageInspector().inspect(data, "image", max_pixels)
    assert isinstance(result, Success | Failure)
    return result


def problem_of(data: bytes, max_pixels: int = MAX_PIXELS) -> InputProblem:
    error = inspect(data, max_pixels).failure()
    assert error.field == "image"
    return error.problem


def test_a_png_is_measured() -> None:
    data = encoded(noise(32, 24), "PNG")

    assert inspect(data) == Success(ImageInfo(media_type=MediaType.PNG, width=32, height=24))


def test_a_jpeg_is_measured() -> None:
    data = encoded(noise(40, 30), "JPEG")

    assert inspect(data) == Success(ImageInfo(media_type=MediaType.JPEG, width=40, height=30))


def test_a_webp_is_measured() -> None:
    data = encoded(noise(20, 50), "WEBP")

    assert inspect(data) == Success(ImageInfo(media_type=MediaType.WEBP, width=20, height=50))


def test_empty_data_is_invalid() -> None:
    assert problem_of(b"") is InputProblem.INVALID


def test_random_bytes_are_invalid() -> None:
    assert problem_of(random.Random(1).randbytes(4096)) is InputProblem.INVALID


def test_a_truncated_png_is_invalid() -> None:
    data = encoded(noise(64, 64), "PNG")

    assert problem_of(data[: len(data) // 2]) is InputProblem.INVALID


def test_a_gif_is_an_unsupported_format() -> None:
    data = encoded(Image.new("P", (8, 8)), "GIF")

    assert problem_of(data) is InputProblem.UNSUPPORTED_FORMAT


def test_a_header_claiming_fifty_thousand_pixels_square_is_too_large() -> None:
    assert problem_of(png_claiming(50_000, 50_000)) is InputProblem.TOO_LARGE


def test_a_header_within_the_limit_is_decoded_fully() -> None:
    assert problem_of(png_claiming(4000, 4000), max_pixels=16_000_000) is InputProblem.INVALID


def test_a_header_over_the_limit_is_refused_before_decoding() -> None:
    # Decoding this image fails (see above): TOO_LARGE proves decoding was not tried.
    assert problem_of(png_claiming(4000, 4000), max_pixels=1_000_000) is InputProblem.TOO_LARGE


def test_pillows_own_bomb_warning_is_refused_as_too_large() -> None:
    pixels = Image.MAX_IMAGE_PIXELS or 89_478_485
    side = int((pixels * 1.5) ** 0.5)

    assert problem_of(png_claiming(side, side), max_pixels=10 * pixels) is InputProblem.TOO_LARGE


def test_an_image_just_over_the_limit_is_too_large() -> None:
    data = encoded(noise(100, 100), "PNG")

    assert problem_of(data, max_pixels=9_999) is InputProblem.TOO_LARGE


def test_an_image_exactly_at_the_limit_is_accepted() -> None:
    data = encoded(noise(100, 100), "PNG")

    assert isinstance(inspect(data, max_pixels=10_000), Success)


def test_the_reason_names_the_size_claimed() -> None:
    error = inspect(png_claiming(4000, 4000), max_pixels=1_000_000).failure()

    assert "4000×4000" in error.reason


def test_a_jpeg_turned_sideways_by_exif_reports_its_upright_size() -> None:
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    data = encoded(noise(40, 20), "JPEG", exif=exif.tobytes())

    assert inspect(data) == Success(ImageInfo(media_type=MediaType.JPEG, width=20, height=40))


def test_a_jpeg_flipped_by_exif_keeps_its_size() -> None:
    exif = Image.Exif()
    exif[ORIENTATION] = 3
    data = encoded(noise(40, 20), "JPEG", exif=exif.tobytes())

    assert inspect(data) == Success(ImageInfo(media_type=MediaType.JPEG, width=40, height=20))


needs_avif = pytest.mark.skipif(not features.check("avif"), reason="this Pillow has no AVIF")


@needs_avif
def test_an_avif_is_measured() -> None:
    data = encoded(noise(36, 28), "AVIF")

    assert inspect(data) == Success(ImageInfo(media_type=MediaType.AVIF, width=36, height=28))


@needs_avif
def test_an_avif_turned_sideways_reports_its_upright_size() -> None:
    exif = Image.Exif()
    exif[ORIENTATION] = 8
    data = encoded(noise(36, 28), "AVIF", exif=exif.tobytes())

    assert inspect(data) == Success(ImageInfo(media_type=MediaType.AVIF, width=28, height=36))


def test_a_phones_mpo_is_measured_as_a_jpeg() -> None:
    data = encoded(noise(30, 20), "MPO", save_all=True, append_images=[noise(30, 20)])
    assert Image.open(io.BytesIO(data)).format == "MPO"

    assert inspect(data) == Success(ImageInfo(media_type=MediaType.JPEG, width=30, height=20))


def test_the_refusal_of_a_format_lists_the_accepted_ones() -> None:
    error = inspect(encoded(Image.new("P", (8, 8)), "GIF")).failure()

    assert "PNG, JPEG, WebP or AVIF" in error.reason
