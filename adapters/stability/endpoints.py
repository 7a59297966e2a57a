"""What each Stability v2beta endpoint takes (provider_contracts.md §2.2): the only fields sent.

Known per endpoint, never guessed from a reply: whether it answers asynchronously (200 `{id}`,
then `GET /v2beta/results/{id}`), whether it returns a GLB, which images it takes under which
form names, and which text fields it accepts at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

IMAGE_FORMATS = ("png", "jpeg", "webp")

_STYLE = ("style_preset",)
_GENERATE = ("prompt", "negative_prompt", "aspect_ratio", "seed", "output_format", *_STYLE)
_EDIT_BY_PROMPT = ("prompt", "negative_prompt", "grow_mask", "seed", "output_format", *_STYLE)
_CONTROL = ("prompt", "negative_prompt", "seed", "output_format", *_STYLE)
_THREE_D = ("texture_resolution", "foreground_ratio", "remesh")


@dataclass(frozen=True, slots=True, kw_only=True)
class Endpoint:
    path: str
    """Under the API base, e.g. "v2beta/stable-image/edit/inpaint"."""
    fields: frozenset[str]
    """Every text field the endpoint accepts; nothing else is ever sent."""
    images: Mapping[str, str] = field(default_factory=lambda: {"image": "image"})
    """Our input role → the endpoint's file field."""
    required_roles: frozenset[str] = frozenset({"image"})
    prompt_field: str = "prompt"
    """Where the job's prompt goes (relighting calls it `background_prompt`)."""
    asynchronous: bool = False
    glb: bool = False
    """Answers with `model/gltf-binary` bytes and takes no `accept` header."""
    image_optional_mode: bool = False
    """Generation that turns into image-to-image when given an image (needs `strength` then,
    and takes no `aspect_ratio`)."""
    output_formats: tuple[str, ...] = IMAGE_FORMATS


def _v2(path: str) -> str:
    return f"v2beta/{path}"


_ALL = (
    Endpoint(
        path=_v2("stable-image/generate/ultra"),
        fields=frozenset({*_GENERATE, "strength"}),
        required_roles=frozenset(),
        image_optional_mode=True,
    ),
    Endpoint(
        path=_v2("stable-image/generate/core"),
        fields=frozenset(_GENERATE),
        images={},
        required_roles=frozenset(),
    ),
    Endpoint(
        path=_v2("stable-image/generate/sd3"),
        fields=frozenset({*_GENERATE, "mode", "strength", "model", "cfg_scale"}),
        required_roles=frozenset(),
        image_optional_mode=True,
    ),
    Endpoint(path=_v2("stable-image/upscale/fast"), fields=frozenset({"output_format"})),
    Endpoint(
        path=_v2("stable-image/upscale/conservative"),
        fields=frozenset({"prompt", "negative_prompt", "seed", "output_format", "creativity"}),
    ),
    Endpoint(
        path=_v2("stable-image/upscale/creative"),
        fields=frozenset(
            {"prompt", "negative_prompt", "seed", "output_format", "creativity", *_STYLE}
        ),
        asynchronous=True,
    ),
    # The spec lists `prompt` for erase too (likely a slip): it is sent only when given.
    Endpoint(
        path=_v2("stable-image/edit/erase"),
        fields=frozenset({"prompt", "grow_mask", "seed", "output_format"}),
        images={"image": "image", "mask": "mask"},
    ),
    Endpoint(
        path=_v2("stable-image/edit/inpaint"),
        fields=frozenset(_EDIT_BY_PROMPT),
        images={"image": "image", "mask": "mask"},
    ),
    Endpoint(
        path=_v2("stable-image/edit/outpaint"),
        fields=frozenset(
            {
                "left",
                "right",
                "up",
                "down",
                "creativity",
                "prompt",
                "seed",
                "output_format",
                *_STYLE,
            }
        ),
    ),
    Endpoint(
        path=_v2("stable-image/edit/search-and-replace"),
        fields=frozenset({*_EDIT_BY_PROMPT, "search_prompt"}),
    ),
    Endpoint(
        path=_v2("stable-image/edit/search-and-recolor"),
        fields=frozenset({*_EDIT_BY_PROMPT, "select_prompt"}),
    ),
    Endpoint(
        path=_v2("stable-image/edit/remove-background"),
        fields=frozenset({"output_format"}),
        output_formats=("png", "webp"),
    ),
    Endpoint(
        path=_v2("stable-image/edit/replace-background-and-relight"),
        fields=frozenset(
            {
                "background_prompt",
                "foreground_prompt",
                "negative_prompt",
                "preserve_original_subject",
                "original_background_depth",
                "keep_original_background",
                "light_source_direction",
                "light_source_strength",
                "seed",
                "output_format",
            }
        ),
        images={"image": "subject_image", "style": "background_reference"},
        prompt_field="background_prompt",
        asynchronous=True,
    ),
    Endpoint(
        path=_v2("stable-image/control/sketch"), fields=frozenset({*_CONTROL, "control_strength"})
    ),
    Endpoint(
        path=_v2("stable-image/control/structure"),
        fields=frozenset({*_CONTROL, "control_strength"}),
    ),
    Endpoint(
        path=_v2("stable-image/control/style"),
        fields=frozenset({*_CONTROL, "aspect_ratio", "fidelity"}),
    ),
    Endpoint(
        path=_v2("stable-image/control/style-transfer"),
        fields=frozenset(
            {*_CONTROL[:-1], "style_strength", "composition_fidelity", "change_strength"}
        ),
        images={"image": "init_image", "style": "style_image"},
        required_roles=frozenset({"image", "style"}),
    ),
    Endpoint(
        path=_v2("3d/stable-fast-3d"),
        fields=frozenset({*_THREE_D, "vertex_count"}),
        glb=True,
        output_formats=(),
    ),
    Endpoint(
        path=_v2("3d/stable-point-aware-3d"),
        fields=frozenset({*_THREE_D, "target_type", "target_count", "guidance_scale", "seed"}),
        glb=True,
        output_formats=(),
    ),
)

ENDPOINTS: Mapping[str, Endpoint] = {endpoint.path: endpoint for endpoint in _ALL}


@dataclass(frozen=True, slots=True)
class ModelEndpoint:
    """A catalog `provider_path` taken apart: the endpoint and the fields the model fixes."""

    endpoint: Endpoint
    fixed_fields: Mapping[str, str]


def endpoint_for(provider_path: str) -> ModelEndpoint | None:
    """The endpoint behind `provider_path` ("v2beta/…/sd3?model=sd3.5-large"), or None."""
    path, _, query = provider_path.strip().lstrip("/").partition("?")
    endpoint = ENDPOINTS.get(path)
    if endpoint is None:
        return None
    return ModelEndpoint(endpoint, dict(parse_qsl(query, keep_blank_values=True)))
