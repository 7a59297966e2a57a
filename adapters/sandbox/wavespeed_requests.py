"""A submit body read into the task it orders: what to render, and what it will cost.

Each model family takes its own fields (provider_contracts.md §1.2, §1.9, §1.11); anything the
emulated service would refuse is a BadRequest naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from imagestudio.adapters.sandbox.rendering import GivenImage, media_type_for
from imagestudio.adapters.sandbox.wavespeed_fields import (
    BadRequest,
    Body,
    choice,
    integer,
    number,
    optional_text,
    required_text,
    size,
)
from imagestudio.adapters.sandbox.wavespeed_images import InputImages
from imagestudio.adapters.sandbox.wavespeed_models import Family, ModelRules
from imagestudio.adapters.sandbox.wavespeed_prices import charge_for
from imagestudio.application.ports.provider import InputImage
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation import ParameterValue
from imagestudio.domain.operation_kind import OperationKind

IMAGE_FORMATS = ("jpeg", "png", "webp")
LONG_SIDES = {"1k": 1024, "2k": 2048, "4k": 4096, "8k": 8192}
"""`resolution` / `target_resolution` → the output's long side in pixels."""
VIDEO_DURATIONS = (5, 10)
MAX_SEED = 2_147_483_647
_GENERATED_LONG_SIDE = 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskOrder:
    """One accepted request: the render it asks for and the amount a success is billed."""

    kind: OperationKind
    prompt: str
    width: int
    height: int
    output: MediaType
    amount: Decimal
    images: tuple[GivenImage, ...] = ()
    outputs: int = 1
    seed: int | None = None
    parameters: Mapping[str, ParameterValue] = field(default_factory=dict)


def read_order(rules: ModelRules, body: Body, images: InputImages) -> TaskOrder:
    """The task `body` orders from the model `rules` describe. Raises BadRequest."""
    return _READERS[rules.family](rules, body, images)


def _generator(rules: ModelRules, body: Body, images: InputImages) -> TaskOrder:
    del images
    shape = rules.shape
    prompt = required_text(body, "prompt")
    resolution = _resolution(rules, body)
    if shape.sizes is not None:
        width, height = size(
            body, low=shape.sizes.low, high=shape.sizes.high, default=shape.sizes.default
        )
    elif shape.aspect_ratios:
        ratio = choice(body, "aspect_ratio", shape.aspect_ratios, shape.aspect_ratios[0])
        width, height = _ratio_size(ratio, LONG_SIDES.get(resolution or "", _GENERATED_LONG_SIDE))
    else:
        width, height = _GENERATED_LONG_SIDE, _GENERATED_LONG_SIDE
    outputs = _outputs(rules, body)
    return TaskOrder(
        kind=OperationKind.TEXT_TO_IMAGE,
        prompt=prompt,
        width=width,
        height=height,
        output=_image_format(body),
        amount=charge_for(rules.price, outputs=outputs, resolution=resolution),
        outputs=outputs,
        seed=_seed(body),
    )


def _editor(rules: ModelRules, body: Body, images: InputImages) -> TaskOrder:
    shape = rules.shape
    prompt = required_text(body, "prompt")
    given = images.listed(body, "images") or images.listed(body, "image")
    if not given:
        raise BadRequest(
            "image is required" if shape.max_input_images == 1 else "images is required"
        )
    if len(given) > shape.max_input_images:
        raise BadRequest(f"images: at most {shape.max_input_images}, not {len(given)}")
    if shape.sizes is not None:
        size(body, low=shape.sizes.low, high=shape.sizes.high, default=shape.sizes.default)
    if shape.aspect_ratios:
        choice(body, "aspect_ratio", shape.aspect_ratios, shape.aspect_ratios[0])
    resolution = _resolution(rules, body)
    outputs = _outputs(rules, body)
    return TaskOrder(
        kind=OperationKind.IMAGE_EDIT,
        prompt=prompt,
        width=given[0].width,
        height=given[0].height,
        output=_image_format(body),
        amount=charge_for(rules.price, outputs=outputs, resolution=resolution),
        images=tuple(_given(image) for image in given),
        outputs=outputs,
        seed=_seed(body),
        parameters={"mode": "general"},
    )


def _upscaler(rules: ModelRules, body: Body, images: InputImages) -> TaskOrder:
    image = images.required(body, "image")
    longer = max(image.width, image.height)
    targets = rules.shape.resolutions
    if targets:
        number(body, "creativity", default=0, low=-2, high=2)
        target = choice(body, "target_resolution", targets, targets[0])
        scale = LONG_SIDES[target] / longer
    else:  # real-esrgan scales by a factor, which its clients send as `guidance_scale`
        scale = number(body, "guidance_scale", default=2, low=1, high=10)
    width, height = max(1, round(image.width * scale)), max(1, round(image.height * scale))
    if max(width, height) <= longer:
        raise BadRequest(f"image is already {image.width}x{image.height}: nothing to upscale")
    if max(width, height) > LONG_SIDES["8k"]:
        raise BadRequest(f"an output of {width}x{height} is larger than 8k")
    return TaskOrder(
        kind=OperationKind.UPSCALE,
        prompt="",
        width=width,
        height=height,
        output=_image_format(body),
        amount=charge_for(rules.price, outputs=1),
        images=(_given(image),),
    )


def _image_to_3d(rules: ModelRules, body: Body, images: InputImages) -> TaskOrder:
    views: tuple[str, ...]
    if "multi-view" in rules.path:
        main, views = "front_image_url", ("back_image_url", "left_image_url")
    elif "v3" in rules.path:
        main, views = "input_image_url", ("back_image_url", "left_image_url", "right_image_url")
    else:
        main, views = "image", ()
    image = images.required(body, main)
    for view in views:
        images.optional(body, view)
    return TaskOrder(
        kind=OperationKind.IMAGE_TO_3D,
        prompt=optional_text(body, "prompt"),
        width=image.width,
        height=image.height,
        output=MediaType.GLB,
        amount=charge_for(rules.price, outputs=1),
        images=(_given(image),),
        seed=_seed(body),
    )


def _face_swap(rules: ModelRules, body: Body, images: InputImages) -> TaskOrder:
    target = images.required(body, "image", "target")
    if rules.path.startswith("akool/"):
        faces = images.listed(body, "source_image", "face")
        if not faces:
            raise BadRequest("source_image is required")
        if not images.listed(body, "target_image"):
            raise BadRequest("target_image is required")
        face = faces[0]
        index = 0
    else:
        face = images.required(body, "face_image", "face")
        index = integer(body, "target_index", default=0, low=0, high=10)
    return TaskOrder(
        kind=OperationKind.FACE_SWAP,
        prompt="",
        width=target.width,
        height=target.height,
        output=_image_format(body),
        amount=charge_for(rules.price, outputs=1),
        images=(_given(face), _given(target)),
        parameters={"target_index": index},
    )


def _image_to_video(rules: ModelRules, body: Body, images: InputImages) -> TaskOrder:
    image = images.required(body, "image")
    prompt = required_text(body, "prompt")
    resolution = choice(body, "resolution", rules.shape.resolutions, rules.shape.resolutions[0])
    duration = integer(body, "duration", default=5, low=1, high=60)
    if duration not in VIDEO_DURATIONS:
        raise BadRequest(f"duration must be 5 or 10, not {duration}")
    optional_text(body, "negative_prompt")
    return TaskOrder(
        kind=OperationKind.IMAGE_TO_VIDEO,
        prompt=prompt,
        width=image.width,
        height=image.height,
        output=MediaType.MP4,
        amount=charge_for(rules.price, outputs=1, resolution=resolution, seconds=duration),
        images=(_given(image),),
        seed=_seed(body),
        parameters={"duration": duration, "resolution": resolution},
    )


def _resolution(rules: ModelRules, body: Body) -> str | None:
    """The `resolution` field of a model that takes one (its first choice by default)."""
    choices = rules.shape.resolutions
    return choice(body, "resolution", choices, choices[0]) if choices else None


def _outputs(rules: ModelRules, body: Body) -> int:
    name = rules.shape.outputs_field
    if name is None:
        return 1
    return integer(body, name, default=1, low=1, high=rules.shape.max_outputs)


def _image_format(body: Body) -> MediaType:
    return media_type_for(choice(body, "output_format", IMAGE_FORMATS, "jpeg"))


def _seed(body: Body) -> int | None:
    seed = integer(body, "seed", default=-1, low=-1, high=MAX_SEED)
    return None if seed == -1 else seed


def _ratio_size(ratio: str, long_side: int) -> tuple[int, int]:
    """`long_side` on the longer axis, the other by the ratio, rounded to a multiple of 8."""
    across, down = (int(part) for part in ratio.split(":"))
    short = max(8, round(long_side * min(across, down) / max(across, down) / 8) * 8)
    return (long_side, short) if across >= down else (short, long_side)


def _given(image: InputImage) -> GivenImage:
    return GivenImage(data=image.data, role=image.role)


_READERS = {
    Family.GENERATOR: _generator,
    Family.EDITOR: _editor,
    Family.UPSCALER: _upscaler,
    Family.IMAGE_TO_3D: _image_to_3d,
    Family.FACE_SWAP: _face_swap,
    Family.IMAGE_TO_VIDEO: _image_to_video,
}
