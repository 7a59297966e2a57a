"""Limits as an operator writes them: `100`, `25.00`, `60/min`, `image-generation=100`, or
`unlimited`, said explicitly (0 is a real zero); and the days or times of an export's span."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.errors.echo import echoed
from imagestudio.domain.limit import UNLIMITED, Limit
from imagestudio.domain.money import MAX_MICROS, Micros, usd_to_micros
from imagestudio.domain.operation_kind import QuotaCategory

UNLIMITED_WORD = "unlimited"
PER_MINUTE = "/min"
TOO_LARGE = "is larger than any amount this service can hold"
"""Past a 64-bit column (`MAX_MICROS`): money, counts and bytes alike, refused as input rather
than failing where they are stored."""
_PLAIN_DOLLARS = re.compile(r"-?\$?([0-9]{1,30}(\.[0-9]{0,30})?|\.[0-9]{1,30})")
"""ASCII digits and a point only: an exponent ("1e20000000") would make exact parsing compute a
number of millions of digits while the server waits, and `\\d` would take "９" for a nine."""
_COUNT_DIGITS = 19  # the digits of MAX_MICROS: a longer number is refused before it is parsed
_MICRO_DIGITS = 6  # the decimal places of a micro-dollar


def dollars(field: str, text: str) -> Micros | InvalidInput:
    """Micro-dollars from a decimal string such as "25.00", "$25" or "-1.50"."""
    found = _PLAIN_DOLLARS.fullmatch(text.strip())
    if not found:
        return InvalidInput(field, f"{echoed(text)}: write dollars as a decimal such as 25.00")
    if len((found.group(1).partition(".")[2]).rstrip("0")) > _MICRO_DIGITS:
        # Rounded, "0.0000001" was a budget or cap of $0: one that refuses every call.
        return InvalidInput(field, f"{echoed(text)} is finer than a micro-dollar ($0.000001)")
    micros = usd_to_micros(text)
    if abs(micros) > MAX_MICROS:
        return InvalidInput(field, TOO_LARGE)
    return micros


def count_limit(field: str, text: str) -> Limit | InvalidInput:
    """A whole number of at least 0, or `unlimited`."""
    value = text.strip().lower()
    if value == UNLIMITED_WORD:
        return UNLIMITED
    if not (value.isascii() and value.isdigit()):  # "²".isdigit() is True, int("²") is not
        return InvalidInput(field, f"{echoed(text)}: write a whole number or {UNLIMITED_WORD}")
    return _held(field, value)


def _held(field: str, digits: str, unit: int = 1) -> Limit | InvalidInput:
    if len(digits.lstrip("0")) > _COUNT_DIGITS or int(digits) * unit > MAX_MICROS:
        return InvalidInput(field, TOO_LARGE)
    return Limit.of(int(digits) * unit)


def money_limit(field: str, text: str) -> Limit | InvalidInput:
    """Dollars (`25.00`, `$25`), or `unlimited`."""
    value = text.strip().lower()
    if value == UNLIMITED_WORD:
        return UNLIMITED
    micros = dollars(field, value)
    if isinstance(micros, InvalidInput):
        return InvalidInput(field, f"{micros.reason}, or {UNLIMITED_WORD}")
    if micros < 0:
        return InvalidInput(field, f"{echoed(text)}: a limit cannot be negative")
    return Limit.of(micros)


def rate_limit(field: str, text: str) -> Limit | InvalidInput:
    """Requests per minute: `60/min` (or `60`), or `unlimited`."""
    value = text.strip().lower()
    if value == UNLIMITED_WORD:
        return UNLIMITED
    found = count_limit(field, value.removesuffix(PER_MINUTE))
    if isinstance(found, InvalidInput):
        return InvalidInput(
            field, f"{echoed(text)}: write requests per minute as 60/min, or unlimited"
        )
    return found


_BYTE_UNITS = {"": 1, "b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3, "tb": 1024**4}


def byte_limit(field: str, text: str) -> Limit | InvalidInput:
    """Bytes stored: `500MB`, `2GB`, `1048576` (binary units: 1 KB = 1024 bytes), or
    `unlimited`."""
    value = text.strip().lower().replace(" ", "")
    if value == UNLIMITED_WORD:
        return UNLIMITED
    number = value.rstrip("kmgtb")
    unit = value[len(number) :]
    if unit not in _BYTE_UNITS or not (number.isascii() and number.isdigit()):
        return InvalidInput(
            field, f"{echoed(text)}: write a size such as 500MB or 2GB, or unlimited"
        )
    return _held(field, number, _BYTE_UNITS[unit])


def retention_days(field: str, text: str) -> int | InvalidInput | None:
    """Days assets are kept (`30`, `30d`), or `unlimited` (None: kept until deleted)."""
    value = text.strip().lower()
    if value == UNLIMITED_WORD:
        return None
    digits = value.removesuffix("d")
    if not (digits.isascii() and digits.isdigit()) or int(digits) < 1:
        return InvalidInput(
            field, f"{echoed(text)}: write a number of days (at least 1), or unlimited"
        )
    return int(digits)


def category_limit(text: str) -> tuple[QuotaCategory, Limit] | InvalidInput:
    """`<category>=<calls>`, such as `image-generation=100` or `video=unlimited`."""
    name, equals, value = text.partition("=")
    try:
        category = QuotaCategory(name.strip())
    except ValueError:
        categories = ", ".join(category.value for category in QuotaCategory)
        return InvalidInput("limit", f"{echoed(text)}: the category is one of {categories}")
    if not equals:
        return InvalidInput(
            "limit", f"{echoed(text)}: write {category.value}=<calls> or =unlimited"
        )
    limit = count_limit(f"limit of {category.value}", value)
    if isinstance(limit, InvalidInput):
        return limit
    return category, limit


def export_moment(field: str, text: str, *, day_end: bool = False) -> datetime | InvalidInput:
    """A day means its start (for `until`, the next day's start: the day is included); a time
    without a zone is UTC; the moment comes back in UTC. The `usage export` commands (CLI and
    HTTP), the audit and the asset listings read their times this way."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        if not day_end:
            return start
        try:
            return start + timedelta(days=1)
        except OverflowError:
            return InvalidInput(field, f"{echoed(text)} is the last day there is")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return InvalidInput(field, f"{echoed(text)}: write a day (2026-03-01) or an ISO 8601 time")
    try:
        # In UTC: a zone at the edge of the calendar must not overflow later, in a database.
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError:
        return InvalidInput(field, f"{echoed(text)} is outside the calendar")


def period_day(text: str | None) -> tuple[date | None, bool] | InvalidInput:
    """What a `period` names: `current` (True), a day such as 2026-11-15 (the billing period
    containing it), or nothing (None, False). `usage daily` and the HTTP usage routes read it."""
    if text is None or text == "current":
        return None, text == "current"
    try:
        if len(text) == 10:  # fromisoformat alone would also read 20261115
            return date.fromisoformat(text), False
    except ValueError:
        pass
    return InvalidInput(
        "period", f"{echoed(text)} is neither `current` nor a day such as 2026-11-15"
    )
