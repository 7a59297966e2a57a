"""Controlled generation by mode: the input's edges, its structure, or its style, re-drawn."""

from __future__ import annotations

from PIL import Image, ImageChops, ImageFilter, ImageOps, ImageStat

from imagestudio.adapters.offline_provider.by_mode import ModeTransform, render_by_mode
from imagestudio.adapters.offline_provider.drawing import draw_scene
from imagestudio.adapters.offline_provider.reading import (
    decoded,
    input_for,
)
from imagestudio.adapters.offline_provider.seeding import (
    palette,
    seeded_random,
)
from imagestudio.application.ports.provider import Artifact, ProviderJob

CONTROL_MODES = ("sketch", "structure", "style", "style-transfer")
_STYLE_COLOURS = 8

Control = ModeTransform


def control(job: ProviderJob) -> tuple[Artifact, ...]:
    return render_by_mode(job, CONTROL_MODES, _CONTROLS)


def edges(image: Image.Image) -> Image.Image:
    """White lines where the input changes sharply, on black."""
    grey = image.convert("L").filter(ImageFilter.SMOOTH)
    lines = ImageOps.autocontrast(grey.filter(ImageFilter.FIND_EDGES))
    return ImageOps.expand(ImageOps.crop(lines, 1), 1, fill=0)


def _sketch(image: Image.Image, job: ProviderJob, seed: int) -> Image.Image:
    """The input's edges drawn in the prompt's ink on the prompt's paper."""
    ink, paper = palette(seeded_random(job.prompt, seed, "sketch"), 2)
    paper = _lightened(paper)
    return ImageOps.colorize(ImageOps.invert(edges(image)), black=ink, white=paper)


def _structure(image: Image.Image, job: ProviderJob, seed: int) -> Image.Image:
    """The prompt's scene, with the input's broad shapes and edges carried into it."""
    scene = draw_scene(job.prompt, seed, image.size, caption=False)
    shapes = ImageOps.posterize(image, 2)
    layout = Image.blend(scene, ImageChops.multiply(scene, shapes), 0.6)
    lines = edges(image).filter(ImageFilter.MaxFilter(3))
    return Image.composite(Image.new("RGB", image.size, (20, 20, 20)), layout, lines)


def _style(image: Image.Image, job: ProviderJob, seed: int) -> Image.Image:
    """The input painted with a palette of colours the prompt chooses."""
    colours = palette(seeded_random(job.prompt, seed, "style"), _STYLE_COLOURS)
    swatch = Image.new("P", (1, 1))
    flat = [channel for colour in colours for channel in colour]
    swatch.putpalette(flat + flat[:3] * (256 - _STYLE_COLOURS))
    smoothed = image.filter(ImageFilter.SMOOTH_MORE)
    return smoothed.quantize(palette=swatch, dither=Image.Dither.FLOYDSTEINBERG).convert("RGB")


def _style_transfer(image: Image.Image, job: ProviderJob, seed: int) -> Image.Image:
    """The input's colours moved to the mean and spread of the style image's, channel by channel."""
    del seed
    style = decoded(input_for(job, "style", 1))
    content_stat, style_stat = ImageStat.Stat(image), ImageStat.Stat(style)
    channels = []
    for band, mean, spread, style_mean, style_spread in zip(
        image.split(),
        content_stat.mean,
        content_stat.stddev,
        style_stat.mean,
        style_stat.stddev,
        strict=True,
    ):
        gain = style_spread / spread if spread > 1 else 1.0
        channels.append(_rescaled(band, mean, gain, style_mean))
    return Image.merge("RGB", channels)


def _rescaled(band: Image.Image, mean: float, gain: float, target: float) -> Image.Image:
    table = [min(255, max(0, round((level - mean) * gain + target))) for level in range(256)]
    return band.point(table)


def _lightened(colour: tuple[int, int, int]) -> tuple[int, int, int]:
    red, green, blue = colour
    return ((red + 3 * 255) // 4, (green + 3 * 255) // 4, (blue + 3 * 255) // 4)


_CONTROLS: dict[str, Control] = {
    "sketch": _sketch,
    "structure": _structure,
    "style": _style,
    "style-transfer": _style_transfer,
}
