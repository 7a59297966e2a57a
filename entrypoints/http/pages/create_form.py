"""The Create page's form: its choices, and the request its fields make (or the field that is
wrong, as the API's `InvalidInput`)."""

from __future__ import annotations

from starlette.datastructures import FormData

from imagestudio.application.requests import OperationRequest
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.errors.echo import echoed
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.seed import MAX_SEED
from imagestudio.entrypoints.http.pages.form_fields import text
from imagestudio.entrypoints.http.pages.page_requests import page_request

SIZES = (
    ("", "The model's default size"),
    ("1024x1024", "1:1 · 1024 × 1024"),
    ("1344x768", "16:9 · 1344 × 768"),
    ("768x1344", "9:16 · 768 × 1344"),
    ("1216x832", "3:2 · 1216 × 832"),
    ("832x1216", "2:3 · 832 × 1216"),
    ("1088x896", "5:4 · 1088 × 896"),
    ("896x1088", "4:5 · 896 × 1088"),
    ("512x512", "1:1 · 512 × 512 (small)"),
)
"""Sizes by aspect ratio; a model that takes ratios is sent the nearest one it offers."""
MAX_VARIATIONS = 10


def _whole(form: FormData, name: str, low: int, high: int) -> int | InvalidInput | None:
    given = text(form, name).strip()
    if not given:
        return None
    if not given.isdigit() or not low <= int(given) <= high:
        return InvalidInput(
            name, f"must be a whole number from {low} to {high}, not {echoed(given)}"
        )
    return int(given)


def _size(form: FormData) -> tuple[int, int] | InvalidInput | None:
    given = text(form, "size").strip()
    if not given:
        return None
    if given not in {value for value, _ in SIZES}:
        return InvalidInput("size", f"{echoed(given)} is not one of the sizes offered")
    width, height = given.split("x")
    return int(width), int(height)


def generate_request(
    form: FormData, user_id: str, operation_id: str | None = None
) -> OperationRequest | InvalidInput:
    """The text-to-image request the form describes, or the first field that is wrong."""
    outputs = _whole(form, "n", 1, MAX_VARIATIONS)
    seed = _whole(form, "seed", 0, MAX_SEED)
    size = _size(form)
    for checked in (outputs, seed, size):
        if isinstance(checked, InvalidInput):
            return checked
    assert not isinstance(outputs, InvalidInput) and not isinstance(seed, InvalidInput)
    assert not isinstance(size, InvalidInput)
    negative = text(form, "negative_prompt").strip()
    fields = {
        "kind": OperationKind.TEXT_TO_IMAGE.value,
        "model": text(form, "model").strip() or "auto",
        "prompt": text(form, "prompt").strip(),
        "width": None if size is None else size[0],
        "height": None if size is None else size[1],
        "n": outputs or 1,
        "seed": seed,
        "parameters": {"negative_prompt": negative} if negative else {},
    }
    return page_request(fields, user_id, operation_id)
