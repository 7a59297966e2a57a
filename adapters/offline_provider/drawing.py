"""Text to image: a gradient, translucent shapes and the prompt itself, all from prompt and seed
(and a negative prompt, which draws another scene as a real model would avoid what it names)."""

from __future__ import annotations

import random
import textwrap

from PIL import Image, ImageDraw, ImageFont

from imagestudio.adapters.offline_provider.encoding import image_artifact
from imagestudio.adapters.offline_provider.seeding import (
    Colour,
    base_seed,
    palette,
    seeded_random,
    variation_seed,
)
from imagestudio.application.ports.provider import Artifact, ProviderJob

_CAPTION_LINES = 3


def text_to_image(job: ProviderJob) -> tuple[Artifact, ...]:
    base = base_seed(job.prompt, job.seed)
    seeds = [variation_seed(base, index) for index in range(job.outputs)]
    size = (job.width, job.height)
    avoid = job.parameters.get("negative_prompt")
    avoided = avoid if isinstance(avoid, str) else ""
    return tuple(
        image_artifact(draw_scene(job.prompt, seed, size, avoid=avoided), job.model.output, seed)
        for seed in seeds
    )


def draw_scene(
    prompt: str, seed: int, size: tuple[int, int], *, caption: bool = True, avoid: str = ""
) -> Image.Image:
    """An RGB picture of `size` that only `prompt`, `seed` and what to `avoid` decide."""
    rng = seeded_random(f"{prompt}\x00{avoid}" if avoid.strip() else prompt, seed, "scene")
    colours = palette(rng, 6)
    scene = gradient(size, colours[0], colours[1], rng.uniform(0, 360)).convert("RGBA")
    shapes = Image.new("RGBA", size, (0, 0, 0, 0))
    _draw_shapes(ImageDraw.Draw(shapes), size, colours[2:], rng)
    scene = Image.alpha_composite(scene, shapes)
    if caption and prompt.strip():
        scene = Image.alpha_composite(scene, _caption(prompt, size))
    return scene.convert("RGB")


def gradient(size: tuple[int, int], start: Colour, end: Colour, angle: float) -> Image.Image:
    """A linear blend from `start` to `end` across `size`, turned by `angle` degrees."""
    ramp = (
        Image.linear_gradient("L")
        .resize((512, 512), Image.Resampling.BILINEAR)
        .rotate(angle, Image.Resampling.BILINEAR)
        .crop((128, 128, 384, 384))
        .resize(size, Image.Resampling.BILINEAR)
    )
    return Image.composite(Image.new("RGB", size, end), Image.new("RGB", size, start), ramp)


def _draw_shapes(
    draw: ImageDraw.ImageDraw, size: tuple[int, int], colours: list[Colour], rng: random.Random
) -> None:
    width, height = size
    for colour in colours + rng.sample(colours, 2):
        radius = rng.uniform(0.08, 0.3) * min(width, height)
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        box = (x - radius, y - radius, x + radius, y + radius)
        fill = (*colour, rng.randint(90, 180))
        shape = rng.choice(("ellipse", "rectangle", "triangle"))
        if shape == "ellipse":
            draw.ellipse(box, fill=fill)
        elif shape == "rectangle":
            draw.rectangle(box, fill=fill)
        else:
            draw.polygon(
                [(x, y - radius), (x + radius, y + radius), (x - radius, y + radius)], fill
            )


def _caption(prompt: str, size: tuple[int, int]) -> Image.Image:
    width, height = size
    font = ImageFont.load_default(size=max(10, min(width, height) // 16))
    per_line = max(8, int(width * 0.92 / max(1.0, font.getlength("n"))))
    lines = textwrap.wrap(" ".join(prompt.split()), per_line)
    if len(lines) > _CAPTION_LINES:
        lines = [*lines[: _CAPTION_LINES - 1], lines[_CAPTION_LINES - 1][: per_line - 3] + "..."]
    line_height = int(font.getbbox("Ag")[3]) + 4
    band_top = height - line_height * len(lines) - 8
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    draw.rectangle((0, band_top, width, height), fill=(0, 0, 0, 120))
    for number, line in enumerate(lines):
        draw.text((width * 0.04, band_top + 4 + number * line_height), line, (255, 255, 255), font)
    return layer
