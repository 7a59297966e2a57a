"""The kinds of form field a v2beta endpoint takes, and how each one reads a multipart value.

Each reader returns the parsed value or raises FieldProblem with the reason; the endpoint's
validation gathers the problems into one 400 as `"field: reason"` lines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from starlette.datastructures import UploadFile

from imagestudio.adapters.sandbox.stability_images import UploadedImage, measured

FormValue = str | UploadFile
Value = str | int | float


class FieldProblem(Exception):
    """Why one field's value is refused (without the field's name)."""


@dataclass(frozen=True, slots=True)
class Text:
    name: str
    required: bool = False
    max_length: int = 10_000
    default: str | None = None

    def read(self, raw: FormValue) -> str:
        if not isinstance(raw, str):
            raise FieldProblem("must be a text value, not a file")
        if len(raw) > self.max_length:
            raise FieldProblem(f"must be at most {self.max_length} characters")
        return raw


@dataclass(frozen=True, slots=True)
class Choice:
    name: str
    choices: tuple[str, ...]
    default: str | None = None
    required: bool = False

    def read(self, raw: FormValue) -> str:
        if not isinstance(raw, str) or raw not in self.choices:
            raise FieldProblem(f"must be one of {', '.join(self.choices)}")
        return raw


@dataclass(frozen=True, slots=True)
class Number:
    name: str
    minimum: float
    maximum: float
    default: float | None = None
    integer: bool = False
    required: bool = False

    def read(self, raw: FormValue) -> int | float:
        value = _integer(raw) if self.integer else _number(raw)
        if not self.minimum <= value <= self.maximum:
            raise FieldProblem(f"must be between {self.minimum:g} and {self.maximum:g}")
        return value


@dataclass(frozen=True, slots=True)
class ImageLimits:
    """An input image's bounds from the §2.2 table; None where the table gives none."""

    min_side: int | None = None
    max_side: int | None = None
    min_pixels: int | None = None
    max_pixels: int | None = None
    max_aspect: float | None = None
    """2.5 means between 1:2.5 and 2.5:1."""

    def problems(self, image: UploadedImage) -> list[str]:
        found = []
        short, long = sorted((image.width, image.height))
        if self.min_side is not None and short < self.min_side:
            found.append(f"each side must be at least {self.min_side} pixels")
        if self.max_side is not None and long > self.max_side:
            found.append(f"each side must be at most {self.max_side} pixels")
        if self.min_pixels is not None and image.pixels < self.min_pixels:
            found.append(f"must have at least {self.min_pixels} pixels in total")
        if self.max_pixels is not None and image.pixels > self.max_pixels:
            found.append(f"must have at most {self.max_pixels} pixels in total")
        if self.max_aspect is not None and long / short > self.max_aspect:
            found.append(
                f"aspect ratio must be between 1:{self.max_aspect:g} and {self.max_aspect:g}:1"
            )
        return found


@dataclass(frozen=True, slots=True)
class ImageFile:
    name: str
    limits: ImageLimits
    required: bool = False

    async def read_image(self, raw: FormValue) -> UploadedImage:
        if isinstance(raw, str):
            raise FieldProblem("must be a file (an image part), not a text value")
        try:
            image = measured(await raw.read())
        except ValueError:
            raise FieldProblem("could not be decoded as a jpeg, png or webp image") from None
        problems = self.limits.problems(image)
        if problems:
            raise FieldProblem("; ".join(problems))
        return image


Field = Text | Choice | Number | ImageFile


def _number(raw: FormValue) -> float:
    try:
        value = float(raw) if isinstance(raw, str) else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise FieldProblem("must be a number")
    return value


def _integer(raw: FormValue) -> int:
    if isinstance(raw, str):
        try:
            return int(raw.strip())
        except ValueError:
            pass
    raise FieldProblem("must be an integer")
