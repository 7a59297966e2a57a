"""A model in the catalog: who serves it, what it does, what it costs, what it accepts."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from imagestudio.domain.media import MediaType
from imagestudio.domain.model_parameters import ModelParameter
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.pricing import PricingRule


@dataclass(frozen=True, slots=True, kw_only=True)
class InputLimits:
    """What a model accepts. `None` means the model sets no such limit."""

    max_prompt_chars: int = 10_000
    min_side: int = 64
    max_side: int = 4096
    max_output_pixels: int = 4096 * 4096
    aspect_ratios: tuple[str, ...] = ()
    max_input_bytes: int = 10 * 1024 * 1024
    max_input_pixels: int = 9_437_184
    min_input_pixels: int = 0
    input_roles: tuple[str, ...] = ()
    """The input roles the model reads, where fewer than its kind's (empty: all of the kind's)."""
    max_input_images: int | None = None
    """How many pictures (a mask aside) the model reads; more would be dropped or refused."""
    max_input_side: int | None = None
    """The longest side an input may have, where the provider says (`max_side` is the output's)."""
    max_input_aspect: float | None = None
    """How elongated an input may be: 2.5 takes 1:2.5 to 2.5:1 (Stability's framed endpoints)."""
    max_request_bytes: int | None = None
    """The most one request may carry, input images, prompt and fields together, where the
    provider caps a request's size (Stability: 10 MiB)."""
    input_formats: tuple[MediaType, ...] = (MediaType.PNG, MediaType.JPEG, MediaType.WEBP)
    max_outputs: int = 10
    outputs_per_call: int = 1
    """How many outputs one provider call can return; n variations beyond it need more calls."""
    durations: tuple[int, ...] = ()
    resolutions: tuple[str, ...] = ()


class ModelTier(StrEnum):
    """A coarse quality/price class, for routing `auto` by quality instead of by price."""

    BUDGET = "budget"
    STANDARD = "standard"
    PREMIUM = "premium"

    @property
    def rank(self) -> int:
        return list(ModelTier).index(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class Model:
    id: str
    provider: str
    provider_path: str
    kinds: frozenset[OperationKind]
    pricing: PricingRule
    output: MediaType
    limits: InputLimits = field(default_factory=InputLimits)
    price_source: str = "vendor"
    """"vendor" when the price is the provider's published one, "estimate" when unverified."""
    description: str = ""
    default_size: tuple[int, int] = (1024, 1024)
    modes: tuple[str, ...] = ()
    """Sub-operations the model offers for its kind (edit: erase, inpaint…; control: sketch…)."""
    tier: ModelTier = ModelTier.STANDARD
    requires: frozenset[str] = frozenset()
    """Fields the model cannot run without: "prompt", or the name of a parameter
    ("search_prompt"). Checked before anything is reserved."""
    parameters: tuple[ModelParameter, ...] | None = None
    """The provider parameters the model takes (the catalog describes them for every model it
    holds); ours — `mode`, `scale`… — follow from its kind and limits
    (application/parameter_rules.py). None: not described (a model built in code), so any
    parameter is passed on as given."""

    def serves(self, kind: OperationKind) -> bool:
        return kind in self.kinds
