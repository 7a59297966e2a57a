"""The audit against the provider's book, end to end: operations run through the real WaveSpeed
and Stability adapters against a live sandbox on loopback (one unknown and reconciled, one
never confirmed and given up), then the audit finds no difference; tampering with either book
is named. The balance-only adapters read the sandbox's balances the way they read the real
services'."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from sandbox_studio import USER, sandbox_studio
from sqlalchemy import delete

from imagestudio.adapters.sandbox.billing import BilledTask
from imagestudio.adapters.sandbox.config import SANDBOX_KEY, SandboxConfig
from imagestudio.adapters.sandbox.faults import Fault, Route
from imagestudio.adapters.sandbox.runner import RunningSandbox
from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.stability.balance_book import StabilityBalanceBook
from imagestudio.adapters.stability.settings import StabilitySettings
from imagestudio.adapters.wavespeed.balance_book import WaveSpeedBalanceBook
from imagestudio.adapters.wavespeed.settings import WaveSpeedSettings
from imagestudio.application.audit.report import AuditMethod, AuditReport, DifferenceKind
from imagestudio.application.ports.provider_book import ProviderBook
from imagestudio.application.use_cases.audit_provider import AuditProvider, AuditRequest
from imagestudio.application.use_cases.generate import GenerateRequest
from imagestudio.domain.errors import OutcomeUnknown
from imagestudio.entrypoints.api import ImageStudio

CREDIT = 10_000
FLUX_DEV = 12_000


def flux(**changes: object) -> GenerateRequest:
    fields: dict[str, object] = {
        "user_id": USER,
        "prompt": "a red kite over dunes",
        "model_id": "wavespeed/flux-dev",
        "width": 512,
        "height": 512,
    }
    return GenerateRequest(**{**fields, **changes})  # type: ignore[arg-type]


def core(**changes: object) -> GenerateRequest:
    fields: dict[str, object] = {
        "user_id": USER,
        "prompt": "a lighthouse at dusk",
        "model_id": "stability/generate-core",
    }
    return GenerateRequest(**{**fields, **changes})  # type: ignore[arg-type]


@dataclass(slots=True)
class Books:
    studio: ImageStudio
    sandbox: RunningSandbox
    since: datetime
    unknown_task: str
    """The WaveSpeed task left unknown, then reconciled."""

    async def audit(self) -> AuditReport:
        return (await self.studio.audit_provider.execute(AuditRequest(since=self.since))).unwrap()


@pytest.fixture
async def books(tmp_path: Path) -> AsyncIterator[Books]:
    since = datetime.now(UTC) - timedelta(seconds=1)
    async with sandbox_studio(
        tmp_path,
        SandboxConfig(latency_seconds=0.05),
        provider_deadline_seconds=1.0,
        lease_seconds=0.3,
        reconcile_after_seconds=0.5,
    ) as (studio, sandbox):
        # Settled live: a WaveSpeed task (its id named) and a Stability synchronous reply
        # (no task id: the book's request id never reaches us).
        (await studio.generate.execute(flux(variations=2))).unwrap()
        (await studio.generate.execute(core())).unwrap()
        # A WaveSpeed task whose result polls fail past the deadline: unknown, its id kept.
        sandbox.state.faults.add(Route.WAVESPEED_POLL, Fault.HTTP_500, times=1000)
        late = (await studio.generate.execute(flux())).failure()
        assert isinstance(late, OutcomeUnknown) and late.provider_task_id
        sandbox.state.faults.clear()
        # A Stability reply dropped after the work was billed: never confirmed, given up.
        sandbox.state.faults.add(Route.STABILITY_SUBMIT, Fault.DROP)
        dropped = (await studio.generate.execute(core())).failure()
        assert isinstance(dropped, OutcomeUnknown) and dropped.provider_task_id is None
        await asyncio.sleep(0.6)  # past the leases and the reconcile delay
        report = await studio.reconcile.execute()
        assert report.succeeded == (late.operation_id,)
        assert report.unresolved == (dropped.operation_id,)
        yield Books(studio, sandbox, since, late.provider_task_id)


async def test_after_live_runs_and_recovery_the_audit_finds_no_difference(books: Books) -> None:
    report = await books.audit()

    assert report.differences == ()
    by_name = {audit.provider: audit for audit in report.providers}
    assert set(by_name) == {"wavespeed", "stability"}
    wavespeed, stability = by_name["wavespeed"], by_name["stability"]
    assert (wavespeed.method, stability.method) == (AuditMethod.TASKS, AuditMethod.TASKS)
    assert (wavespeed.matched_by_id, wavespeed.matched_by_window) == (2, 0)
    assert (wavespeed.billed_cost, wavespeed.recorded_cost) == (3 * FLUX_DEV, 3 * FLUX_DEV)
    # Both Stability calls (one delivered, one never confirmed) match by model, price and time.
    assert (stability.matched_by_id, stability.matched_by_window) == (0, 2)
    assert stability.billed_cost == stability.recorded_cost == 6 * CREDIT
    assert stability.unbilled == ()


async def test_a_ledger_line_deleted_from_the_database_is_named(books: Books) -> None:
    engine = books.studio.container.engine()
    async with engine.begin() as connection:
        await connection.execute(
            delete(t.ledger).where(t.ledger.c.provider_task_ids.contains(books.unknown_task))
        )

    [difference] = (await books.audit()).differences

    assert difference.kind is DifferenceKind.BILLED_NOT_RECORDED
    assert difference.task_ids == (books.unknown_task,)
    assert difference.billed == FLUX_DEV


async def test_a_task_the_provider_billed_that_we_never_sent_is_named(books: Books) -> None:
    books.sandbox.state.book.charge(
        BilledTask("wavespeed", "f" * 32, "wavespeed-ai/flux-dev", Decimal("0.012"))
    )

    [difference] = (await books.audit()).differences

    assert difference.kind is DifferenceKind.BILLED_NOT_RECORDED
    assert difference.task_ids == ("f" * 32,)
    assert "dispute" in difference.action


async def test_the_sandbox_book_says_when_it_billed_each_task(books: Books) -> None:
    async with httpx.AsyncClient() as client:
        answer = await client.get(f"{books.sandbox.base_url}/_sandbox/billed")
    billed = answer.json()
    assert len(billed) == 4  # flux's two variations are one call
    assert all(datetime.fromisoformat(task["billed_at"]) >= books.since for task in billed)


# The balance-only providers: the same adapters read the real services' balance routes.


def balance_books(base_url: str, client: httpx.AsyncClient) -> dict[str, ProviderBook]:
    return {
        "wavespeed": WaveSpeedBalanceBook(
            WaveSpeedSettings(api_key=SANDBOX_KEY, base_url=base_url), client
        ),
        "stability": StabilityBalanceBook(
            StabilitySettings(api_key=SANDBOX_KEY, base_url=base_url), client, CREDIT
        ),
    }


async def test_balance_only_providers_compare_totals_and_say_so(tmp_path: Path) -> None:
    since = datetime.now(UTC) - timedelta(seconds=1)
    async with (
        sandbox_studio(tmp_path) as (studio, sandbox),
        httpx.AsyncClient(headers={"Authorization": f"Bearer {SANDBOX_KEY}"}) as client,
    ):
        books = balance_books(sandbox.base_url, client)
        opening = {name: (await book.read(since, since)) for name, book in books.items()}
        (await studio.generate.execute(flux())).unwrap()
        (await studio.generate.execute(core())).unwrap()
        audit = AuditProvider(
            studio.container.ledger(),
            studio.container.operations(),
            studio.container.catalog(),
            books,
            studio.container.clock(),
        )
        balances = {name: reading.amount for name, reading in opening.items()}  # type: ignore[union-attr]

        report = (
            await audit.execute(AuditRequest(since=since, opening_balances=balances))
        ).unwrap()

        assert report.differences == ()
        for provider in report.providers:
            assert provider.method is AuditMethod.BALANCE
            assert "only totals could be compared" in provider.method_note
        # The provider billed a task we never recorded: the totals no longer agree.
        sandbox.state.book.charge(
            BilledTask("stability", "x" * 64, "stable-image/generate/core", Decimal(3))
        )
        later = (await audit.execute(AuditRequest(since=since, opening_balances=balances))).unwrap()
        [difference] = later.differences
        assert difference.kind is DifferenceKind.BALANCE_MISMATCH
        assert (difference.recorded, difference.billed) == (3 * CREDIT, 6 * CREDIT)
