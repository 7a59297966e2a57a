"""What a WaveSpeed model path does: its family (read from the path) and its few own rules."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from imagestudio.adapters.sandbox.wavespeed_prices import PRICES, Price


class Family(StrEnum):
    GENERATOR = "generator"
    EDITOR = "editor"
    UPSCALER = "upscaler"
    IMAGE_TO_3D = "image-to-3d"
    FACE_SWAP = "face-swap"
    IMAGE_TO_VIDEO = "image-to-video"


@dataclass(frozen=True, slots=True)
class SizeRange:
    """The `size` field's range per side, and the size when none is given."""

    low: int
    high: int
    default: tuple[int, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestShape:
    """The fields a model takes beyond its family's, where it differs from the family's."""

    sizes: SizeRange | None = None
    """Set when the model takes `size` ("W*H")."""
    aspect_ratios: tuple[str, ...] = ()
    """Set when the model takes `aspect_ratio`; the first is the default."""
    resolutions: tuple[str, ...] = ()
    """Allowed `resolution` values; the first is the default."""
    max_input_images: int = 1
    outputs_field: str | None = None
    """The field asking for several outputs per call (`num_images`, `max_images`)."""
    max_outputs: int = 1


@dataclass(frozen=True, slots=True)
class ModelRules:
    path: str
    family: Family
    price: Price
    shape: RequestShape


_IDEOGRAM_RATIOS = ("1:1", "16:9", "9:16", "4:3", "3:4")
_KONTEXT_RATIOS = ("1:1", "21:9", "16:9", "4:3", "3:2", "2:3", "3:4", "9:16", "9:21")
_NANO_BANANA_RATIOS = ("1:1", "3:2", "2:3", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
_QWEN_AND_FLUX_SIZES = SizeRange(256, 1536, (1024, 1024))
_SEEDREAM_SIZES = SizeRange(64, 4096, (2048, 2048))

_SHAPES: dict[str, RequestShape] = {
    "ideogram-ai/ideogram-v3-turbo": RequestShape(aspect_ratios=_IDEOGRAM_RATIOS),
    "wavespeed-ai/qwen-image/text-to-image": RequestShape(sizes=_QWEN_AND_FLUX_SIZES),
    "wavespeed-ai/qwen-image/edit-plus": RequestShape(max_input_images=3),
    "bytedance/seedream-v4": RequestShape(sizes=_SEEDREAM_SIZES),
    "bytedance/seedream-v4/sequential": RequestShape(
        sizes=_SEEDREAM_SIZES,
        outputs_field="max_images",
        max_outputs=15,
    ),
    "bytedance/seedream-v4/edit": RequestShape(sizes=_SEEDREAM_SIZES, max_input_images=10),
    "bytedance/seedream-v4/edit-sequential": RequestShape(
        sizes=_SEEDREAM_SIZES,
        max_input_images=10,
        outputs_field="max_images",
        max_outputs=15,
    ),
    "bytedance/seedream-v4.5/edit": RequestShape(sizes=_SEEDREAM_SIZES, max_input_images=10),
    "wavespeed-ai/flux-dev": RequestShape(
        sizes=_QWEN_AND_FLUX_SIZES,
        outputs_field="num_images",
        max_outputs=4,
    ),
    "wavespeed-ai/flux-kontext-pro/text-to-image": RequestShape(aspect_ratios=_KONTEXT_RATIOS),
    "wavespeed-ai/flux-kontext-pro": RequestShape(aspect_ratios=_KONTEXT_RATIOS),
    "google/nano-banana-pro/text-to-image": RequestShape(
        aspect_ratios=_NANO_BANANA_RATIOS,
        resolutions=("1k", "2k", "4k"),
    ),
    "google/nano-banana-pro/edit-ultra": RequestShape(
        aspect_ratios=_NANO_BANANA_RATIOS,
        resolutions=("4k", "8k"),
        max_input_images=10,
    ),
    "wavespeed-ai/image-upscaler": RequestShape(resolutions=("4k", "2k", "8k")),
    "alibaba/wan-2.5/image-to-video": RequestShape(resolutions=("720p", "480p", "1080p")),
}


def family_of(path: str) -> Family:
    """The family a model path belongs to, read from the path the way WaveSpeed names models."""
    last = path.rsplit("/", 1)[-1]
    if "hunyuan3d" in path:
        return Family.IMAGE_TO_3D
    if "face-swap" in path or "head-swap" in path:
        return Family.FACE_SWAP
    if last == "image-to-video":
        return Family.IMAGE_TO_VIDEO
    if "upscaler" in path or "esrgan" in path:
        return Family.UPSCALER
    if last.startswith("edit") or ("flux-kontext" in path and last != "text-to-image"):
        return Family.EDITOR
    return Family.GENERATOR


def rules_for(path: str) -> ModelRules | None:
    """The rules of a model the emulated account can run, or None for an unknown path."""
    price = PRICES.get(path)
    if price is None:
        return None
    return ModelRules(path, family_of(path), price, _SHAPES.get(path, RequestShape()))
