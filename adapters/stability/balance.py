"""Stability's credit balance (`GET /v1/user/balance`), read for the account check and for the
audit alike: the credits, or why they could not be had."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum

import httpx

from imagestudio.adapters.providers.deadline import Deadline, DeadlinePassed
from imagestudio.adapters.providers.read_retries import get_with_retries
from imagestudio.adapters.stability.errors import error_detail
from imagestudio.adapters.stability.replies import JSON_ACCEPT

BALANCE_PATH = "v1/user/balance"


class Trouble(Enum):
    UNREACHABLE = "unreachable"
    """Nothing came back: no connection, or no answer in time."""
    REFUSED = "refused"
    """Stability answered with an error (a refused key, say)."""
    UNREADABLE = "unreadable"
    """Stability answered 200 with no finite `credits` in it."""


@dataclass(frozen=True, slots=True)
class BalanceUnread:
    trouble: Trouble
    detail: str
    """Stability's own words for a refusal; the error's name and text when unreachable."""


async def read_credits(
    client: httpx.AsyncClient,
    base_url: str,
    deadline: Deadline,
    *,
    read_timeout: float | None = None,
    before_attempt: Callable[[], Awaitable[None]] | None = None,
) -> Decimal | BalanceUnread:
    """The account's credits now (retried as every read is), or why they could not be read."""
    try:
        response = await get_with_retries(
            client,
            f"{base_url.rstrip('/')}/{BALANCE_PATH}",
            deadline=deadline,
            headers={"accept": JSON_ACCEPT},
            read_timeout=read_timeout,
            before_attempt=before_attempt,
        )
    except (DeadlinePassed, httpx.TransportError) as error:
        return BalanceUnread(Trouble.UNREACHABLE, described(error))
    if response.status_code != httpx.codes.OK:
        return BalanceUnread(Trouble.REFUSED, error_detail(response))
    try:
        credits = Decimal(str(response.json(parse_float=Decimal)["credits"]))
    except (ValueError, KeyError, TypeError, InvalidOperation):
        credits = Decimal("NaN")
    if not credits.is_finite():
        return BalanceUnread(Trouble.UNREADABLE, "the balance reply could not be read")
    return credits


def described(error: Exception) -> str:
    """`ConnectError: [Errno 111] …`: the error's name, and its text when it has one."""
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def shown(credits: Decimal) -> str:
    """`843.2 credits`: two decimals at most, no trailing zeros."""
    text = f"{credits.quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return f"{text} credits"
