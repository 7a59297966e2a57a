"""The §2.2 table as data: each v2beta endpoint's fields, input limits, credits and async-ness."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from imagestudio.adapters.sandbox.stability_fields import (
    Choice,
    Field,
    ImageFile,
    ImageLimits,
    Number,
    Text,
    Value,
)
from imagestudio.adapters.sandbox.stability_rules import (
    SIDES,
    Rule,
    sd3_mode,
    some_background,
    some_direction,
    strength_with_image,
)

MAX_SEED = 4_294_967_294
STYLE_PRESETS = (
    "enhance",
    "anime",
    "photographic",
    "digital-art",
    "comic-book",
    "fantasy-art",
    "line-art",
    "analog-film",
    "neon-punk",
    "isometric",
    "low-poly",
    "origami",
    "modeling-compound",
    "cinematic",
    "3d-model",
    "pixel-art",
    "tile-texture",
)
ASPECT_RATIOS = ("21:9", "16:9", "3:2", "5:4", "1:1", "4:5", "2:3", "9:16", "9:21")
IMAGE_FORMATS = ("jpeg", "png", "webp")
SD3_CREDITS = {
    "sd3.5-large": Decimal("6.5"),
    "sd3.5-large-turbo": Decimal("4"),
    "sd3.5-medium": Decimal("3.5"),
}


@dataclass(frozen=True, slots=True)
class Endpoint:
    path: str
    """Under `/v2beta/`."""
    fields: tuple[Field, ...]
    credits: Decimal
    is_async: bool = False
    returns_model: bool = False
    """3D: GLB bytes, no `output_format` and no `accept` negotiation."""
    rules: tuple[Rule, ...] = ()

    def cost(self, values: Mapping[str, Value]) -> Decimal:
        """Credits for a request with these (validated) values; sd3 is priced by `model`."""
        model = values.get("model")
        if self.path.endswith("/sd3") and isinstance(model, str):
            return SD3_CREDITS[model]
        return self.credits


def _prompt(required: bool = True) -> Text:
    return Text("prompt", required=required)


_NEGATIVE = Text("negative_prompt")
_SEED = Number("seed", 0, MAX_SEED, default=0, integer=True)
_FORMAT = Choice("output_format", IMAGE_FORMATS, default="png")
_STYLE = Choice("style_preset", STYLE_PRESETS)
_ASPECT = Choice("aspect_ratio", ASPECT_RATIOS, default="1:1")

_EDIT_LIMITS = ImageLimits(min_side=64, min_pixels=4_096, max_pixels=9_437_184)
_FRAMED_LIMITS = ImageLimits(min_side=64, min_pixels=4_096, max_pixels=9_437_184, max_aspect=2.5)
_3D_LIMITS = ImageLimits(min_side=64, min_pixels=4_096, max_pixels=4_194_304)
_RELIGHT_LIMITS = ImageLimits(min_pixels=4_096, max_pixels=9_437_184, max_aspect=2.5)
_TRANSFER_LIMITS = ImageLimits(min_side=64, max_side=16_383, min_pixels=4_096, max_pixels=9_437_184)
_TEXTURE = Choice("texture_resolution", ("512", "1024", "2048"), default="1024")
_REMESH = Choice("remesh", ("none", "triangle", "quad"), default="none")


def _image(limits: ImageLimits, name: str = "image", required: bool = True) -> ImageFile:
    return ImageFile(name, limits, required=required)


_GUIDED_EDIT = (
    _prompt(),
    _NEGATIVE,
    Number("grow_mask", 0, 20, default=3, integer=True),
    _SEED,
    _FORMAT,
    _STYLE,
)
_CONTROL = (
    _prompt(),
    _image(ImageLimits(min_side=64, max_pixels=9_437_184, max_aspect=2.5)),
    Number("control_strength", 0, 1, default=0.7),
    _NEGATIVE,
    _SEED,
    _FORMAT,
    _STYLE,
)

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "stable-image/generate/ultra",
        (
            _prompt(),
            _NEGATIVE,
            _ASPECT,
            _SEED,
            _FORMAT,
            _STYLE,
            _image(ImageLimits(min_side=64, max_side=16_384, min_pixels=4_096), required=False),
            Number("strength", 0, 1),
        ),
        Decimal("8"),
        rules=(strength_with_image,),
    ),
    Endpoint(
        "stable-image/generate/core",
        (_prompt(), _ASPECT, _NEGATIVE, _SEED, _STYLE, _FORMAT),
        Decimal("3"),
    ),
    Endpoint(
        "stable-image/generate/sd3",
        (
            _prompt(),
            Choice("mode", ("text-to-image", "image-to-image"), default="text-to-image"),
            _image(ImageLimits(min_side=64), required=False),
            Number("strength", 0, 1),
            _ASPECT,
            Choice("model", tuple(SD3_CREDITS), default="sd3.5-large"),
            Number("cfg_scale", 1, 10),
            _NEGATIVE,
            _SEED,
            _FORMAT,
            _STYLE,
        ),
        SD3_CREDITS["sd3.5-large"],
        rules=(sd3_mode,),
    ),
    Endpoint(
        "stable-image/upscale/fast",
        (
            _image(
                ImageLimits(min_side=32, max_side=1_536, min_pixels=1_024, max_pixels=1_048_576)
            ),
            _FORMAT,
        ),
        Decimal("2"),
    ),
    Endpoint(
        "stable-image/upscale/conservative",
        (
            _image(_FRAMED_LIMITS),
            _prompt(),
            _NEGATIVE,
            _SEED,
            _FORMAT,
            Number("creativity", 0.2, 0.5, default=0.35),
        ),
        Decimal("40"),
    ),
    Endpoint(
        "stable-image/upscale/creative",
        (
            _image(ImageLimits(min_side=64, min_pixels=4_096, max_pixels=1_048_576)),
            _prompt(),
            _NEGATIVE,
            _FORMAT,
            _SEED,
            Number("creativity", 0.1, 0.5, default=0.3),
            _STYLE,
        ),
        Decimal("60"),
        is_async=True,
    ),
    Endpoint(
        "stable-image/edit/erase",
        (
            _image(_EDIT_LIMITS),
            # The spec also marks `prompt` required for erase; taken to be a slip (§2.2).
            _prompt(required=False),
            _image(ImageLimits(), "mask", required=False),
            Number("grow_mask", 0, 20, default=5, integer=True),
            _SEED,
            _FORMAT,
        ),
        Decimal("5"),
    ),
    Endpoint(
        "stable-image/edit/inpaint",
        (
            _image(_EDIT_LIMITS),
            _prompt(),
            _NEGATIVE,
            _image(ImageLimits(), "mask", required=False),
            Number("grow_mask", 0, 100, default=5, integer=True),
            _SEED,
            _FORMAT,
            _STYLE,
        ),
        Decimal("5"),
    ),
    Endpoint(
        "stable-image/edit/outpaint",
        (
            _image(_FRAMED_LIMITS),
            *(Number(side, 0, 2_000, default=0, integer=True) for side in SIDES),
            Number("creativity", 0, 1, default=0.5),
            _prompt(required=False),
            _SEED,
            _FORMAT,
            _STYLE,
        ),
        Decimal("4"),
        rules=(some_direction,),
    ),
    Endpoint(
        "stable-image/edit/search-and-replace",
        (_image(_FRAMED_LIMITS), Text("search_prompt", required=True), *_GUIDED_EDIT),
        Decimal("5"),
    ),
    Endpoint(
        "stable-image/edit/search-and-recolor",
        (_image(_FRAMED_LIMITS), Text("select_prompt", required=True), *_GUIDED_EDIT),
        Decimal("5"),
    ),
    Endpoint(
        "stable-image/edit/remove-background",
        (
            _image(ImageLimits(min_side=64, min_pixels=4_096, max_pixels=4_194_304)),
            Choice("output_format", ("png", "webp"), default="png"),
        ),
        Decimal("5"),
    ),
    Endpoint(
        "stable-image/edit/replace-background-and-relight",
        (
            _image(_RELIGHT_LIMITS, "subject_image"),
            Text("background_prompt"),
            _image(_RELIGHT_LIMITS, "background_reference", required=False),
            Text("foreground_prompt"),
            _NEGATIVE,
            Number("preserve_original_subject", 0, 1, default=0.6),
            Number("original_background_depth", 0, 1, default=0.5),
            Choice("keep_original_background", ("true", "false"), default="false"),
            Choice("light_source_direction", ("left", "right", "above", "below")),
            _image(_RELIGHT_LIMITS, "light_reference", required=False),
            Number("light_source_strength", 0, 1, default=0.3),
            _SEED,
            _FORMAT,
        ),
        Decimal("8"),
        is_async=True,
        rules=(some_background,),
    ),
    Endpoint("stable-image/control/sketch", _CONTROL, Decimal("5")),
    # §4: the structure endpoint's fields are assumed equal to sketch's.
    Endpoint("stable-image/control/structure", _CONTROL, Decimal("5")),
    Endpoint(
        "stable-image/control/style",
        (
            _prompt(),
            _image(ImageLimits(min_pixels=4_096, max_pixels=9_437_184, max_aspect=2.5)),
            _NEGATIVE,
            _ASPECT,
            Number("fidelity", 0, 1, default=0.5),
            _SEED,
            _FORMAT,
            _STYLE,
        ),
        Decimal("5"),
    ),
    Endpoint(
        "stable-image/control/style-transfer",
        (
            _image(_TRANSFER_LIMITS, "init_image"),
            _image(_TRANSFER_LIMITS, "style_image"),
            _prompt(required=False),
            _NEGATIVE,
            _SEED,
            Number("style_strength", 0, 1, default=1),
            Number("composition_fidelity", 0, 1, default=0.9),
            Number("change_strength", 0.1, 1, default=0.9),
            _FORMAT,
        ),
        Decimal("8"),
    ),
    Endpoint(
        "3d/stable-fast-3d",
        (
            _image(_3D_LIMITS),
            _TEXTURE,
            Number("foreground_ratio", 0.1, 1, default=0.85),
            _REMESH,
            Number("vertex_count", -1, 20_000, default=-1, integer=True),
        ),
        Decimal("10"),
        returns_model=True,
    ),
    Endpoint(
        "3d/stable-point-aware-3d",
        (
            _image(_3D_LIMITS),
            _TEXTURE,
            Number("foreground_ratio", 1, 2, default=1.3),
            _REMESH,
            # Ranges below are the vendor's page, not the contract's table (which names them only).
            Choice("target_type", ("none", "vertex", "face"), default="none"),
            Number("target_count", 100, 20_000, default=1_000, integer=True),
            Number("guidance_scale", 1, 10, default=3),
            _SEED,
        ),
        Decimal("4"),
        returns_model=True,
    ),
)
