"""Convert: any input the processor reads comes out upright, in sRGB, in the format asked for."""

from __future__ import annotations

import pytest
from PIL import Image
from pillow_samples import (
    PILLOW_NAME,
    PROCESSOR,
    WRITABLE,
    close_to,
    cmyk_patches,
    cmyk_profile,
    encoded,
    needs_avif,
    noise,
    photo_like,
    plain_cmyk_jpeg,
    refused,
    rgb_profile_with_red_and_blue_swapped,
    succeeded,
)

from imagestudio.application.ports.image_processor import ConvertSpec, Metadata
from imagestudio.domain.errors import InputProblem
from imagestudio.domain.media import MediaType

WITH_ALPHA = [media for media in WRITABLE if media is not MediaType.JPEG]
RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


@pytest.mark.parametrize("media_type", WRITABLE)
def test_an_image_converts_to_each_writable_format(media_type: MediaType) -> None:
    data = encoded(photo_like(70, 50), "JPEG")

    processed, image = succeeded(PROCESSOR.convert(data, ConvertSpec(media_type=media_type)))

    assert processed.media_type is media_type
    assert (image.size, image.mode) == ((70, 50), "RGB")


@pytest.mark.parametrize("media_type", WRITABLE)
def test_converting_twice_gives_the_same_bytes(media_type: MediaType) -> None:
    data = encoded(photo_like(40, 40), "PNG")
    spec = ConvertSpec(media_type=media_type)

    assert PROCESSOR.convert(data, spec) == PROCESSOR.convert(data, spec)


def test_converting_to_png_is_lossless_whatever_the_quality() -> None:
    original = noise(30, 20)

    _, image = succeeded(
        PROCESSOR.convert(
            encoded(original, "WEBP", lossless=True),
            ConvertSpec(media_type=MediaType.PNG, quality=5),
        )
    )

    assert image.tobytes() == original.tobytes()


@pytest.mark.parametrize("media_type", [MediaType.GLB, MediaType.MP4])
def test_a_non_image_format_is_unsupported(media_type: MediaType) -> None:
    error = refused(
        PROCESSOR.convert(encoded(noise(4, 4), "PNG"), ConvertSpec(media_type=media_type))
    )

    assert (error.field, error.problem) == ("media_type", InputProblem.UNSUPPORTED_FORMAT)


def test_a_quality_outside_1_to_100_is_refused() -> None:
    spec = ConvertSpec(media_type=MediaType.JPEG, quality=0)

    assert refused(PROCESSOR.convert(encoded(noise(4, 4), "PNG"), spec)).field == "quality"


def test_a_background_outside_0_to_255_is_refused() -> None:
    spec = ConvertSpec(media_type=MediaType.JPEG, background=(0, 256, 0))

    assert refused(PROCESSOR.convert(encoded(noise(4, 4), "PNG"), spec)).field == "background"


# -- transparency -------------------------------------------------------------------------


def palette_with_a_transparent_left_half() -> bytes:
    image = Image.new("P", (16, 8), 0)
    image.putpalette([*RED, *GREEN])
    image.paste(1, (0, 0, 8, 8))
    return encoded(image, "PNG", transparency=1)


def test_a_transparent_palette_png_becomes_jpeg_on_the_background() -> None:
    spec = ConvertSpec(media_type=MediaType.JPEG, background=BLUE)

    _, image = succeeded(PROCESSOR.convert(palette_with_a_transparent_left_half(), spec))

    assert image.mode == "RGB"
    assert close_to(image.getpixel((2, 4)), BLUE, 40)
    assert close_to(image.getpixel((13, 4)), RED, 40)


@pytest.mark.parametrize("media_type", WITH_ALPHA)
def test_a_transparent_palette_png_keeps_its_alpha(media_type: MediaType) -> None:
    spec = ConvertSpec(media_type=media_type)

    _, image = succeeded(PROCESSOR.convert(palette_with_a_transparent_left_half(), spec))

    assert image.mode == "RGBA"
    assert close_to(image.getpixel((2, 4))[3:], (0,), 8)  # type: ignore[index]
    assert close_to(image.getpixel((13, 4)), (*RED, 255), 40)


def test_a_fully_opaque_alpha_channel_is_dropped() -> None:
    data = encoded(noise(8, 8).convert("RGBA"), "PNG")

    _, image = succeeded(PROCESSOR.convert(data, ConvertSpec(media_type=MediaType.PNG)))

    assert image.mode == "RGB"


def grey_with_a_transparent_left_half() -> bytes:
    image = Image.new("LA", (16, 8), (50, 255))
    image.paste((50, 0), (0, 0, 8, 8))
    return encoded(image, "PNG")


def test_grey_with_alpha_on_a_grey_background_stays_grey_in_jpeg() -> None:
    spec = ConvertSpec(media_type=MediaType.JPEG, background=(200, 200, 200))

    _, image = succeeded(PROCESSOR.convert(grey_with_a_transparent_left_half(), spec))

    assert image.mode == "L"
    assert close_to((image.getpixel((2, 4)),), (200,), 6)
    assert close_to((image.getpixel((13, 4)),), (50,), 6)


def test_grey_with_alpha_on_a_coloured_background_becomes_colour_in_jpeg() -> None:
    spec = ConvertSpec(media_type=MediaType.JPEG, background=RED)

    _, image = succeeded(PROCESSOR.convert(grey_with_a_transparent_left_half(), spec))

    assert image.mode == "RGB"
    assert close_to(image.getpixel((2, 4)), RED, 40)


def test_grey_stays_grey_in_png() -> None:
    data = encoded(Image.linear_gradient("L").resize((32, 32)), "JPEG")

    _, image = succeeded(PROCESSOR.convert(data, ConvertSpec(media_type=MediaType.PNG)))

    assert image.mode == "L"


def test_a_one_bit_image_becomes_grey() -> None:
    bits = Image.new("1", (8, 8), 0)
    bits.paste(1, (0, 0, 4, 8))

    _, image = succeeded(
        PROCESSOR.convert(encoded(bits, "PNG"), ConvertSpec(media_type=MediaType.PNG))
    )

    assert image.mode == "L"
    assert (image.getpixel((1, 1)), image.getpixel((6, 1))) == (255, 0)


# -- 16-bit samples -----------------------------------------------------------------------


def sixteen_bit_gradient() -> bytes:
    ramp = Image.new("I;16", (256, 4))
    ramp.putdata([x * 257 for x in range(256)] * 4)
    return encoded(ramp, "PNG")


@pytest.mark.parametrize("media_type", WRITABLE)
def test_a_16_bit_gradient_is_scaled_not_clipped(media_type: MediaType) -> None:
    _, image = succeeded(
        PROCESSOR.convert(sixteen_bit_gradient(), ConvertSpec(media_type=media_type))
    )

    grey = image.convert("L")
    assert grey.getpixel((2, 2)) <= 6  # type: ignore[operator]
    assert abs(grey.getpixel((128, 2)) - 128) <= 6  # type: ignore[operator]
    assert grey.getpixel((253, 2)) >= 245  # type: ignore[operator]


# -- CMYK ---------------------------------------------------------------------------------


def cyan_on_the_left_magenta_on_the_right(image: Image.Image) -> bool:
    red, green, blue = image.convert("RGB").getpixel((6, 8))  # type: ignore[misc]
    cyan = red < 60 and green > 190 and blue > 190
    red, green, blue = image.convert("RGB").getpixel((26, 8))  # type: ignore[misc]
    return cyan and red > 190 and green < 60 and blue > 190


@pytest.mark.parametrize("media_type", WRITABLE)
def test_an_adobe_cmyk_jpeg_comes_out_in_its_colours(media_type: MediaType) -> None:
    data = encoded(cmyk_patches(), "JPEG", quality=95)
    assert b"Adobe" in data

    _, image = succeeded(PROCESSOR.convert(data, ConvertSpec(media_type=media_type)))

    assert image.mode == "RGB"
    assert cyan_on_the_left_magenta_on_the_right(image)


def test_a_cmyk_jpeg_without_the_adobe_marker_is_read_as_stored() -> None:
    data = plain_cmyk_jpeg(cmyk_patches())
    assert b"Adobe" not in data

    _, image = succeeded(PROCESSOR.convert(data, ConvertSpec(media_type=MediaType.PNG)))

    assert cyan_on_the_left_magenta_on_the_right(image)


def test_a_cmyk_tiff_comes_out_in_its_colours() -> None:
    data = encoded(cmyk_patches(), "TIFF")

    _, image = succeeded(PROCESSOR.convert(data, ConvertSpec(media_type=MediaType.PNG)))

    assert cyan_on_the_left_magenta_on_the_right(image)


def test_a_cmyk_jpeg_with_a_profile_is_converted_through_it() -> None:
    data = encoded(cmyk_patches(), "JPEG", quality=95, icc_profile=cmyk_profile())

    _, image = succeeded(PROCESSOR.convert(data, ConvertSpec(media_type=MediaType.PNG)))

    assert cyan_on_the_left_magenta_on_the_right(image)
    assert "icc_profile" not in image.info


def test_the_embedded_cmyk_profile_decides_the_colours() -> None:
    def swapped_inks(c: int, m: int, y: int, k: int) -> tuple[int, int, int]:
        # This press prints magenta where the file says cyan, and the other way round.
        return ((1 - m) * (1 - k), (1 - c) * (1 - k), (1 - y) * (1 - k))

    data = encoded(cmyk_patches(), "JPEG", quality=95, icc_profile=cmyk_profile(swapped_inks))

    _, image = succeeded(PROCESSOR.convert(data, ConvertSpec(media_type=MediaType.PNG)))

    assert cyan_on_the_left_magenta_on_the_right(image.transpose(Image.Transpose.FLIP_LEFT_RIGHT))


def test_a_cmyk_jpeg_with_a_broken_profile_falls_back_to_pillows_conversion() -> None:
    data = encoded(cmyk_patches(), "JPEG", quality=95, icc_profile=b"not a colour profile")

    _, image = succeeded(PROCESSOR.convert(data, ConvertSpec(media_type=MediaType.WEBP)))

    assert cyan_on_the_left_magenta_on_the_right(image)


# -- colour profiles ----------------------------------------------------------------------


def red_tagged_with_a_swapping_profile() -> bytes:
    return encoded(
        Image.new("RGB", (8, 8), RED), "PNG", icc_profile=rgb_profile_with_red_and_blue_swapped()
    )


def test_stripping_metadata_converts_the_colours_to_srgb() -> None:
    spec = ConvertSpec(media_type=MediaType.PNG, metadata=Metadata.STRIP)

    _, image = succeeded(PROCESSOR.convert(red_tagged_with_a_swapping_profile(), spec))

    assert close_to(image.getpixel((4, 4)), BLUE, 8)
    assert not image.info.get("icc_profile")


def test_keeping_metadata_keeps_the_pixels_and_their_profile() -> None:
    spec = ConvertSpec(media_type=MediaType.PNG, metadata=Metadata.KEEP)

    _, image = succeeded(PROCESSOR.convert(red_tagged_with_a_swapping_profile(), spec))

    assert image.getpixel((4, 4)) == RED
    assert image.info.get("icc_profile") == rgb_profile_with_red_and_blue_swapped()


# -- formats ------------------------------------------------------------------------------


@needs_avif
def test_an_avif_input_converts_to_png() -> None:
    data = encoded(Image.new("RGB", (24, 16), (200, 40, 90)), "AVIF", quality=90)

    _, image = succeeded(PROCESSOR.convert(data, ConvertSpec(media_type=MediaType.PNG)))

    assert image.size == (24, 16)
    assert close_to(image.getpixel((12, 8)), (200, 40, 90), 12)


@needs_avif
def test_an_avif_round_trip_keeps_size_and_colour() -> None:
    to_avif = ConvertSpec(media_type=MediaType.AVIF)
    original = encoded(Image.new("RGB", (40, 30), (30, 120, 220)), "PNG")

    avif, _ = succeeded(PROCESSOR.convert(original, to_avif))
    _, back = succeeded(PROCESSOR.convert(avif.data, ConvertSpec(media_type=MediaType.PNG)))

    assert back.size == (40, 30)
    assert close_to(back.getpixel((20, 15)), (30, 120, 220), 12)


def test_a_phones_mpo_is_read_as_its_first_jpeg() -> None:
    first, second = Image.new("RGB", (20, 10), RED), Image.new("RGB", (20, 10), BLUE)
    data = encoded(first, "MPO", save_all=True, append_images=[second])

    _, image = succeeded(PROCESSOR.convert(data, ConvertSpec(media_type=MediaType.PNG)))

    assert close_to(image.getpixel((10, 5)), RED, 30)


def test_only_the_first_frame_of_an_animation_is_kept() -> None:
    frames = [Image.new("RGB", (10, 10), colour) for colour in (RED, GREEN)]
    data = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:])

    _, image = succeeded(PROCESSOR.convert(data, ConvertSpec(media_type=MediaType.PNG)))

    assert image.getpixel((5, 5))[:3] == RED  # type: ignore[index]


@pytest.mark.parametrize("media_type", WRITABLE)
def test_every_output_reads_back_in_its_own_format(media_type: MediaType) -> None:
    for pillow_format in ("PNG", "JPEG", "WEBP", "GIF", "TIFF", "BMP"):
        data = encoded(photo_like(16, 12), pillow_format)

        processed, _ = succeeded(PROCESSOR.convert(data, ConvertSpec(media_type=media_type)))

        assert PILLOW_NAME[processed.media_type] == PILLOW_NAME[media_type]
