"""Images made in the tests with Pillow: awkward modes, rotations, colour profiles, broken files."""

from __future__ import annotations

import io
import random
import struct
import zlib
from collections.abc import Callable

import pytest
from PIL import ExifTags, Image
from returns.result import Failure, Result, Success

from imagestudio.adapters.images.pillow_processor import PillowImageProcessor
from imagestudio.application.ports.image_processor import ProcessedImage
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.media import MediaType

PROCESSOR = PillowImageProcessor()
WRITABLE = sorted(PROCESSOR.writable())
needs_avif = pytest.mark.skipif(
    MediaType.AVIF not in PROCESSOR.writable(), reason="this Pillow cannot write AVIF"
)
PILLOW_NAME = {
    MediaType.PNG: "PNG",
    MediaType.JPEG: "JPEG",
    MediaType.WEBP: "WEBP",
    MediaType.AVIF: "AVIF",
}
ORIENTATION = ExifTags.Base.Orientation
CYAN, MAGENTA = (255, 0, 0, 0), (0, 255, 0, 0)


def encoded(image: Image.Image, image_format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def noise(width: int, height: int, seed: int = 7) -> Image.Image:
    pixels = random.Random(seed).randbytes(width * height * 3)
    return Image.frombytes("RGB", (width, height), pixels)


def photo_like(width: int, height: int) -> Image.Image:
    """Smooth gradients with a little noise: compresses like a photograph, not like noise."""
    gradient = Image.merge(
        "RGB",
        (
            Image.linear_gradient("L").resize((width, height)),
            Image.radial_gradient("L").resize((width, height)),
            Image.linear_gradient("L").rotate(90).resize((width, height)),
        ),
    )
    return Image.blend(gradient, noise(width, height), 0.15)


def succeeded(result: Result[ProcessedImage, InvalidInput]) -> tuple[ProcessedImage, Image.Image]:
    """The processed image and its decoded pixels, after checking the two agree."""
    assert isinstance(result, Success), result
    processed = result.unwrap()
    image = opened(processed.data)
    assert image.format == PILLOW_NAME[processed.media_type]
    assert image.size == (processed.width, processed.height)
    return processed, image


def refused(result: Result[ProcessedImage, InvalidInput]) -> InvalidInput:
    assert isinstance(result, Failure), result
    error = result.failure()
    assert isinstance(error, InvalidInput)
    return error


def close_to(actual: object, expected: tuple[int, ...], tolerance: int) -> bool:
    assert isinstance(actual, tuple)
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


def png_claiming(width: int, height: int) -> bytes:
    """A 1-bit grey PNG whose header claims `width`×`height` but whose data cannot decode."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + payload))
        return struct.pack(">I", len(payload)) + kind + payload + crc

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"not a zlib stream")
        + chunk(b"IEND", b"")
    )


def cmyk_patches() -> Image.Image:
    """A CMYK image: cyan on the left half, magenta on the right."""
    image = Image.new("CMYK", (32, 16), CYAN)
    image.paste(Image.new("CMYK", (16, 16), MAGENTA), (16, 0))
    return image


def without_adobe_marker(jpeg: bytes) -> bytes:
    """`jpeg` with its APP14 "Adobe" segment cut out: CMYK then reads as stored, not inverted."""
    start = jpeg.index(b"Adobe") - 4
    assert jpeg[start : start + 2] == b"\xff\xee"
    length = struct.unpack(">H", jpeg[start + 2 : start + 4])[0]
    return jpeg[:start] + jpeg[start + 2 + length :]


def plain_cmyk_jpeg(image: Image.Image) -> bytes:
    """A CMYK JPEG storing `image`'s inks as they are, with no Adobe marker.

    Pillow writes CMYK inverted behind an Adobe marker; inverting first and cutting the marker
    leaves the inks stored plainly, as some non-Adobe writers do.
    """
    inverted = Image.merge("CMYK", [band.point(lambda v: 255 - v) for band in image.split()])
    return without_adobe_marker(encoded(inverted, "JPEG", quality=95))


# -- colour profiles, written by hand (no ICC files ship with the machine) -----------------------

_D50 = (0.9642, 1.0, 0.8249)
# sRGB's primaries adapted to D50, as every sRGB profile states them.
_SRGB_PRIMARIES = ((0.4361, 0.2225, 0.0139), (0.3851, 0.7169, 0.0971), (0.1431, 0.0606, 0.7141))
# D50 Lab of sRGB's black, primaries, secondaries and white, by (r, g, b) on or off.
_LAB = {
    (0, 0, 0): (0.0, 0.0, 0.0),
    (1, 0, 0): (54.29, 80.80, 69.89),
    (0, 1, 0): (87.82, -79.29, 80.99),
    (0, 0, 1): (29.57, 68.30, -112.03),
    (0, 1, 1): (90.67, -50.67, -14.96),
    (1, 0, 1): (60.17, 93.55, -60.50),
    (1, 1, 0): (97.61, -15.75, 93.39),
    (1, 1, 1): (100.0, 0.0, 0.0),
}


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz(xyz: tuple[float, float, float]) -> bytes:
    return b"XYZ \0\0\0\0" + b"".join(_s15(v) for v in xyz)


def _desc(text: str) -> bytes:
    ascii_text = text.encode("ascii") + b"\0"
    return (
        b"desc\0\0\0\0"
        + struct.pack(">I", len(ascii_text))
        + ascii_text
        + b"\0" * 8  # no Unicode description
        + b"\0\0\0"  # no ScriptCode description
        + b"\0" * 67
    )


def _profile(device_class: bytes, space: bytes, pcs: bytes, tags: dict[bytes, bytes]) -> bytes:
    table_size = 4 + 12 * len(tags)
    offset = 128 + table_size
    entries, payload = b"", b""
    for signature, data in tags.items():
        padded = data + b"\0" * (-len(data) % 4)
        entries += signature + struct.pack(">II", offset + len(payload), len(data))
        payload += padded
    size = 128 + table_size + len(payload)
    header = (
        struct.pack(">I", size)
        + b"\0\0\0\0"
        + bytes((2, 0x10, 0, 0))
        + device_class
        + space
        + pcs
        + b"\0" * 12
        + b"acsp"
        + b"\0" * 24
        + b"\0\0\0\0"
        + b"".join(_s15(v) for v in _D50)
        + b"\0" * 48
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + entries + payload


def rgb_profile_with_red_and_blue_swapped() -> bytes:
    """An RGB profile whose "red" channel is sRGB's blue and whose "blue" is sRGB's red."""
    red, green, blue = _SRGB_PRIMARIES
    gamma = b"curv\0\0\0\0" + struct.pack(">IH", 1, round(2.2 * 256))
    return _profile(
        b"mntr",
        b"RGB ",
        b"XYZ ",
        {
            b"desc": _desc("red and blue swapped"),
            b"wtpt": _xyz(_D50),
            b"rXYZ": _xyz(blue),
            b"gXYZ": _xyz(green),
            b"bXYZ": _xyz(red),
            b"rTRC": gamma,
            b"gTRC": gamma,
            b"bTRC": gamma,
        },
    )


def cmyk_profile(ink: Callable[[int, int, int, int], tuple[int, int, int]] | None = None) -> bytes:
    """A CMYK printer profile (a 2-point lut8) mapping each ink corner to an sRGB corner colour.

    By default cyan is cyan (naive subtractive inks); `ink` maps (c, m, y, k) in 0/1 to the
    (r, g, b) in 0/1 each corner shows, to tell the profile's colours from Pillow's own.
    """

    def naive(c: int, m: int, y: int, k: int) -> tuple[int, int, int]:
        return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))

    corners = ink or naive
    identity = bytes(range(256))
    grid = b""
    for c in (0, 1):
        for m in (0, 1):
            for y in (0, 1):
                for k in (0, 1):
                    lightness, a, b = _LAB[corners(c, m, y, k)]
                    grid += bytes((round(lightness * 255 / 100), round(a + 128), round(b + 128)))
    lut = (
        b"mft1\0\0\0\0"
        + bytes((4, 3, 2, 0))
        + b"".join(_s15(1.0 if row == column else 0.0) for row in range(3) for column in range(3))
        + identity * 4
        + grid
        + identity * 3
    )
    return _profile(
        b"prtr",
        b"CMYK",
        b"Lab ",
        {b"desc": _desc("test inks"), b"wtpt": _xyz(_D50), b"A2B0": lut},
    )
