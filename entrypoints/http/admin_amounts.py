"""How the admin API reads amounts and limits, by the same rules as the operator's CLI: money is
a decimal string of dollars ("25.00", "-1.50"), never a JSON number; a limit is a number or
`unlimited`, said explicitly (0 is a real zero); a day or an ISO 8601 time bounds an export."""

from __future__ import annotations

import re
from collections.abc import Callable

from pydantic import StrictInt, StrictStr

from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.limit import Limit
from imagestudio.domain.money import MAX_MICROS, Micros, format_usd, usd_to_micros
from imagestudio.entrypoints.cli.limits import UNLIMITED_WORD, money_limit

_PLAIN_DOLLARS = re.compile(r"-?\$?(\d{1,30}(\.\d{0,30})?|\.\d{1,30})")
"""Digits and a point only: an exponent ("1e20000000") would make exact parsing compute a
number of millions of digits while the server waits."""
MAX_COUNT_CHARS = 24
Count = StrictInt | StrictStr


def usd(micros: Micros | None) -> str:
    return UNLIMITED_WORD if micros is None else format_usd(micros)


def dollars(field: str, text: str) -> Micros | InvalidInput:
    """Micro-dollars from a decimal string such as "25.00", "$25" or "-1.50"."""
    if not _PLAIN_DOLLARS.fullmatch(text.strip()):
        return InvalidInput(field, f"{text!r}: write dollars as a decimal such as 25.00")
    micros = usd_to_micros(text)
    if abs(micros) > MAX_MICROS:
        return InvalidInput(field, "is larger than any amount this service can hold")
    return micros


def bounded_count(
    field: str, value: int | str, parse: Callable[[str, str], Limit | InvalidInput]
) -> Limit | InvalidInput:
    """A count as the CLI reads it (`parse`), first refusing what would fail rather than be
    refused there: digits that are not ASCII, numbers too long for a 64-bit column."""
    text = str(value)
    if len(text) > MAX_COUNT_CHARS or not text.isascii():
        return InvalidInput(field, f"{text[:MAX_COUNT_CHARS]!r}: too long, or not plain digits")
    return held(field, parse(field, text))


def held(field: str, parsed: Limit | InvalidInput) -> Limit | InvalidInput:
    """Refused as input what a 64-bit column could not store (money, counts and bytes alike)."""
    if isinstance(parsed, Limit) and parsed.maximum is not None and parsed.maximum > MAX_MICROS:
        return InvalidInput(field, "is larger than any limit this service can hold")
    return parsed


def dollar_limit(field: str, text: str) -> Limit | InvalidInput:
    """As the CLI reads it (dollars or `unlimited`), refusing what `dollars` refuses."""
    if text.strip().lower() != UNLIMITED_WORD:
        checked = dollars(field, text)
        if isinstance(checked, InvalidInput):
            return InvalidInput(field, f"{checked.reason}, or {UNLIMITED_WORD}")
    return money_limit(field, text)
