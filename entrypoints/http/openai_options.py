"""OpenAI's `quality`, `style`, `background`, `moderation`, `complexity` and `input_fidelity`:
what each value means here; and the fields that change nothing made here (`IGNORED`).

A value is OpenAI's default (taken: it asks for nothing a model does not do anyway), maps onto
a model parameter of the catalog, or is a combination answered only one way; any other value
changes the result in a way no model here offers, and is refused (400, `param` naming the
field) before anything is reserved — never ignored, which charged an image made without it as
if it were what was asked. The values served are the schema's enum; a served value in a
combination not served is a 422, as `output_compression` without a format is:
- `background=opaque` needs `output_format=jpeg` (no alpha: the answer is opaque whatever the
  model made);
- `moderation=low` turns the model's safety checker off (`enable_safety_checker=false`), and a
  model without one refuses it through the catalog's check (`auto` chooses one that has it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.operation import ParameterValue
from imagestudio.entrypoints.http.auth import ProblemError
from imagestudio.entrypoints.http.invalid_requests import malformed
from imagestudio.entrypoints.http.problems import problem_for

SAFETY_CHECKER = "enable_safety_checker"
"""The catalog's parameter `moderation=low` maps onto (WaveSpeed's safety checker, off)."""
SERVED: dict[str, tuple[str, ...]] = {
    "quality": ("auto", "standard"),  # OpenAI's default; DALL·E's default (and dall-e-2's only)
    "style": ("vivid",),  # DALL·E 3's default
    "background": ("auto", "opaque"),
    "moderation": ("auto", "low"),
    "complexity": ("high",),  # OpenAI's default: the model plans as it does anyway
    "input_fidelity": ("low",),  # OpenAI's default for an edit
}
"""Per field, the values served: OpenAI's defaults, and those mapped or answered here."""
_NOT_OFFERED = {
    "quality": "no model here takes a quality level (OpenAI's low, medium, high, hd…): choose "
    "a model by its id for its quality (GET /v1/models)",
    "style": "no model here takes OpenAI's natural style: describe the look in the prompt",
    "background": "no model here makes a transparent background "
    "(stability/edit-remove-background cuts one out of an image: POST /v1/operations)",
    "moderation": "",
    "complexity": "no model here takes a planning effort: choose a model by its id",
    "input_fidelity": "no model here keeps an input's details at a chosen fidelity",
}
IGNORED: dict[str, str] = {
    "user": "names the end user to OpenAI's abuse monitoring: nothing made changes",
    "safety_identifier": "names the end user to OpenAI's abuse monitoring: nothing made changes",
    "partial_images": "images streamed while made: `stream` is not offered",
    "frame_count": "a GIF's frames: `gif` is not an `output_format` here",
    "frame_duration_ms": "a GIF's frames: `gif` is not an `output_format` here",
    "svg": "SVG authoring: `svg` is not an `output_format` here",
}
"""The fields an OpenAI client may send that change nothing made here, and why (OpenAI too
ignores the last four unless streaming or asking for a GIF or an SVG, which are refused)."""


def schema(field: str) -> dict[str, Any]:
    """The field's JSON schema: the values served, or none."""
    return {"enum": [*SERVED[field], None]}


def option_parameters(
    given: Mapping[str, str | None], output_format: str | None
) -> dict[str, ParameterValue]:
    """The model parameters the fields of `SERVED` (`given`, each field's value or None) map
    onto; raises the 400 for a value not served, the 422 for `background=opaque` without
    `output_format=jpeg`."""
    for field, value in given.items():
        if value is not None and value not in SERVED[field]:
            served = " or ".join(SERVED[field])
            why = _NOT_OFFERED[field]
            raise ProblemError(malformed(field, f"is {served} here" + (f": {why}" if why else "")))
    if given.get("background") == "opaque" and output_format != "jpeg":
        refusal = InvalidInput(
            "background", "opaque is promised only without transparency: give output_format=jpeg"
        )
        raise ProblemError(problem_for(refusal))
    if given.get("moderation") == "low":
        return {SAFETY_CHECKER: False}
    return {}
