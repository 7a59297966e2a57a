"""Money is integer micro-dollars, rounded half-up once, parsed and printed exactly."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imagestudio.domain.money import format_usd, round_half_up, usd_to_micros

fractions = st.builds(
    Fraction,
    st.integers(min_value=-(10**30), max_value=10**30),
    st.integers(min_value=1, max_value=10**12),
)
decimals = st.decimals(
    min_value=Decimal("-1e20"), max_value=Decimal("1e20"), allow_nan=False, places=8
)


def decimal_half_up(value: Fraction | Decimal) -> int:
    """Decimal's own ROUND_HALF_UP, with digits enough that no third passes for a half."""
    with localcontext() as context:
        context.prec = 120
        exact = Decimal(value) if isinstance(value, Decimal) else _as_decimal(value)
        return int(exact.to_integral_value(rounding=ROUND_HALF_UP))


def _as_decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


@given(fractions)
def test_round_half_up_matches_decimal_round_half_up_on_fractions(value: Fraction) -> None:
    assert round_half_up(value) == decimal_half_up(value)


@given(decimals)
def test_round_half_up_matches_decimal_round_half_up_on_decimals(value: Decimal) -> None:
    assert round_half_up(value) == decimal_half_up(value)


@given(st.one_of(fractions, decimals.map(Fraction)))
def test_round_half_up_is_never_off_by_more_than_half_a_micro_dollar(value: Fraction) -> None:
    assert abs(round_half_up(value) - value) <= Fraction(1, 2)


@given(st.integers())
def test_round_half_up_leaves_whole_micro_dollars_alone(value: int) -> None:
    assert round_half_up(value) == value


@given(fractions)
def test_round_half_up_is_idempotent(value: Fraction) -> None:
    once = round_half_up(value)
    assert round_half_up(once) == once


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(1, 2), 1),
        (Fraction(-1, 2), -1),
        (Fraction(3, 2), 2),
        (Fraction(49, 100), 0),
        (Decimal("2.5"), 3),
        (Decimal("-2.5"), -3),
    ],
)
def test_round_half_up_rounds_halves_away_from_zero(
    value: Fraction | Decimal, expected: int
) -> None:
    assert round_half_up(value) == expected


@given(st.integers())
def test_usd_to_micros_reads_back_what_format_usd_writes(micros: int) -> None:
    assert usd_to_micros(format_usd(micros)) == micros


def test_usd_to_micros_reads_back_a_negative_amount() -> None:
    assert usd_to_micros("-$1.50") == -1_500_000


def test_usd_to_micros_keeps_every_digit_of_a_long_amount() -> None:
    assert usd_to_micros("1000000000000000000000000.000001") == 10**30 + 1


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_usd_to_micros_refuses_floats(amount: float) -> None:
    with pytest.raises(TypeError):
        usd_to_micros(amount)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["abc", "nan", "NaN", "sNaN", "inf", "-inf", "Infinity", ""])
def test_usd_to_micros_rejects_what_is_not_an_amount(text: str) -> None:
    with pytest.raises(ValueError, match="not an amount of dollars"):
        usd_to_micros(text)


@pytest.mark.parametrize(
    ("amount", "micros"),
    [
        ("25.00", 25_000_000),
        ("$25", 25_000_000),
        ("0.0275", 27_500),
        (" 0.0275 ", 27_500),
        ("0.0000005", 1),
        ("0.0000004", 0),
        (Decimal("1.5"), 1_500_000),
        (3, 3_000_000),
    ],
)
def test_usd_to_micros_parses_dollars_rounding_half_up_once(
    amount: str | Decimal | int, micros: int
) -> None:
    assert usd_to_micros(amount) == micros


@pytest.mark.parametrize(
    ("micros", "text"),
    [
        (27_500, "$0.0275"),
        (25_000_000, "$25.00"),
        (-1_500_000, "-$1.50"),
        (0, "$0.00"),
        (1, "$0.000001"),
        (100_000, "$0.10"),
    ],
)
def test_format_usd_keeps_every_significant_micro_dollar(micros: int, text: str) -> None:
    assert format_usd(micros) == text


def test_an_absurd_exponent_is_refused_rather_than_computed() -> None:
    # Building 1e20000000 exactly would block for minutes: it is refused before that.
    for text in ("1e20000000", "1E-99999999", "9" * 1200):
        with pytest.raises(ValueError, match="not an amount of dollars"):
            usd_to_micros(text)
    assert usd_to_micros("1e3") == 1_000_000_000
