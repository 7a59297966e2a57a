"""Regions of an image: the given mask, an estimated foreground, and filling a region in."""

from __future__ import annotations

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageStat

from imagestudio.adapters.offline_provider.seeding import Colour

_BACKGROUND_DISTANCE = 40
"""How far (largest channel difference, 0..255) a pixel must be from the border to count."""
_FILL_SIDE = 64
"""The side at which a region is filled in before being scaled back up."""


def binary(mask: Image.Image, size: tuple[int, int]) -> Image.Image:
    """A caller's mask as "L" of `size`: white (255) where the operation applies."""
    scaled = mask.convert("L").resize(size, Image.Resampling.BILINEAR)
    return scaled.point(lambda value: 255 if value >= 128 else 0)


def centre_ellipse(size: tuple[int, int]) -> Image.Image:
    """The mask used when a caller gives none: an ellipse over the middle third."""
    width, height = size
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).ellipse((width / 3, height / 3, width * 2 / 3, height * 2 / 3), fill=255)
    return mask


def border_colour(image: Image.Image) -> Colour:
    """The median colour of the image's outermost pixels: the likely background."""
    rgb = image.convert("RGB")
    width, height = rgb.size
    strips = [
        rgb.crop((0, 0, width, 1)),
        rgb.crop((0, height - 1, width, height)),
        rgb.crop((0, 0, 1, height)).rotate(90, expand=True),
        rgb.crop((width - 1, 0, width, height)).rotate(90, expand=True),
    ]
    border = Image.new("RGB", (sum(strip.width for strip in strips), 1))
    left = 0
    for strip in strips:
        border.paste(strip, (left, 0))
        left += strip.width
    red, green, blue = ImageStat.Stat(border).median
    return (int(red), int(green), int(blue))


def foreground(image: Image.Image) -> Image.Image:
    """White where the image differs from its border colour, softened at the edges."""
    rgb = image.convert("RGB")
    difference = ImageChops.difference(rgb, Image.new("RGB", rgb.size, border_colour(rgb)))
    red, green, blue = difference.split()
    largest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    mask = largest.point(lambda value: 255 if value > _BACKGROUND_DISTANCE else 0)
    return mask.filter(ImageFilter.MedianFilter(3)).filter(ImageFilter.GaussianBlur(1))


def foreground_or_centre(image: Image.Image) -> Image.Image:
    mask = foreground(image)
    return centre_ellipse(image.size) if is_empty(mask) else mask


def is_empty(mask: Image.Image) -> bool:
    return mask.getbbox() is None


def filled(image: Image.Image, region: Image.Image, rounds: int = 12) -> Image.Image:
    """`image` with `region` filled from its surroundings by repeated blurring (push-pull)."""
    rgb = image.convert("RGB")
    small_size = _fill_size(rgb.size)
    small = rgb.resize(small_size, Image.Resampling.BOX)
    small_region = region.resize(small_size, Image.Resampling.BILINEAR).point(
        lambda value: 255 if value > 0 else 0
    )
    known = ImageChops.invert(small_region)
    canvas = Image.new("RGB", small_size, _mean_colour(small, known))
    canvas.paste(small, mask=known)
    for _ in range(rounds):
        canvas = canvas.filter(ImageFilter.GaussianBlur(2))
        canvas.paste(small, mask=known)
    fill = canvas.resize(rgb.size, Image.Resampling.BICUBIC)
    return Image.composite(fill, rgb, region.filter(ImageFilter.GaussianBlur(1)))


def _fill_size(size: tuple[int, int]) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, _FILL_SIDE / max(width, height))
    return (max(1, round(width * scale)), max(1, round(height * scale)))


def _mean_colour(image: Image.Image, mask: Image.Image) -> Colour:
    if is_empty(mask):
        mask = Image.new("L", image.size, 255)
    red, green, blue = ImageStat.Stat(image, mask=mask).mean
    return (round(red), round(green), round(blue))
