"""Each pricing rule computes an exact price in micro-dollars, rounded half-up once."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imagestudio.domain.pricing import (
    BillableUnits,
    FlatPerOutput,
    PerCredit,
    PerMegapixel,
    PerVideoSecond,
    PriceUnavailable,
    PricingRule,
)

RATES = {"480p": 50_000, "720p": 100_000, "1080p": 150_000}

micros = st.integers(min_value=0, max_value=10_000_000)
outputs = st.integers(min_value=0, max_value=16)
rules: st.SearchStrategy[PricingRule] = st.one_of(
    st.builds(FlatPerOutput, micros),
    st.builds(PerMegapixel, micros),
    st.builds(
        PerVideoSecond,
        st.dictionaries(st.sampled_from(["480p", "720p", "1080p"]), micros, min_size=1),
    ),
    st.builds(
        PerCredit,
        st.fractions(min_value=0, max_value=100, max_denominator=1000),
        st.integers(min_value=0, max_value=100_000),
    ),
)


def units_of(count: int, *, pixels_each: int = 1_048_576, seconds: int = 5) -> BillableUnits:
    return BillableUnits(outputs=count, pixels=pixels_each * count, seconds=seconds)


def test_flat_per_output_charges_each_output_once() -> None:
    rule = FlatPerOutput(40_000)

    assert rule.price(units_of(1)) == 40_000
    assert rule.price(units_of(4)) == 160_000


@given(micros, outputs, outputs)
def test_flat_per_output_is_linear_in_outputs(rate: int, first: int, second: int) -> None:
    rule = FlatPerOutput(rate)

    combined = rule.price(units_of(first + second))

    assert combined == rule.price(units_of(first)) + rule.price(units_of(second))


def test_per_credit_converts_credits_at_a_cent_each() -> None:
    assert PerCredit(Fraction(13, 2)).price(units_of(1)) == 65_000


def test_per_credit_multiplies_credits_by_their_value_and_the_outputs() -> None:
    assert PerCredit(Fraction(3), micros_per_credit=20_000).price(units_of(2)) == 120_000


def test_per_credit_rounds_a_fractional_credit_half_up() -> None:
    assert PerCredit(Fraction(1, 3)).price(units_of(1)) == 3_333
    assert PerCredit(Fraction(1, 6)).price(units_of(1)) == 1_667


def test_per_credit_rounds_once_over_all_outputs_not_per_output() -> None:
    assert PerCredit(Fraction(1, 3)).price(units_of(3)) == 10_000


def test_per_megapixel_is_exact_at_one_megapixel() -> None:
    rule = PerMegapixel(30_000)

    assert rule.price(BillableUnits(outputs=1, pixels=1_000_000)) == 30_000


def test_per_megapixel_rounds_a_partial_megapixel_half_up() -> None:
    rule = PerMegapixel(30_000)

    assert rule.price(BillableUnits(outputs=1, pixels=1_048_576)) == 31_457


@given(micros, st.integers(0, 10**8), st.integers(0, 10**8))
def test_per_megapixel_is_monotone_in_pixels(rate: int, first: int, second: int) -> None:
    rule = PerMegapixel(rate)
    fewer, more = sorted((first, second))

    assert rule.price(BillableUnits(outputs=1, pixels=fewer)) <= rule.price(
        BillableUnits(outputs=1, pixels=more)
    )


@pytest.mark.parametrize(("resolution", "rate"), sorted(RATES.items()))
def test_per_video_second_prices_by_resolution(resolution: str, rate: int) -> None:
    units = BillableUnits(outputs=2, seconds=5, resolution=resolution)

    assert PerVideoSecond(RATES).price(units) == rate * 5 * 2


def test_per_video_second_refuses_a_resolution_without_a_rate() -> None:
    units = BillableUnits(outputs=1, seconds=5, resolution="4k")

    with pytest.raises(PriceUnavailable, match="4k"):
        PerVideoSecond(RATES).price(units)


def test_per_video_second_without_a_resolution_prices_at_the_highest_rate() -> None:
    units = BillableUnits(outputs=1, seconds=5, resolution=None)

    assert PerVideoSecond(RATES).price(units) == 150_000 * 5


@given(rules, outputs)
def test_a_price_is_never_negative(rule: PricingRule, count: int) -> None:
    assert rule.price(units_of(count)) >= 0


@given(rules, outputs, outputs)
def test_a_price_is_monotone_in_outputs(rule: PricingRule, first: int, second: int) -> None:
    fewer, more = sorted((first, second))

    assert rule.price(units_of(fewer)) <= rule.price(units_of(more))


@pytest.mark.parametrize(
    "build",
    [
        lambda: FlatPerOutput(-1),
        lambda: PerMegapixel(-1),
        lambda: PerVideoSecond({"480p": -1}),
        lambda: PerVideoSecond({}),
        lambda: PerCredit(Fraction(-1)),
    ],
)
def test_a_rule_with_a_negative_or_missing_rate_cannot_be_built(build: object) -> None:
    with pytest.raises(ValueError, match="price"):
        build()  # type: ignore[operator]
