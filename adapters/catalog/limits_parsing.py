"""The `limits` table of a catalog entry: what a model accepts, checked for sense."""

from __future__ import annotations

import re

from imagestudio.adapters.catalog.entry_fields import EntryFields
from imagestudio.domain.model import InputLimits

_NUMBERS = {
    "max_prompt_chars": 1,
    "min_side": 1,
    "max_side": 1,
    "max_output_pixels": 1,
    "max_input_bytes": 1,
    "max_input_pixels": 1,
    "min_input_pixels": 0,
    "max_outputs": 1,
    "outputs_per_call": 1,
}
"""Each whole-number limit and the least value that makes sense for it."""

_LISTS = ("aspect_ratios", "input_formats", "durations", "resolutions", "input_roles")
_RATIO = re.compile(r"[1-9]\d*(\.\d+)?:[1-9]\d*(\.\d+)?")


def parse_limits(fields: EntryFields) -> InputLimits:
    optional = ("max_input_images", "max_input_side", "max_input_aspect", "max_request_bytes")
    fields.refuse_unknown([*_NUMBERS, *_LISTS, *optional])
    default = InputLimits()

    def number(name: str) -> int:
        return fields.integer(name, getattr(default, name), least=_NUMBERS[name])

    limits = InputLimits(
        max_prompt_chars=number("max_prompt_chars"),
        min_side=number("min_side"),
        max_side=number("max_side"),
        max_output_pixels=number("max_output_pixels"),
        aspect_ratios=_aspect_ratios(fields),
        max_input_bytes=number("max_input_bytes"),
        max_input_pixels=number("max_input_pixels"),
        min_input_pixels=number("min_input_pixels"),
        input_roles=fields.texts("input_roles"),
        max_input_images=_optional_number(fields, "max_input_images"),
        max_input_side=_optional_number(fields, "max_input_side"),
        max_input_aspect=_aspect_limit(fields),
        max_request_bytes=_optional_number(fields, "max_request_bytes"),
        input_formats=fields.media_list("input_formats", default.input_formats),
        max_outputs=number("max_outputs"),
        outputs_per_call=number("outputs_per_call"),
        durations=fields.integers("durations"),
        resolutions=fields.texts("resolutions"),
    )
    if limits.min_side > limits.max_side:
        raise fields.error("min_side", f"{limits.min_side} is above max_side {limits.max_side}")
    if limits.min_input_pixels > limits.max_input_pixels:
        raise fields.error(
            "min_input_pixels",
            f"{limits.min_input_pixels} is above max_input_pixels {limits.max_input_pixels}",
        )
    return limits


def _optional_number(fields: EntryFields, name: str) -> int | None:
    """A whole-number limit the model may not set at all (None: no such limit)."""
    if name not in fields.table:
        return None
    return fields.integer(name, 0, least=1)


def _aspect_limit(fields: EntryFields) -> float | None:
    """`max_input_aspect = "2.5:1"`: the longer side over the shorter, at most."""
    ratio = fields.text("max_input_aspect", default="")
    if not ratio:
        return None
    if not _RATIO.fullmatch(ratio):
        raise fields.error("max_input_aspect", f"{ratio!r} is not a ratio like '2.5:1'")
    across, _, down = ratio.partition(":")
    limit = float(across) / float(down)
    if limit < 1:
        raise fields.error("max_input_aspect", f"{ratio!r} must be the long side first")
    return limit


def _aspect_ratios(fields: EntryFields) -> tuple[str, ...]:
    ratios = fields.texts("aspect_ratios")
    for ratio in ratios:
        if not _RATIO.fullmatch(ratio):
            raise fields.error("aspect_ratios", f"{ratio!r} is not a ratio like '16:9'")
    return ratios
