"""Stability's balance, read one way for the account check and the audit: what each makes of a
reply it cannot use (a balance that is no number, a refusal, no answer)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
from stability_test_support import settings_for

from imagestudio.adapters.stability.balance_book import StabilityBalanceBook
from imagestudio.adapters.stability.provider import StabilityProvider
from imagestudio.application.ports.provider_book import Balance, BookUnreadable

BASE = "http://stability.test"
NOW = datetime(2026, 12, 7, tzinfo=UTC)
Reply = Callable[[httpx.Request], httpx.Response]


def json_reply(status: int, text: str) -> Reply:
    return lambda _request: httpx.Response(
        status, text=text, headers={"content-type": "application/json"}
    )


def unreachable(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def client(reply: Reply) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=BASE, transport=httpx.MockTransport(reply))


@pytest.mark.parametrize(
    ("reply", "works", "said"),
    [
        (json_reply(200, '{"credits": 843.2}'), True, "843.2 credits"),
        (json_reply(200, '{"credits": Infinity}'), True, "could not be read"),
        (json_reply(200, '{"credits": "lots"}'), True, "could not be read"),
        (json_reply(200, "[]"), True, "could not be read"),
        (json_reply(401, '{"name": "unauthorized", "errors": ["bad key"]}'), False, "bad key"),
        (unreachable, False, "unreachable: ConnectError"),
    ],
)
async def test_the_account_check_says_what_it_read(reply: Reply, works: bool, said: str) -> None:
    settings = settings_for(BASE, request_timeout=1.0)
    async with client(reply) as http:
        status = await StabilityProvider(settings, http).check_account()

    assert status.key_works is works
    assert said in f"{status.balance} {status.detail}"


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (json_reply(200, '{"credits": Infinity}'), "could not be read"),
        (json_reply(401, '{"name": "unauthorized", "errors": ["bad key"]}'), "bad key"),
        (unreachable, "Stability is unreachable: ConnectError"),
    ],
)
async def test_the_audit_reads_no_balance_from_a_reply_it_cannot_use(
    reply: Reply, reason: str
) -> None:
    async with client(reply) as http:
        book = StabilityBalanceBook(settings_for(BASE), http, micros_per_credit=10_000)
        reading = await book.read(NOW, NOW)

    assert isinstance(reading, BookUnreadable) and reason in reading.reason


async def test_the_audit_turns_credits_into_micro_dollars() -> None:
    async with client(json_reply(200, '{"credits": 843.2}')) as http:
        book = StabilityBalanceBook(settings_for(BASE), http, micros_per_credit=10_000)
        assert await book.read(NOW, NOW) == Balance(amount=8_432_000)
