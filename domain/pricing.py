"""Pricing rules: every way the providers price a call, computed exactly in micro-dollars."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from imagestudio.domain.errors.echo import echoed
from imagestudio.domain.money import Micros, round_half_up

DEFAULT_MICROS_PER_CREDIT = 10_000
"""Stability's credit: 1 credit = $0.01. Configurable per catalog, converted only there."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BillableUnits:
    """What a price is computed from: the outputs of one operation.

    `pixels` is the total number of output pixels over all outputs; `seconds` and `resolution`
    describe video output.
    """

    outputs: int
    pixels: int = 0
    seconds: int = 0
    resolution: str | None = None


@dataclass(frozen=True, slots=True)
class FlatPerOutput:
    """A fixed price for each output (a call that returns one image costs this once)."""

    micros: Micros

    def __post_init__(self) -> None:
        _never_negative(self.micros)

    def price(self, units: BillableUnits) -> Micros:
        return self.micros * units.outputs


@dataclass(frozen=True, slots=True)
class PerMegapixel:
    """A price per megapixel of output (1 MP = 1,000,000 pixels), rounded once."""

    micros_per_megapixel: Micros

    def __post_init__(self) -> None:
        _never_negative(self.micros_per_megapixel)

    def price(self, units: BillableUnits) -> Micros:
        return round_half_up(Fraction(self.micros_per_megapixel * units.pixels, 1_000_000))


@dataclass(frozen=True, slots=True)
class PerVideoSecond:
    """A price per second of video output, by resolution ("480p" → micro-dollars a second)."""

    micros_per_second: Mapping[str, Micros]

    def __post_init__(self) -> None:
        if not self.micros_per_second:
            raise ValueError("a per-second price needs at least one resolution")
        for rate in self.micros_per_second.values():
            _never_negative(rate)

    def price(self, units: BillableUnits) -> Micros:
        if units.resolution is None:
            return max(self.micros_per_second.values()) * units.seconds * units.outputs
        if units.resolution not in self.micros_per_second:
            raise PriceUnavailable(f"no per-second price for resolution {echoed(units.resolution)}")
        return self.micros_per_second[units.resolution] * units.seconds * units.outputs


@dataclass(frozen=True, slots=True)
class PerCredit:
    """A price in provider credits per output, converted to dollars with the credit's value."""

    credits: Fraction
    micros_per_credit: Micros = field(default=DEFAULT_MICROS_PER_CREDIT)

    def __post_init__(self) -> None:
        _never_negative(self.credits)
        _never_negative(self.micros_per_credit)

    def price(self, units: BillableUnits) -> Micros:
        return round_half_up(self.credits * self.micros_per_credit * units.outputs)


def _never_negative(rate: int | Fraction) -> None:
    if rate < 0:
        raise ValueError(f"a price cannot be negative: {rate}")


PricingRule = FlatPerOutput | PerMegapixel | PerVideoSecond | PerCredit


class PriceUnavailable(ValueError):
    """The rule cannot price these units (a resolution with no rate, for example)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Quote:
    """The price to reserve (the highest the request can cost) for one request."""

    reserve: Micros
    units: BillableUnits
