"""An application embedding the library is held to the same webhook rule as the HTTP API: a
destination that may not receive deliveries is a typed error before anything is reserved (no
operation, no ledger line, no usage), from the async API, the blocking one, and the quote."""

from __future__ import annotations

from decimal import Decimal

import pytest

from imagestudio.domain.errors import WebhookRefused
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.entrypoints.api import (
    GenerateRequest,
    ImageStudio,
    OperationRequest,
    Profile,
    UsageReport,
    WebhookSubscription,
)
from imagestudio.entrypoints.sync_api import SyncImageStudio

PRICED = {"profile": Profile.TEST, "offline_price_usd": Decimal("0.02")}
NEAR = ["https://127.0.0.1/hook", "https://localhost/hook"]


@pytest.fixture(autouse=True)
def _no_allowances(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("IMAGESTUDIO_WEBHOOK_ALLOW_PRIVATE", "IMAGESTUDIO_WEBHOOK_ALLOW_HTTP"):
        monkeypatch.delenv(name, raising=False)


def hooked(url: str) -> GenerateRequest:
    return GenerateRequest(user_id="local", prompt="a fox", webhook=WebhookSubscription(url=url))


def spent(report: UsageReport) -> list[tuple[str, int, int]]:
    return [(row.name, row.used, row.held) for row in report.rows]


async def footprint(studio: ImageStudio) -> tuple[object, ...]:
    operations = (await studio.list_operations.execute("local")).unwrap().items
    ledger = (await studio.list_ledger.execute("local")).unwrap().items
    return operations, ledger, spent((await studio.usage.execute("local")).unwrap())


async def test_a_loopback_webhook_is_refused_before_anything_is_reserved() -> None:
    studio = await ImageStudio.connect(**PRICED)
    before = await footprint(studio)

    errors = [(await studio.generate.execute(hooked(url))).failure() for url in NEAR]

    assert all(isinstance(error, WebhookRefused) for error in errors), errors
    reasons = [error.reason for error in errors if isinstance(error, WebhookRefused)]
    assert all("not a public address" in reason for reason in reasons), reasons
    assert "localhost resolves to" in reasons[1]
    assert await footprint(studio) == before == ((), (), before[2])
    await studio.aclose()


async def test_a_quote_with_a_refused_webhook_says_so() -> None:
    studio = await ImageStudio.connect(**PRICED)
    request = OperationRequest(
        user_id="local",
        kind=OperationKind.TEXT_TO_IMAGE,
        prompt="a fox",
        webhook=WebhookSubscription(url=NEAR[0]),
    )

    error = (await studio.quote.execute(request)).failure()

    assert isinstance(error, WebhookRefused) and "127.0.0.1" in error.reason
    await studio.aclose()


def test_the_blocking_api_refuses_it_too() -> None:
    with SyncImageStudio(**PRICED) as studio:
        error = studio.generate.execute(hooked("http://localhost/hook")).failure()
        operations = studio.list_operations.execute("local").unwrap().items

    assert error == WebhookRefused("must be https")
    assert operations == ()


def test_allowing_private_and_http_destinations_lets_it_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IMAGESTUDIO_WEBHOOK_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("IMAGESTUDIO_WEBHOOK_ALLOW_HTTP", "true")
    with SyncImageStudio(**PRICED) as studio:
        done = studio.generate.execute(hooked("http://127.0.0.1:9/hook")).unwrap().operation
        ledger = studio.list_ledger.execute("local").unwrap().items

    assert done.webhook == WebhookSubscription(url="http://127.0.0.1:9/hook")
    assert [line.operation_id for line in ledger] == [done.id]
    assert done.charged == 20_000
