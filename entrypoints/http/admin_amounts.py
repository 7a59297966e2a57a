"""How the admin API reads amounts and limits, by the same rules as the operator's CLI: money is
a decimal string of dollars ("25.00", "-1.50"), never a JSON number; a limit is a number or
`unlimited`, said explicitly (0 is a real zero); a day or an ISO 8601 time bounds an export."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import StrictInt, StrictStr

from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.limit import Limit
from imagestudio.domain.money import Micros, format_usd
from imagestudio.entrypoints.cli.limits import UNLIMITED_WORD

MAX_COUNT_CHARS = 24
Count = StrictInt | StrictStr


def usd(micros: Micros | None) -> str:
    return UNLIMITED_WORD if micros is None else format_usd(micros)


def bounded_count(
    field: str, value: int | str, parse: Callable[[str, str], Limit | InvalidInput]
) -> Limit | InvalidInput:
    """A count as the CLI reads it (`parse`, which refuses what a 64-bit column cannot hold),
    first refusing text too long to be worth parsing."""
    text = str(value)
    if len(text) > MAX_COUNT_CHARS or not text.isascii():
        return InvalidInput(field, f"{text[:MAX_COUNT_CHARS]!r}: too long, or not plain digits")
    return parse(field, text)
