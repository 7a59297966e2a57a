"""Money as integer micro-dollars: exact, never float."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction

MICROS_PER_USD = 1_000_000

Micros = int
"""An amount of money in micro-dollars (1 USD = 1,000,000)."""

MAX_MICROS = 2**63 - 1
"""The most any stored amount, limit or counter holds (a 64-bit column); beyond it a database
fails (PostgreSQL) or silently turns the number into a float (SQLite)."""
MAX_ADJUSTMENT = 10**15
"""$1,000,000,000: the most one adjustment may move a user's spend, so that adjustments, each
checked against the spend it lands on, can never carry a counter past `MAX_SPEND`."""
MAX_SPEND = 2**62
"""The most a spend counter may reach by adjustments: half the column, leaving the other half
for charges and for adjustments racing each other."""


def round_half_up(value: Fraction | Decimal | int) -> Micros:
    """Round an exact amount of micro-dollars to a whole micro-dollar, halves away from zero."""
    exact = Fraction(value)
    sign = -1 if exact < 0 else 1
    magnitude = abs(exact)
    whole, remainder = divmod(magnitude.numerator, magnitude.denominator)
    if 2 * remainder >= magnitude.denominator:
        whole += 1
    return sign * whole


MAX_DOLLAR_DIGITS = 1000


def usd_to_micros(amount: str | Decimal | int) -> Micros:
    """Parse a dollar amount written by a person ("25.00", "0.0275") into micro-dollars.

    Rounded half-up once, here; floats are refused because they are not exact.
    """
    if isinstance(amount, float):
        raise TypeError("money is never a float; pass a str or Decimal")
    text = str(amount).strip()
    sign = "-" if text.startswith("-") else ""
    text = text.removeprefix("-").removeprefix("$")  # reads back what format_usd writes
    # Imported here: importing the errors package imports this module (their messages show
    # money), so an application whose first import is `domain.money` failed on the cycle.
    from imagestudio.domain.errors.echo import echoed

    try:
        dollars = Decimal(sign + text)
    except InvalidOperation as error:
        raise ValueError(f"not an amount of dollars: {echoed(amount)}") from error
    # An exponent like 1e20000000 is a valid Decimal whose exact value takes minutes to build;
    # no amount of money, however absurd, needs a thousand digits either side of the point.
    if not dollars.is_finite() or abs(dollars.adjusted()) > MAX_DOLLAR_DIGITS:
        raise ValueError(f"not an amount of dollars: {echoed(amount)}")
    # Fraction keeps every digit: Decimal arithmetic would round at 28 significant digits.
    return round_half_up(Fraction(dollars) * MICROS_PER_USD)


def format_usd(micros: Micros) -> str:
    """Render micro-dollars as dollars, keeping every significant micro-dollar ("$0.0275")."""
    sign = "-" if micros < 0 else ""
    whole, fraction = divmod(abs(micros), MICROS_PER_USD)
    digits = f"{fraction:06d}".rstrip("0")
    digits = digits.ljust(2, "0")
    return f"{sign}${whole}.{digits}"
