"""What each endpoint draws, at which size, with the offline renderer (sizes per §2.2)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from imagestudio.adapters.sandbox.rendering import GivenImage, render_outputs
from imagestudio.adapters.sandbox.stability_images import (
    UploadedImage,
    blurred,
    fitted_png,
    size_at,
    transparency_mask_png,
)
from imagestudio.adapters.sandbox.stability_request import ValidRequest
from imagestudio.adapters.sandbox.stability_rules import SIDES
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation import ParameterValue
from imagestudio.domain.operation_kind import OperationKind

MEGAPIXEL = 1024 * 1024
_GENERATED_PIXELS = {"core": 3 * MEGAPIXEL // 2}
"""Ultra and sd3 draw about 1 MP, core about 1.5 MP."""
_UPSCALED_PIXELS = 4 * MEGAPIXEL
_FAST_UPSCALE = 4


@dataclass(frozen=True, slots=True)
class Outcome:
    """A finished generation, ready to be sent in either `accept` form."""

    data: bytes
    media: MediaType
    seed: int
    filtered: bool = False

    @property
    def finish_reason(self) -> str:
        return "CONTENT_FILTERED" if self.filtered else "SUCCESS"


@dataclass(frozen=True, slots=True)
class Drawing:
    """One call to the renderer."""

    kind: OperationKind
    size: tuple[int, int]
    images: tuple[GivenImage, ...] = ()
    parameters: Mapping[str, ParameterValue] = field(default_factory=dict)


async def produce(request: ValidRequest, *, filtered: bool = False) -> Outcome:
    """Render the request's output; a filtered one comes back blurred. Raises RenderRefused."""
    drawing = _drawing(request)
    artifacts = await render_outputs(
        kind=drawing.kind,
        prompt=request.text("prompt") or request.text("background_prompt"),
        width=drawing.size[0],
        height=drawing.size[1],
        images=drawing.images,
        output=request.media,
        seed=request.seed,
        parameters=drawing.parameters,
    )
    data = artifacts[0].data
    if filtered and request.media.is_image:
        data = blurred(data, request.media)
    return Outcome(data, request.media, request.seed, filtered)


def _drawing(request: ValidRequest) -> Drawing:
    family, _, name = request.endpoint.path.rpartition("/")
    if family == "3d":
        return Drawing(OperationKind.IMAGE_TO_3D, _input_size(request), _given(request, "image"))
    return _DRAWINGS[name](request)


def _generated(request: ValidRequest) -> Drawing:
    pixels = _GENERATED_PIXELS.get(request.endpoint.path.rpartition("/")[2], MEGAPIXEL)
    source = request.images.get("image")
    if source is None:
        size = size_at(pixels, _ratio(request.text("aspect_ratio", "1:1")), multiple=64)
        return Drawing(OperationKind.TEXT_TO_IMAGE, size)
    # Image-to-image: the input regraded, at about the same pixel count, in its own aspect.
    size = size_at(pixels, source.aspect, multiple=64)
    return Drawing(
        OperationKind.IMAGE_EDIT,
        size,
        (GivenImage(fitted_png(source, size)),),
        {"mode": "general"},
    )


def _upscaled_fast(request: ValidRequest) -> Drawing:
    source = request.images["image"]
    size = (source.width * _FAST_UPSCALE, source.height * _FAST_UPSCALE)
    return Drawing(OperationKind.UPSCALE, size, _given(request, "image"))


def _upscaled_to_4mp(request: ValidRequest) -> Drawing:
    source = request.images["image"]
    # An input already past 4 MP (conservative takes up to 9.4 MP) is still enlarged a little:
    # the renderer only upscales, and the contract does not say what the service does.
    pixels = max(_UPSCALED_PIXELS, source.pixels * 5 // 4)
    return Drawing(OperationKind.UPSCALE, size_at(pixels, source.aspect), _given(request, "image"))


def _edited(mode: str) -> Callable[[ValidRequest], Drawing]:
    def drawing(request: ValidRequest) -> Drawing:
        images = _given(request, "image")
        mask = request.images.get("mask")
        source = request.images["image"]
        if mask is not None:
            images += (GivenImage(mask.data, "mask"),)
        elif mode in ("erase", "inpaint") and source.has_alpha:
            images += (GivenImage(transparency_mask_png(source), "mask"),)
        parameters: dict[str, ParameterValue] = {"mode": mode}
        if mode == "outpaint":
            parameters.update({side: request.integer(side) for side in SIDES})
        return Drawing(OperationKind.IMAGE_EDIT, _input_size(request), images, parameters)

    return drawing


def _relit(request: ValidRequest) -> Drawing:
    parameters: dict[str, ParameterValue] = {"mode": "replace-background-and-relight"}
    if "light_source_direction" in request.values:
        parameters["light_source"] = request.text("light_source_direction")
    subject = request.images["subject_image"]
    return Drawing(
        OperationKind.IMAGE_EDIT,
        (subject.width, subject.height),
        (GivenImage(subject.data),),
        parameters,
    )


def _controlled(mode: str) -> Callable[[ValidRequest], Drawing]:
    def drawing(request: ValidRequest) -> Drawing:
        return Drawing(
            OperationKind.CONTROL, _input_size(request), _given(request, "image"), {"mode": mode}
        )

    return drawing


def _styled(request: ValidRequest) -> Drawing:
    size = size_at(MEGAPIXEL, _ratio(request.text("aspect_ratio", "1:1")), multiple=64)
    image = GivenImage(fitted_png(request.images["image"], size))
    return Drawing(OperationKind.CONTROL, size, (image,), {"mode": "style"})


def _style_transferred(request: ValidRequest) -> Drawing:
    init = request.images["init_image"]
    size = size_at(MEGAPIXEL, init.aspect, multiple=64)
    images = (
        GivenImage(fitted_png(init, size)),
        GivenImage(request.images["style_image"].data, "style"),
    )
    return Drawing(OperationKind.CONTROL, size, images, {"mode": "style-transfer"})


def _given(request: ValidRequest, name: str) -> tuple[GivenImage, ...]:
    return (GivenImage(request.images[name].data),)


def _input_size(request: ValidRequest) -> tuple[int, int]:
    source: UploadedImage = request.images["image"]
    return (source.width, source.height)


def _ratio(aspect_ratio: str) -> float:
    width, height = aspect_ratio.split(":")
    return int(width) / int(height)


_DRAWINGS: dict[str, Callable[[ValidRequest], Drawing]] = {
    "ultra": _generated,
    "core": _generated,
    "sd3": _generated,
    "fast": _upscaled_fast,
    "conservative": _upscaled_to_4mp,
    "creative": _upscaled_to_4mp,
    "erase": _edited("erase"),
    "inpaint": _edited("inpaint"),
    "outpaint": _edited("outpaint"),
    "search-and-replace": _edited("search-and-replace"),
    "search-and-recolor": _edited("search-and-recolor"),
    "remove-background": _edited("remove-background"),
    "replace-background-and-relight": _relit,
    "sketch": _controlled("sketch"),
    "structure": _controlled("structure"),
    "style": _styled,
    "style-transfer": _style_transferred,
}
