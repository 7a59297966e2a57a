"""Fit to a social format: exactly the preset's size, cropped where the detail is."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageStat
from pillow_samples import (
    PROCESSOR,
    WRITABLE,
    close_to,
    encoded,
    noise,
    photo_like,
    refused,
    succeeded,
)

from imagestudio.adapters.images.pillow_processor import PillowImageProcessor
from imagestudio.adapters.images.smart_crop import cover_box
from imagestudio.application.ports.image_processor import SocialFormat, SocialSpec
from imagestudio.domain.errors import InputProblem
from imagestudio.domain.media import MediaType

FLAT = (120, 130, 140)


def preset(
    width: int,
    height: int,
    media_type: MediaType = MediaType.JPEG,
    max_bytes: int | None = None,
) -> SocialFormat:
    return SocialFormat(
        platform="test",
        name=f"{width}x{height}",
        width=width,
        height=height,
        media_type=media_type,
        max_bytes=max_bytes,
    )


def flat_with_detail_at(size: tuple[int, int], box: tuple[int, int, int, int]) -> Image.Image:
    image = Image.new("RGB", size, FLAT)
    image.paste(noise(box[2] - box[0], box[3] - box[1]), box[:2])
    return image


def detail(image: Image.Image) -> float:
    return max(ImageStat.Stat(image.convert("RGB")).stddev)


@pytest.mark.parametrize("social", PROCESSOR.social_formats(), ids=lambda social: social.key)
def test_every_preset_gives_exactly_its_size_and_type(social: SocialFormat) -> None:
    data = encoded(photo_like(300, 200), "JPEG")

    processed, image = succeeded(PROCESSOR.fit_social(data, SocialSpec(format=social)))

    assert processed.media_type is social.media_type
    assert image.size == (social.width, social.height)
    if social.max_bytes is not None:
        assert len(processed.data) <= social.max_bytes


@pytest.mark.parametrize("media_type", WRITABLE)
def test_the_spec_can_choose_another_output_type(media_type: MediaType) -> None:
    data = encoded(photo_like(120, 80), "PNG")
    spec = SocialSpec(format=preset(50, 50), media_type=media_type)

    processed, image = succeeded(PROCESSOR.fit_social(data, spec))

    assert processed.media_type is media_type
    assert (image.size, image.mode) == ((50, 50), "RGB")


def test_detail_off_centre_to_the_left_stays_in_the_crop() -> None:
    wide = flat_with_detail_at((1600, 400), (40, 50, 340, 350))

    _, image = succeeded(
        PROCESSOR.fit_social(
            encoded(wide, "PNG"), SocialSpec(format=preset(400, 400, MediaType.PNG))
        )
    )

    assert image.size == (400, 400)
    assert detail(image.crop((60, 70, 320, 330))) > 50


def test_detail_near_the_bottom_of_a_tall_image_stays_in_the_crop() -> None:
    tall = flat_with_detail_at((300, 1200), (20, 1000, 280, 1180))

    _, image = succeeded(
        PROCESSOR.fit_social(
            encoded(tall, "PNG"), SocialSpec(format=preset(300, 300, MediaType.PNG))
        )
    )

    assert detail(image.crop((40, 200, 260, 260))) > 50


def test_a_flat_image_is_cropped_in_the_middle() -> None:
    assert cover_box(Image.new("RGB", (1000, 200), FLAT), 200, 200) == (400.0, 0.0, 600.0, 200.0)


def test_the_same_aspect_is_not_cropped() -> None:
    assert cover_box(noise(300, 200), 150, 100) == (0.0, 0.0, 300.0, 200.0)


def test_transparent_pixels_count_as_no_detail() -> None:
    # Noise that is fully transparent on the left, a visible noisy patch on the right.
    image = noise(1000, 200).convert("RGBA")
    alpha = Image.new("L", (1000, 200), 0)
    alpha.paste(255, (800, 0, 1000, 200))
    image.putalpha(alpha)

    left, _, _, _ = cover_box(image, 200, 200)

    assert left > 780  # the centre (400) had the hidden noise been counted


@given(
    width=st.integers(1, 400),
    height=st.integers(1, 400),
    target_width=st.integers(1, 120),
    target_height=st.integers(1, 120),
)
@settings(max_examples=60, deadline=None)
def test_the_crop_box_has_the_targets_aspect_and_stays_inside(
    width: int, height: int, target_width: int, target_height: int
) -> None:
    left, top, right, bottom = cover_box(noise(width, height), target_width, target_height)

    assert 0 <= left < right <= width and 0 <= top < bottom <= height
    assert right - left == pytest.approx(width) or bottom - top == pytest.approx(height)
    assert (right - left) * target_height == pytest.approx((bottom - top) * target_width)


MODES = ["RGB", "RGBA", "L", "LA", "P", "1", "I;16", "CMYK"]


@given(
    width=st.integers(1, 120),
    height=st.integers(1, 120),
    mode=st.sampled_from(MODES),
    target=st.tuples(st.integers(1, 90), st.integers(1, 90)),
    media_type=st.sampled_from(WRITABLE),
)
@settings(max_examples=40, deadline=None)
def test_any_size_and_mode_in_gives_exactly_the_preset_size_out(
    width: int, height: int, mode: str, target: tuple[int, int], media_type: MediaType
) -> None:
    source = (
        noise(width, height).convert(mode)
        if mode != "I;16"
        else Image.new(mode, (width, height), 40_000)
    )
    data = encoded(source, "TIFF" if mode in ("CMYK", "LA") else "PNG")

    processed, image = succeeded(
        PROCESSOR.fit_social(data, SocialSpec(format=preset(*target, media_type)))
    )

    assert image.size == target == (processed.width, processed.height)


# -- transparency and size limits ---------------------------------------------------------


def half_transparent() -> bytes:
    image = Image.new("RGBA", (100, 100), (255, 0, 0, 255))
    image.paste((0, 0, 255, 0), (0, 0, 50, 100))
    return encoded(image, "PNG")


def test_a_png_preset_keeps_transparency() -> None:
    _, image = succeeded(
        PROCESSOR.fit_social(half_transparent(), SocialSpec(format=preset(60, 60, MediaType.PNG)))
    )

    assert image.mode == "RGBA"
    assert image.getpixel((5, 30))[3] == 0  # type: ignore[index]


def test_a_jpeg_preset_flattens_onto_white() -> None:
    _, image = succeeded(
        PROCESSOR.fit_social(half_transparent(), SocialSpec(format=preset(60, 60)))
    )

    assert close_to(image.getpixel((5, 30)), (255, 255, 255), 30)


@pytest.mark.parametrize("media_type", WRITABLE)
def test_an_output_over_the_presets_limit_is_made_to_fit(media_type: MediaType) -> None:
    data = encoded(photo_like(400, 400), "PNG")
    unlimited, _ = succeeded(
        PROCESSOR.fit_social(data, SocialSpec(format=preset(200, 200, media_type)))
    )
    limit = len(unlimited.data) // 3

    processed, image = succeeded(
        PROCESSOR.fit_social(data, SocialSpec(format=preset(200, 200, media_type, limit)))
    )

    assert len(processed.data) <= limit
    assert image.size == (200, 200)


def test_a_limit_no_quality_reaches_is_refused_naming_the_preset() -> None:
    data = encoded(noise(300, 300), "PNG")

    error = refused(PROCESSOR.fit_social(data, SocialSpec(format=preset(200, 200, max_bytes=100))))

    assert (error.field, error.problem) == ("image", InputProblem.TOO_LARGE)
    assert "test/200x200" in error.reason
    assert "100 bytes" in error.reason


def test_fitting_twice_gives_the_same_bytes() -> None:
    data = encoded(flat_with_detail_at((500, 200), (300, 20, 450, 180)), "PNG")
    spec = SocialSpec(format=preset(120, 120, max_bytes=6000))

    assert PROCESSOR.fit_social(data, spec) == PROCESSOR.fit_social(data, spec)


def test_a_preset_without_area_is_refused() -> None:
    spec = SocialSpec(format=preset(0, 100))

    error = refused(PROCESSOR.fit_social(encoded(noise(8, 8), "PNG"), spec))

    assert error.field == "format"


def test_a_preset_over_the_pixel_limit_is_refused() -> None:
    spec = SocialSpec(format=preset(200, 200))

    error = refused(
        PillowImageProcessor(max_pixels=10_000).fit_social(encoded(noise(8, 8), "PNG"), spec)
    )

    assert (error.field, error.problem) == ("format", InputProblem.TOO_LARGE)


def test_a_non_image_output_is_an_unsupported_format() -> None:
    spec = SocialSpec(format=preset(10, 10), media_type=MediaType.MP4)

    error = refused(PROCESSOR.fit_social(encoded(noise(8, 8), "PNG"), spec))

    assert (error.field, error.problem) == ("media_type", InputProblem.UNSUPPORTED_FORMAT)


def test_an_undecodable_input_is_refused() -> None:
    error = refused(PROCESSOR.fit_social(b"\x89PNG broken", SocialSpec(format=preset(10, 10))))

    assert (error.field, error.problem) == ("image", InputProblem.INVALID)
