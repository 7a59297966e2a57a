"""Every ledger — in memory, SQLite, PostgreSQL — pages a user's lines newest first and sums
their charge per UTC day in the store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from support.sql_schema import engine_with_schema

from imagestudio.adapters.memory.ledger import InMemoryLedger
from imagestudio.adapters.sql.ledger import SqlLedger
from imagestudio.application.ports.ledger import Ledger
from imagestudio.domain.daily_spend import DayCharge
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.usage_record import Outcome, UsageRecord

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def a_line(
    line_id: str,
    at: timedelta,
    *,
    user_id: str = "ada",
    charge: int = 3_000,
    period: str = "2026-03-01",
) -> UsageRecord:
    return UsageRecord(
        user_id=user_id,
        operation_id=line_id,
        model_id="flux",
        provider="fal",
        kind=OperationKind.TEXT_TO_IMAGE,
        outputs=1,
        user_charge=charge,
        provider_cost=charge,
        outcome=Outcome.SUCCEEDED,
        output_bytes=10,
        latency_ms=5,
        billing_period=period,
        started_at=T0 + at,
        finished_at=T0 + at + timedelta(seconds=2),
        provider_task_ids=("task-1", "task,2"),
        unconfirmed_cost=7,
    )


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def ledger(request: pytest.FixtureRequest) -> AsyncIterator[Ledger]:
    if request.param == "memory":
        yield InMemoryLedger()
        return
    url = str(
        request.getfixturevalue(f"{'sqlite' if request.param == 'sqlite' else 'postgres'}_url")
    )
    async with engine_with_schema(url) as engine:
        yield SqlLedger(engine)


def ids(lines: tuple[UsageRecord, ...]) -> list[str]:
    return [line.operation_id for line in lines]


async def test_pages_walk_a_users_lines_newest_first_without_repeats_or_gaps(
    ledger: Ledger,
) -> None:
    for n in range(5):
        await ledger.append(a_line(f"op_{n}", timedelta(hours=n)))
    # Two lines finishing at the same moment are ordered by id.
    await ledger.append(replace(a_line("op_3b", timedelta(hours=3))))
    await ledger.append(a_line("bob_1", timedelta(hours=9), user_id="bob"))

    first = await ledger.page("ada", limit=2)
    last = first[-1]
    second = await ledger.page("ada", after=(last.finished_at, last.operation_id), limit=2)
    last = second[-1]
    third = await ledger.page("ada", after=(last.finished_at, last.operation_id), limit=5)

    assert ids(first) + ids(second) + ids(third) == [
        "op_4",
        "op_3b",
        "op_3",
        "op_2",
        "op_1",
        "op_0",
    ]
    assert third[0] == a_line("op_1", timedelta(hours=1))  # every field comes back


async def test_a_page_can_keep_to_one_billing_period(ledger: Ledger) -> None:
    await ledger.append(a_line("march", timedelta(days=1)))
    await ledger.append(a_line("april", timedelta(days=40), period="2026-04-01"))

    assert ids(await ledger.page("ada", period="2026-04-01", limit=10)) == ["april"]
    assert ids(await ledger.page("ada", period="2026-05-01", limit=10)) == []


async def test_daily_charges_sum_each_utc_day_of_one_users_period(ledger: Ledger) -> None:
    await ledger.append(a_line("a", timedelta(hours=1), charge=1_000))
    await ledger.append(a_line("b", timedelta(hours=23, minutes=59), charge=2_000))
    await ledger.append(a_line("c", timedelta(days=1, hours=1), charge=500))
    await ledger.append(a_line("refund", timedelta(days=1, hours=2), charge=-200))
    await ledger.append(a_line("bob", timedelta(hours=1), user_id="bob", charge=9_999))
    await ledger.append(a_line("april", timedelta(days=40), period="2026-04-01"))

    days = await ledger.daily_charges("ada", "2026-03-01")

    assert days == (
        DayCharge(day=date(2026, 3, 1), charge=3_000, lines=2),
        DayCharge(day=date(2026, 3, 2), charge=300, lines=2),
    )
    assert await ledger.daily_charges("ada", "2026-05-01") == ()
