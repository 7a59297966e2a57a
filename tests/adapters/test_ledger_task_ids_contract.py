"""Every ledger — in memory, SQLite, PostgreSQL — keeps a line's provider task ids and its
unconfirmed cost, whichever way the line is read back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from support.sql_schema import engine_with_schema

from imagestudio.adapters.memory.ledger import InMemoryLedger
from imagestudio.adapters.sql.ledger import SqlLedger
from imagestudio.application.ports.ledger import Ledger
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.usage_record import Outcome, UsageRecord

T0 = datetime(2026, 3, 1, tzinfo=UTC)
LINE = UsageRecord(
    user_id="ada",
    operation_id="op_1",
    model_id="seedream",
    provider="wavespeed",
    kind=OperationKind.TEXT_TO_IMAGE,
    outputs=2,
    user_charge=54_000,
    provider_cost=81_000,
    outcome=Outcome.SUCCEEDED,
    output_bytes=10,
    latency_ms=5,
    billing_period="2026-03-01",
    started_at=T0,
    finished_at=T0 + timedelta(seconds=3),
    provider_task_ids=("e6832d4a", "f0a1"),
    unconfirmed_cost=27_000,
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


async def test_task_ids_and_unconfirmed_cost_come_back_in_order_by_every_read(
    ledger: Ledger,
) -> None:
    await ledger.append(LINE)

    assert await ledger.for_operation("op_1") == LINE
    assert await ledger.for_user("ada") == (LINE,)
    assert await ledger.between(T0) == (LINE,)


async def test_a_line_whose_calls_named_no_task_reads_back_with_none(ledger: Ledger) -> None:
    unresolved = replace(
        LINE,
        outcome=Outcome.UNKNOWN_UNRESOLVED,
        user_charge=0,
        provider_task_ids=(),
        unconfirmed_cost=LINE.provider_cost,
    )
    await ledger.append(unresolved)

    found = await ledger.for_operation("op_1")
    assert found is not None
    assert found.provider_task_ids == ()
    assert found.unconfirmed_cost == LINE.provider_cost


async def test_task_ids_holding_any_character_survive(ledger: Ledger) -> None:
    odd = replace(LINE, provider_task_ids=("a b", 'q"u,o[te]', "ünï"))
    await ledger.append(odd)

    assert await ledger.for_operation("op_1") == odd
