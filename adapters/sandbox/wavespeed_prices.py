"""What the emulated WaveSpeed account is charged per model path, in USD.

Figures from provider_contracts.md §1.9 and §1.11; where the contract has none, the catalog's
(adapters/catalog/models.toml) or, failing both, an estimate named as such. Kept apart from the
catalog on purpose: the sandbox plays the provider, so a wrong catalog price shows up as a
reconciliation difference instead of agreeing with itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class PerOutput:
    usd: Decimal


@dataclass(frozen=True, slots=True)
class PerOutputByResolution:
    """Per output, the figure depending on the request's `resolution` field."""

    usd: Mapping[str, Decimal]
    default: str


@dataclass(frozen=True, slots=True)
class PerSecondByResolution:
    """Per second of video, by the request's `resolution` (contract §1.11)."""

    usd: Mapping[str, Decimal]


Price = PerOutput | PerOutputByResolution | PerSecondByResolution

_WAN_PER_SECOND = PerSecondByResolution(
    {"480p": Decimal("0.05"), "720p": Decimal("0.10"), "1080p": Decimal("0.15")}
)

PRICES: dict[str, Price] = {
    "ideogram-ai/ideogram-v3-turbo": PerOutput(Decimal("0.03")),
    "wavespeed-ai/qwen-image/text-to-image": PerOutput(Decimal("0.02")),
    "wavespeed-ai/qwen-image/edit": PerOutput(Decimal("0.02")),
    "wavespeed-ai/qwen-image/edit-plus": PerOutput(Decimal("0.02")),
    "bytedance/seedream-v4": PerOutput(Decimal("0.027")),
    "bytedance/seedream-v4/edit": PerOutput(Decimal("0.027")),
    "bytedance/seedream-v4/sequential": PerOutput(Decimal("0.027")),
    "bytedance/seedream-v4/edit-sequential": PerOutput(Decimal("0.027")),
    "bytedance/seedream-v4.5/edit": PerOutput(Decimal("0.04")),
    "wavespeed-ai/flux-dev": PerOutput(Decimal("0.012")),
    "wavespeed-ai/flux-kontext-pro/text-to-image": PerOutput(Decimal("0.04")),
    "wavespeed-ai/flux-kontext-pro": PerOutput(Decimal("0.04")),
    # No figure in the contract or the catalog: Google's own list price for Nano Banana Pro.
    "google/nano-banana-pro/text-to-image": PerOutputByResolution(
        {"1k": Decimal("0.14"), "2k": Decimal("0.14"), "4k": Decimal("0.24")}, default="1k"
    ),
    "google/nano-banana-pro/edit-ultra": PerOutputByResolution(
        {"4k": Decimal("0.15"), "8k": Decimal("0.18")}, default="4k"
    ),
    "wavespeed-ai/image-upscaler": PerOutput(Decimal("0.01")),
    # No price is known anywhere (contract §1.9 "—"): the image-upscaler's figure.
    "wavespeed-ai/real-esrgan": PerOutput(Decimal("0.01")),
    "wavespeed-ai/hunyuan3d-v2-multi-view": PerOutput(Decimal("0.02")),
    "wavespeed-ai/hunyuan3d/v2-multi-view": PerOutput(Decimal("0.02")),
    "wavespeed-ai/hunyuan3d-v3/image-to-3d": PerOutput(Decimal("0.25")),
    "wavespeed-ai/hunyuan3d/v2.1": PerOutput(Decimal("0.30")),
    "wavespeed-ai/image-face-swap": PerOutput(Decimal("0.01")),
    "wavespeed-ai/image-face-swap-pro": PerOutput(Decimal("0.025")),
    "wavespeed-ai/image-head-swap": PerOutput(Decimal("0.025")),
    "akool/image-face-swap": PerOutput(Decimal("0.16")),
    "alibaba/wan-2.5/image-to-video": _WAN_PER_SECOND,
}


def charge_for(
    price: Price, *, outputs: int, resolution: str | None = None, seconds: int = 0
) -> Decimal:
    """The amount one task costs. `resolution` must be a key the price knows (checked before)."""
    if isinstance(price, PerOutput):
        return price.usd * outputs
    if isinstance(price, PerOutputByResolution):
        return price.usd[resolution or price.default] * outputs
    return price.usd[resolution or "720p"] * seconds * outputs
