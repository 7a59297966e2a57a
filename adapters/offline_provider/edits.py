"""Image edits by mode: each one a real, if modest, transform of the input image."""

from __future__ import annotations

from PIL import Image, ImageChops, ImageEnhance, ImageFilter

from imagestudio.adapters.offline_provider import masks
from imagestudio.adapters.offline_provider.by_mode import ModeTransform, render_by_mode
from imagestudio.adapters.offline_provider.drawing import draw_scene, gradient
from imagestudio.adapters.offline_provider.reading import (
    UnusableInput,
    choice_parameter,
    decoded,
    int_parameter,
    optional_input,
)
from imagestudio.adapters.offline_provider.seeding import (
    palette,
    seeded_random,
)
from imagestudio.application.ports.provider import Artifact, ProviderJob

EDIT_MODES = (
    "general",
    "erase",
    "inpaint",
    "outpaint",
    "search-and-replace",
    "search-and-recolor",
    "remove-background",
    "replace-background-and-relight",
)
LIGHT_SOURCES = ("above", "below", "left", "right")
_OUTPAINT_DEFAULT = 128

Edit = ModeTransform


def edit(job: ProviderJob) -> tuple[Artifact, ...]:
    return render_by_mode(job, EDIT_MODES, _EDITS)


def _general(image: Image.Image, job: ProviderJob, seed: int) -> Image.Image:
    """A colour grade the prompt chooses: a tint, then contrast and saturation."""
    rng = seeded_random(job.prompt, seed, "grade")
    tint = Image.new("RGB", image.size, palette(rng, 1)[0])
    graded = Image.blend(image, ImageChops.overlay(image, tint), rng.uniform(0.35, 0.6))
    graded = ImageEnhance.Contrast(graded).enhance(rng.uniform(0.9, 1.25))
    return ImageEnhance.Color(graded).enhance(rng.uniform(0.7, 1.4))


def _erase(image: Image.Image, job: ProviderJob, seed: int) -> Image.Image:
    del seed
    return masks.filled(image, _mask(image, job))


def _inpaint(image: Image.Image, job: ProviderJob, seed: int) -> Image.Image:
    """The masked area filled from its surroundings, then painted with the prompt's scene."""
    region = _mask(image, job)
    background = masks.filled(image, region)
    scene = draw_scene(job.prompt, seed, image.size, caption=False)
    painted = Image.blend(background, scene, 0.55)
    return Image.composite(painted, image, region.filter(ImageFilter.GaussianBlur(2)))


def _outpaint(image: Image.Image, job: ProviderJob, seed: int) -> Image.Image:
    del seed
    left, right, up, down = (
        int_parameter(job.parameters, side, _OUTPAINT_DEFAULT)
        for side in ("left", "right", "up", "down")
    )
    if left + right + up + down == 0:
        raise UnusableInput("outpaint needs at least one of left, right, up, down above 0")
    size = (image.width + left + right, image.height + up + down)
    limits = job.model.limits
    if size[0] * size[1] > limits.max_output_pixels or max(size) > limits.max_side:
        raise UnusableInput(
            f"outpainting to {size[0]}x{size[1]} exceeds the model's output limits "
            f"({limits.max_output_pixels} pixels, {limits.max_side} px a side)"
        )
    return _extended(image, left, right, up, down)


def _search_and_replace(image: Image.Image, job: ProviderJob, seed: int) -> Image.Image:
    """The object that stands out from the background becomes the prompt's scene, lit alike."""
    region = masks.foreground_or_centre(image)
    scene = draw_scene(job.prompt, seed, image.size, caption=False)
    shading = ImageEnhance.Contrast(image.convert("L")).enhance(0.6).convert("RGB")
    replacement = ImageChops.multiply(
        scene, ImageChops.screen(shading, Image.new("RGB", image.size, (96, 96, 96)))
    )
    return Image.composite(replacement, image, region)


def _search_and_recolor(image: Image.Image, job: ProviderJob, seed: int) -> Image.Image:
    """The object that stands out from the background, hue-shifted by `hue_shift` degrees."""
    rng = seeded_random(job.prompt, seed, "recolor")
    degrees = int_parameter(job.parameters, "hue_shift", rng.randint(60, 300))
    return Image.composite(hue_shifted(image, degrees), image, masks.foreground_or_centre(image))


def _remove_background(image: Image.Image, job: ProviderJob, seed: int) -> Image.Image:
    del job, seed
    cut_out = image.convert("RGBA")
    cut_out.putalpha(masks.foreground(image))
    return cut_out


def _replace_background_and_relight(image: Image.Image, job: ProviderJob, seed: int) -> Image.Image:
    """The foreground on the prompt's scene, lit from `light_source` (default above)."""
    light = choice_parameter(job.parameters, "light_source", LIGHT_SOURCES)
    backdrop = draw_scene(job.prompt, seed, image.size, caption=False)
    backdrop = backdrop.filter(ImageFilter.GaussianBlur(max(1, min(image.size) // 40)))
    composed = Image.composite(image, backdrop, masks.foreground_or_centre(image))
    lit = ImageEnhance.Brightness(composed).enhance(1.3)
    shaded = ImageEnhance.Brightness(composed).enhance(0.7)
    return Image.composite(lit, shaded, _light_falloff(image.size, light))


def _extended(image: Image.Image, left: int, right: int, up: int, down: int) -> Image.Image:
    """The image on a larger canvas, its edges drawn outward and softened with distance."""
    width, height = image.size
    wide = Image.new("RGB", (left + width + right, height))
    wide.paste(image, (left, 0))
    if left:
        wide.paste(image.crop((0, 0, 1, height)).resize((left, height)), (0, 0))
    if right:
        wide.paste(
            image.crop((width - 1, 0, width, height)).resize((right, height)), (left + width, 0)
        )
    canvas = Image.new("RGB", (wide.width, up + height + down))
    canvas.paste(wide, (0, up))
    if up:
        canvas.paste(wide.crop((0, 0, wide.width, 1)).resize((wide.width, up)), (0, 0))
    if down:
        bottom = wide.crop((0, height - 1, wide.width, height)).resize((wide.width, down))
        canvas.paste(bottom, (0, up + height))
    original = Image.new("L", canvas.size, 0)
    original.paste(255, (left, up, left + width, up + height))
    reach = max(2, max(left, right, up, down) // 4)
    softened = canvas.filter(ImageFilter.GaussianBlur(reach))
    keep = ImageChops.lighter(original, original.filter(ImageFilter.GaussianBlur(reach)))
    return Image.composite(canvas, softened, keep)


def hue_shifted(image: Image.Image, degrees: int) -> Image.Image:
    hue, saturation, value = image.convert("RGB").convert("HSV").split()
    steps = round(degrees % 360 * 256 / 360)
    hue = hue.point(lambda level: (level + steps) % 256)
    return Image.merge("HSV", (hue, saturation, value)).convert("RGB")


def _mask(image: Image.Image, job: ProviderJob) -> Image.Image:
    given = optional_input(job, "mask")
    if given is None:
        return masks.centre_ellipse(image.size)
    region = masks.binary(decoded(given, "L"), image.size)
    if masks.is_empty(region):
        raise UnusableInput("the mask is empty: paint white where the edit should apply")
    return region


def _light_falloff(size: tuple[int, int], light: str) -> Image.Image:
    """White on the lit side, black on the far side."""
    angle = {"above": 0, "left": 90, "below": 180, "right": 270}[light]
    ramp = gradient(size, (255, 255, 255), (0, 0, 0), angle)
    return ramp.convert("L")


_EDITS: dict[str, Edit] = {
    "general": _general,
    "erase": _erase,
    "inpaint": _inpaint,
    "outpaint": _outpaint,
    "search-and-replace": _search_and_replace,
    "search-and-recolor": _search_and_recolor,
    "remove-background": _remove_background,
    "replace-background-and-relight": _replace_background_and_relight,
}
