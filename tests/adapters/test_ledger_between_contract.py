"""Every ledger — in memory, SQLite, PostgreSQL — reads its lines by when they finished."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from support.sql_schema import engine_with_schema

from imagestudio.adapters.memory.ledger import InMemoryLedger
from imagestudio.adapters.sql.ledger import SqlLedger
from imagestudio.application.ports.ledger import Ledger
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.usage_record import Outcome, UsageRecord

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def a_line(line_id: str, finished: timedelta, user_id: str = "ada") -> UsageRecord:
    return UsageRecord(
        user_id=user_id,
        operation_id=line_id,
        model_id="flux",
        provider="fal",
        kind=OperationKind.TEXT_TO_IMAGE,
        outputs=1,
        user_charge=3_000,
        provider_cost=3_000,
        outcome=Outcome.SUCCEEDED,
        output_bytes=10,
        latency_ms=5,
        billing_period="2026-03-01",
        started_at=T0 + finished - timedelta(seconds=1),
        finished_at=T0 + finished,
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


async def test_lines_are_read_from_since_up_to_but_not_including_until(ledger: Ledger) -> None:
    for name, hours in (("before", -1), ("at_since", 0), ("inside", 5), ("at_until", 10)):
        await ledger.append(a_line(name, timedelta(hours=hours)))

    found = await ledger.between(T0, T0 + timedelta(hours=10))

    assert ids(found) == ["at_since", "inside"]


async def test_without_until_every_later_line_is_read(ledger: Ledger) -> None:
    await ledger.append(a_line("old", timedelta(days=-1)))
    await ledger.append(a_line("new", timedelta(days=400)))

    assert ids(await ledger.between(T0)) == ["new"]


async def test_lines_come_in_the_order_they_finished(ledger: Ledger) -> None:
    await ledger.append(a_line("second", timedelta(hours=2)))
    await ledger.append(a_line("first", timedelta(hours=1)))

    assert ids(await ledger.between(T0)) == ["first", "second"]


async def test_one_users_lines_can_be_read_alone(ledger: Ledger) -> None:
    await ledger.append(a_line("ada_1", timedelta(hours=1)))
    await ledger.append(a_line("bob_1", timedelta(hours=2), user_id="bob"))

    assert ids(await ledger.between(T0, user_id="bob")) == ["bob_1"]


async def test_lines_read_by_time_are_the_lines_written(ledger: Ledger) -> None:
    await ledger.append(a_line("op_1", timedelta(hours=1)))

    assert await ledger.between(T0) == (a_line("op_1", timedelta(hours=1)),)
