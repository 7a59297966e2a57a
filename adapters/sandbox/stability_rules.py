"""Checks across an endpoint's fields (§2.2): what one field requires of another."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from imagestudio.adapters.sandbox.stability_fields import Value
from imagestudio.adapters.sandbox.stability_images import UploadedImage

Rule = Callable[[Mapping[str, Value], Mapping[str, UploadedImage]], list[str]]
"""A check across fields; returns `"field: reason"` lines."""

SIDES = ("left", "right", "up", "down")
"""Outpaint's directions."""


def strength_with_image(
    values: Mapping[str, Value], images: Mapping[str, UploadedImage]
) -> list[str]:
    if "image" in images and "strength" not in values:
        return ["strength: is required when image is provided"]
    return []


def sd3_mode(values: Mapping[str, Value], images: Mapping[str, UploadedImage]) -> list[str]:
    if values.get("mode") == "image-to-image":
        missing = [name for name in ("image", "strength") if name not in {*values, *images}]
        return [f"{name}: is required when mode is image-to-image" for name in missing]
    if "image" in images:
        return ["image: is only accepted when mode is image-to-image"]
    return []


def some_direction(values: Mapping[str, Value], images: Mapping[str, UploadedImage]) -> list[str]:
    del images
    if any(values.get(side, 0) for side in SIDES):
        return []
    return ["left: at least one of left, right, up or down must be greater than 0"]


def some_background(values: Mapping[str, Value], images: Mapping[str, UploadedImage]) -> list[str]:
    if values.get("background_prompt") or "background_reference" in images:
        return []
    return ["background_prompt: background_prompt or background_reference is required"]
