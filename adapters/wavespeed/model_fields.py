"""Which input fields each WaveSpeed model reads (provider_contracts.md §1.9 and §1.11).

Models differ in small ways: a `size` or an `aspect_ratio`, one `image` or a list of `images`,
data URIs or uploaded URLs. This module is the one place that knows which is which.
"""

from __future__ import annotations

from enum import StrEnum

from imagestudio.domain.operation_kind import OperationKind

_ASPECT_RATIO_MODELS = ("ideogram", "nano-banana", "flux-kontext")
_MULTI_IMAGE_MODELS = ("edit-plus", "seedream", "nano-banana")
_SIZED_EDITORS = ("seedream",)
_SEEDED_KINDS = frozenset(
    {
        OperationKind.TEXT_TO_IMAGE,
        OperationKind.IMAGE_EDIT,
        OperationKind.CONTROL,
        OperationKind.IMAGE_TO_VIDEO,
    }
)

PASSED_THROUGH = frozenset(
    {
        "negative_prompt",
        "guidance_scale",
        "num_inference_steps",
        "strength",
        "style",
        "creativity",
        "target_index",
        "enable_safety_checker",
        "enable_prompt_expansion",
        "face_enhance",
        "generate_type",
        "enable_pbr",
        "face_count",
        "octree_resolution",
        "textured_mesh",
        "audio",
    }
)
"""Job parameters a WaveSpeed model understands as they are. Ours (`mode`, `scale`, outpaint
margins…) are absent on purpose: a model may reject, or worse misread, a field it does not know."""


class SizeField(StrEnum):
    SIZE = "size"
    ASPECT_RATIO = "aspect_ratio"


def split_path(provider_path: str) -> tuple[str, dict[str, str | int]]:
    """The route and the fixed fields a catalog path carries after `?` (digits become ints)."""
    route, _, query = provider_path.partition("?")
    fixed: dict[str, str | int] = {}
    for pair in filter(None, query.split("&")):
        name, _, value = pair.partition("=")
        fixed[name] = int(value) if value.isdigit() else value
    return route, fixed


def size_field(kind: OperationKind, route: str) -> SizeField | None:
    """How the model is told the output's shape, if it is told at all."""
    if any(marker in route for marker in _ASPECT_RATIO_MODELS):
        return SizeField.ASPECT_RATIO
    if kind is OperationKind.TEXT_TO_IMAGE or any(marker in route for marker in _SIZED_EDITORS):
        return SizeField.SIZE
    return None


def takes_image_list(route: str) -> bool:
    """Whether an editor reads `images` (a list) rather than one `image`."""
    return any(marker in route for marker in _MULTI_IMAGE_MODELS)


def takes_seed(kind: OperationKind) -> bool:
    return kind in _SEEDED_KINDS


def is_akool(route: str) -> bool:
    return route.startswith("akool/")


def upload_fields(kind: OperationKind, route: str) -> dict[str, str]:
    """For models that need hosted URLs: input role → body field of its uploaded URL."""
    if kind is OperationKind.IMAGE_TO_VIDEO:
        return {"image": "image"}
    if kind is not OperationKind.IMAGE_TO_3D:
        return {}
    if "hunyuan3d-v3" in route:
        return {
            "image": "input_image_url",
            "back": "back_image_url",
            "left": "left_image_url",
            "right": "right_image_url",
        }
    if "multi-view" in route:
        return {
            "image": "front_image_url",
            "back": "back_image_url",
            "left": "left_image_url",
        }
    return {"image": "image"}
