"""Determinism: every colour and shape derives from a SHA-256 of the prompt and the seed."""

from __future__ import annotations

import colorsys
import hashlib
import random

Colour = tuple[int, int, int]


def base_seed(prompt: str, seed: int | None) -> int:
    """The job's seed, or one derived from the prompt when the caller gave none."""
    if seed is not None:
        return seed
    return int.from_bytes(hashlib.sha256(prompt.encode()).digest()[:4], "big")


def variation_seed(base: int, index: int) -> int:
    """Output `index` of a call seeded `base` is output 0 of a call seeded `base + index`."""
    return base + index


def seeded_random(prompt: str, seed: int, purpose: str = "") -> random.Random:
    digest = hashlib.sha256(f"{purpose}\x00{seed}\x00{prompt}".encode()).digest()
    return random.Random(int.from_bytes(digest, "big"))


def palette(rng: random.Random, count: int) -> list[Colour]:
    """`count` distinct, saturated colours spread around the hue circle from a random start."""
    start = rng.random()
    colours = []
    for index in range(count):
        hue = (start + index / count + rng.uniform(-0.04, 0.04)) % 1.0
        saturation = rng.uniform(0.45, 0.9)
        value = rng.uniform(0.35, 0.95)
        red, green, blue = colorsys.hsv_to_rgb(hue, saturation, value)
        colours.append((round(red * 255), round(green * 255), round(blue * 255)))
    return colours
