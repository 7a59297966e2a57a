"""The presets file: the platforms' formats, and a broken file refused naming the entry."""

from __future__ import annotations

from pathlib import Path

import pytest
from pillow_samples import PROCESSOR

from imagestudio.adapters.images.pillow_processor import PillowImageProcessor
from imagestudio.adapters.images.social_formats_file import (
    SocialFormatsError,
    load_social_formats,
)
from imagestudio.domain.media import MediaType

EXPECTED_SIZES = {
    "instagram/square": (1080, 1080),
    "instagram/portrait": (1080, 1350),
    "instagram/landscape": (1080, 566),
    "instagram/story": (1080, 1920),
    "x/post": (1600, 900),
    "x/header": (1500, 500),
    "linkedin/post": (1200, 627),
    "linkedin/banner": (1584, 396),
    "facebook/post": (1200, 630),
    "facebook/cover": (820, 312),
    "facebook/story": (1080, 1920),
    "youtube/thumbnail": (1280, 720),
    "youtube/banner": (2560, 1440),
    "pinterest/pin": (1000, 1500),
    "pinterest/square": (1000, 1000),
    "tiktok/cover": (1080, 1920),
}
ENTRY = """
[[format]]
platform = "{platform}"
name = "{name}"
width = {width}
height = 100
type = "{type}"
"""


def entry(
    platform: str = "site", name: str = "post", width: object = 100, media: str = "jpeg"
) -> str:
    return ENTRY.format(platform=platform, name=name, width=width, type=media)


def refusal(tmp_path: Path, text: str) -> str:
    path = tmp_path / "formats.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SocialFormatsError) as refused:
        load_social_formats(path)
    assert str(path) in str(refused.value)
    return str(refused.value)


def test_the_packaged_presets_have_every_platforms_sizes() -> None:
    formats = {social.key: social for social in load_social_formats()}

    assert {key: (f.width, f.height) for key, f in formats.items()} == EXPECTED_SIZES


def test_the_packaged_presets_are_sorted_by_key_and_described() -> None:
    formats = load_social_formats()

    assert [social.key for social in formats] == sorted(EXPECTED_SIZES)
    assert all(social.description and social.media_type.is_image for social in formats)
    assert all(social.key == social.key.lower() for social in formats)


def test_the_youtube_thumbnail_is_limited_to_2_mb() -> None:
    formats = {social.key: social for social in load_social_formats()}

    assert formats["youtube/thumbnail"].max_bytes == 2_000_000
    assert formats["instagram/square"].max_bytes is None
    assert formats["linkedin/banner"].media_type is MediaType.PNG


def test_the_processor_offers_the_packaged_presets() -> None:
    assert PROCESSOR.social_formats() == load_social_formats()


def test_the_processor_can_read_another_file(tmp_path: Path) -> None:
    path = tmp_path / "ours.toml"
    path.write_text(entry("shop", "tile", 300) + entry("shop", "hero", 900), encoding="utf-8")

    processor = PillowImageProcessor(formats_file=path)

    assert [(f.key, f.width) for f in processor.social_formats()] == [
        ("shop/hero", 900),
        ("shop/tile", 300),
    ]


def test_a_key_listed_twice_is_refused(tmp_path: Path) -> None:
    message = refusal(tmp_path, entry("insta", "square") + entry("insta", "square", 200))

    assert "'insta/square' is listed twice" in message


def test_a_zero_width_is_refused_naming_the_entry(tmp_path: Path) -> None:
    message = refusal(tmp_path, entry() + entry("site", "banner", 0))

    assert "format #2 (site/banner)" in message
    assert "width must be a positive whole number, not 0" in message


@pytest.mark.parametrize("width", ["-5", "1.5", "true", '"100"'])
def test_a_width_that_is_not_a_positive_whole_number_is_refused(tmp_path: Path, width: str) -> None:
    assert "width must be a positive" in refusal(tmp_path, entry(width=width))


@pytest.mark.parametrize("media", ["gif", "glb", "mp4", "bmp"])
def test_an_unknown_or_non_image_type_is_refused_naming_the_entry(
    tmp_path: Path, media: str
) -> None:
    message = refusal(tmp_path, entry("site", "odd", media=media))

    assert "(site/odd)" in message
    assert f"type must be one of jpeg, png, webp or avif, not {media!r}" in message


@pytest.mark.parametrize("name", ["Square", "two words", "", "a/b"])
def test_a_name_that_is_not_lowercase_letters_and_digits_is_refused(
    tmp_path: Path, name: str
) -> None:
    assert "name must be lowercase" in refusal(tmp_path, entry(name=name))


def test_an_unknown_field_is_refused(tmp_path: Path) -> None:
    message = refusal(tmp_path, entry() + "colour = 'red'\n")

    assert "(site/post): unknown field 'colour'" in message


def test_a_max_bytes_of_zero_is_refused(tmp_path: Path) -> None:
    assert "max_bytes must be a positive" in refusal(tmp_path, entry() + "max_bytes = 0\n")


def test_a_file_without_formats_is_refused(tmp_path: Path) -> None:
    assert "no [[format]] entries" in refusal(tmp_path, "title = 'presets'\n")


def test_a_file_that_is_not_toml_is_refused(tmp_path: Path) -> None:
    assert "not valid TOML" in refusal(tmp_path, "[[format]\nwidth = \n")


def test_a_broken_presets_file_stops_the_processor_being_built(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(entry(width=0), encoding="utf-8")

    with pytest.raises(SocialFormatsError):
        PillowImageProcessor(formats_file=path)
