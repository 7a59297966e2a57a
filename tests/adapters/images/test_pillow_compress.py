"""Compress: re-encoded at a quality, or at the best quality that fits a size; bad input refused."""

from __future__ import annotations

import re

import pytest
from PIL import Image
from pillow_samples import (
    PILLOW_NAME,
    PROCESSOR,
    WRITABLE,
    encoded,
    noise,
    photo_like,
    png_claiming,
    refused,
    succeeded,
)

from imagestudio.adapters.images.pillow_processor import PillowImageProcessor
from imagestudio.application.ports.image_processor import CompressSpec
from imagestudio.domain.errors import InputProblem
from imagestudio.domain.media import MediaType

LOSSY = [media for media in WRITABLE if media is not MediaType.PNG]


@pytest.mark.parametrize("media_type", WRITABLE)
def test_the_output_keeps_the_inputs_format_and_size(media_type: MediaType) -> None:
    data = encoded(photo_like(96, 64), PILLOW_NAME[media_type])

    processed, image = succeeded(PROCESSOR.compress(data, CompressSpec()))

    assert processed.media_type is media_type
    assert image.size == (96, 64)
    assert image.mode == "RGB"


@pytest.mark.parametrize("media_type", WRITABLE)
def test_the_output_takes_the_format_asked_for(media_type: MediaType) -> None:
    data = encoded(photo_like(50, 40), "PNG")

    processed, image = succeeded(PROCESSOR.compress(data, CompressSpec(media_type=media_type)))

    assert processed.media_type is media_type
    assert (image.size, image.mode) == ((50, 40), "RGB")


@pytest.mark.parametrize("media_type", LOSSY)
def test_a_lower_quality_gives_a_smaller_output(media_type: MediaType) -> None:
    data = encoded(photo_like(128, 128), "PNG")

    def size_at(quality: int) -> int:
        spec = CompressSpec(quality=quality, media_type=media_type)
        return len(succeeded(PROCESSOR.compress(data, spec))[0].data)

    assert size_at(20) < size_at(60) < size_at(95)


def test_a_png_at_quality_70_or_more_is_lossless() -> None:
    original = noise(40, 30)

    _, image = succeeded(PROCESSOR.compress(encoded(original, "PNG"), CompressSpec(quality=70)))

    assert image.tobytes() == original.tobytes()


def test_a_png_below_quality_70_is_quantised_to_a_palette() -> None:
    data = encoded(photo_like(64, 64), "PNG")

    _, image = succeeded(PROCESSOR.compress(data, CompressSpec(quality=10)))

    assert image.mode == "P"
    assert len(image.getcolors(256) or ()) <= 40


def test_gif_tiff_and_bmp_inputs_come_out_as_png() -> None:
    for pillow_format in ("GIF", "TIFF", "BMP"):
        data = encoded(photo_like(20, 10), pillow_format)

        processed, image = succeeded(PROCESSOR.compress(data, CompressSpec()))

        assert processed.media_type is MediaType.PNG
        assert image.size == (20, 10)


@pytest.mark.parametrize("media_type", WRITABLE)
def test_the_same_input_and_spec_give_the_same_bytes(media_type: MediaType) -> None:
    data = encoded(photo_like(80, 60), "PNG")
    spec = CompressSpec(media_type=media_type, target_bytes=3000)

    first = PROCESSOR.compress(data, spec)

    succeeded(first)
    assert first == PROCESSOR.compress(data, spec)


# -- a size target ------------------------------------------------------------------------


@pytest.mark.parametrize("media_type", WRITABLE)
def test_a_reachable_target_is_met(media_type: MediaType) -> None:
    data = encoded(photo_like(160, 120), "PNG")

    processed, image = succeeded(
        PROCESSOR.compress(data, CompressSpec(media_type=media_type, target_bytes=6000))
    )

    assert len(processed.data) <= 6000
    assert image.size == (160, 120)


def test_the_target_takes_the_highest_quality_that_fits() -> None:
    data = encoded(photo_like(64, 48), "PNG")
    sizes = {
        quality: len(
            succeeded(
                PROCESSOR.compress(data, CompressSpec(quality=quality, media_type=MediaType.JPEG))
            )[0].data
        )
        for quality in range(1, 96)
    }
    target = (sizes[40] + sizes[41]) // 2 if sizes[40] < sizes[41] else sizes[40]
    best = max(quality for quality, size in sizes.items() if size <= target)

    processed, _ = succeeded(
        PROCESSOR.compress(data, CompressSpec(media_type=MediaType.JPEG, target_bytes=target))
    )

    assert len(processed.data) == sizes[best]


def test_a_generous_target_is_met_at_the_top_quality_not_above_it() -> None:
    data = encoded(photo_like(64, 48), "PNG")
    at_95 = PROCESSOR.compress(data, CompressSpec(quality=95, media_type=MediaType.JPEG))

    generous = PROCESSOR.compress(
        data, CompressSpec(target_bytes=10_000_000, media_type=MediaType.JPEG)
    )

    assert generous == at_95


@pytest.mark.parametrize("media_type", WRITABLE)
def test_an_unreachable_target_is_refused_with_the_smallest_size(media_type: MediaType) -> None:
    data = encoded(noise(200, 200), "PNG")
    smallest = succeeded(PROCESSOR.compress(data, CompressSpec(media_type=media_type, quality=1)))

    error = refused(PROCESSOR.compress(data, CompressSpec(media_type=media_type, target_bytes=50)))

    assert (error.field, error.problem) == ("target_bytes", InputProblem.TOO_LARGE)
    assert "the smallest this image gets as" in error.reason
    assert f" is {len(smallest[0].data)} bytes" in error.reason


# -- the spec -----------------------------------------------------------------------------


@pytest.mark.parametrize("quality", [0, -5, 101])
def test_a_quality_outside_1_to_100_is_refused(quality: int) -> None:
    error = refused(PROCESSOR.compress(encoded(noise(4, 4), "PNG"), CompressSpec(quality=quality)))

    assert error.field == "quality"


def test_quality_and_target_together_are_refused() -> None:
    spec = CompressSpec(quality=50, target_bytes=1000)

    assert refused(PROCESSOR.compress(encoded(noise(4, 4), "PNG"), spec)).field == "target_bytes"


@pytest.mark.parametrize("target", [0, -1])
def test_a_target_below_one_byte_is_refused(target: int) -> None:
    spec = CompressSpec(target_bytes=target)

    assert refused(PROCESSOR.compress(encoded(noise(4, 4), "PNG"), spec)).field == "target_bytes"


@pytest.mark.parametrize("media_type", [MediaType.GLB, MediaType.MP4])
def test_a_non_image_output_is_an_unsupported_format(media_type: MediaType) -> None:
    error = refused(
        PROCESSOR.compress(encoded(noise(4, 4), "PNG"), CompressSpec(media_type=media_type))
    )

    assert (error.field, error.problem) == ("media_type", InputProblem.UNSUPPORTED_FORMAT)


def test_a_webp_wider_than_webp_allows_is_refused_before_encoding() -> None:
    data = encoded(Image.new("L", (17_000, 1)), "PNG")

    error = refused(PROCESSOR.compress(data, CompressSpec(media_type=MediaType.WEBP)))

    assert (error.field, error.problem) == ("image", InputProblem.TOO_LARGE)
    assert "16383" in error.reason


# -- the input ----------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"not an image at all", encoded(noise(64, 64), "PNG")[:300]])
def test_undecodable_data_is_refused(data: bytes) -> None:
    error = refused(PROCESSOR.compress(data, CompressSpec()))

    assert (error.field, error.problem) == ("image", InputProblem.INVALID)


def test_a_format_nobody_asked_for_is_unsupported() -> None:
    error = refused(PROCESSOR.compress(encoded(noise(8, 8), "PPM"), CompressSpec()))

    assert (error.field, error.problem) == ("image", InputProblem.UNSUPPORTED_FORMAT)


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    error = refused(PROCESSOR.compress(png_claiming(9000, 9000), CompressSpec()))

    assert (error.field, error.problem) == ("image", InputProblem.TOO_LARGE)
    assert "9000×9000" in error.reason


def test_pillows_own_bomb_limit_is_refused_too() -> None:
    pixels = Image.MAX_IMAGE_PIXELS or 89_478_485
    side = int((pixels * 1.5) ** 0.5)
    generous = PillowImageProcessor(max_pixels=10 * pixels)

    error = refused(generous.compress(png_claiming(side, side), CompressSpec()))

    assert error.problem is InputProblem.TOO_LARGE


def test_the_pixel_limit_is_the_processors() -> None:
    data = encoded(noise(100, 100), "PNG")

    assert refused(
        PillowImageProcessor(max_pixels=9_999).compress(data, CompressSpec())
    ).problem is (InputProblem.TOO_LARGE)
    succeeded(PillowImageProcessor(max_pixels=10_000).compress(data, CompressSpec()))


def test_a_refusal_names_the_smallest_size_as_a_number() -> None:
    data = encoded(noise(100, 100), "PNG")

    error = refused(PROCESSOR.compress(data, CompressSpec(target_bytes=10)))

    assert re.search(r"is \d+ bytes", error.reason)
