"""Where to crop an image to another aspect ratio: the window with the most detail.

Detail is edge energy (the summed differences between neighbouring pixels) measured on a copy
at most `_ANALYSIS_SIDE` pixels long, so the choice is quick, deterministic and insensitive to
noise finer than the output will show. Between equally detailed windows the most central wins,
so a flat image is cropped in the middle.
"""

from __future__ import annotations

import math
from array import array
from itertools import accumulate

from PIL import Image, ImageChops

Box = tuple[float, float, float, float]

_ANALYSIS_SIDE = 256
_MIN_ANALYSIS_SIDE = 3


def cover_box(image: Image.Image, width: int, height: int) -> Box:
    """The region of `image` with the aspect of `width`×`height` that keeps the most detail.

    It spans the whole image along one axis ("cover": nothing is letterboxed) and slides along
    the other; it is in source pixels, fractional, ready for `Image.resize(box=...)`.
    """
    source_width, source_height = image.size
    if source_width * height > width * source_height:
        crop_width = width * source_height / height
        left = _best_start(image, crop_width, horizontal=True)
        return (left, 0.0, left + crop_width, float(source_height))
    if source_width * height < width * source_height:
        crop_height = height * source_width / width
        top = _best_start(image, crop_height, horizontal=False)
        return (0.0, top, float(source_width), top + crop_height)
    return (0.0, 0.0, float(source_width), float(source_height))


def _best_start(image: Image.Image, crop_length: float, *, horizontal: bool) -> float:
    full_length = image.size[0 if horizontal else 1]
    detail = _detail_along(image, horizontal=horizontal)
    scale = len(detail) / full_length
    slack = full_length - crop_length
    # About one candidate per analysed column, and always an odd count so one is the centre.
    steps = 2 * math.ceil(slack * scale / 2)
    sums = [0.0, *accumulate(detail)]

    def summed_to(position: float) -> float:
        whole = min(int(position), len(detail))
        part = detail[whole] * (position - whole) if whole < len(detail) else 0.0
        return sums[whole] + part

    def window(step: int) -> float:
        start = step * slack / steps * scale
        return summed_to(start + crop_length * scale) - summed_to(start)

    best = max(range(steps + 1), key=lambda step: (window(step), -abs(2 * step - steps)))
    return best * slack / steps


def _detail_along(image: Image.Image, *, horizontal: bool) -> list[float]:
    """The edge energy of each column (or row) of a small copy of `image`."""
    width, height = image.size
    factor = min(1.0, _ANALYSIS_SIDE / max(width, height))
    size = (
        max(_MIN_ANALYSIS_SIDE, round(width * factor)),
        max(_MIN_ANALYSIS_SIDE, round(height * factor)),
    )
    small = image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    grey = small.convert("L")
    if "A" in small.getbands():
        # Invisible pixels carry no detail, whatever colour they happen to store.
        grey = ImageChops.multiply(grey, small.getchannel("A"))
    columns, rows = size
    across = ImageChops.difference(
        grey.crop((1, 0, columns, rows)), grey.crop((0, 0, columns - 1, rows))
    )
    down = ImageChops.difference(
        grey.crop((0, 1, columns, rows)), grey.crop((0, 0, columns, rows - 1))
    )
    inner = (0, 0, columns - 1, rows - 1)
    energy = ImageChops.add(across.crop(inner), down.crop(inner), scale=2.0).convert("F")
    profile = energy.resize((columns - 1, 1) if horizontal else (1, rows - 1), Image.Resampling.BOX)
    return [*array("f", profile.tobytes()), 0.0]
