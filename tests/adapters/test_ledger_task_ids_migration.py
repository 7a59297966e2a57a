"""Migration 0009 adds the provider's task ids (and the unconfirmed cost) to the ledger:
lines written before it stay, with no task ids; an unresolved line's whole cost was unconfirmed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import column, table
from sqlalchemy.ext.asyncio import AsyncEngine

from imagestudio.adapters.sql import schema
from imagestudio.adapters.sql.engine import create_engine
from imagestudio.adapters.sql.ledger import SqlLedger

T0 = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


def old_line(operation_id: str, outcome: str, charge: int, cost: int) -> dict[str, object]:
    """A line as revision 0008 stored it (no task ids, no unconfirmed cost)."""
    return {
        "operation_id": operation_id,
        "user_id": "ada",
        "model_id": "seedream",
        "provider": "wavespeed",
        "kind": "text-to-image",
        "outputs": 1 if charge else 0,
        "user_charge": charge,
        "provider_cost": cost,
        "outcome": outcome,
        "output_bytes": 0,
        "latency_ms": 5,
        "billing_period": "2026-03-01",
        "started_at": T0,
        "finished_at": T0,
        "idempotency_key": None,
        "reason": "",
    }


async def test_upgrading_from_0008_keeps_every_line_with_no_task_ids(engine: AsyncEngine) -> None:
    await schema.upgrade(engine, "0008")
    as_of_0008 = table("ledger", *(column(name) for name in old_line("x", "failed", 0, 0)))
    async with engine.begin() as connection:
        await connection.execute(
            as_of_0008.insert(),
            [
                old_line("op_paid", "succeeded", 27_000, 27_000),
                old_line("op_lost", "unknown_unresolved", 0, 27_000),
            ],
        )

    await schema.upgrade(engine)

    ledger = SqlLedger(engine)
    paid, lost = await ledger.for_operation("op_paid"), await ledger.for_operation("op_lost")
    assert paid is not None
    assert lost is not None
    assert (paid.user_charge, paid.provider_task_ids, paid.unconfirmed_cost) == (27_000, (), 0)
    assert (lost.provider_task_ids, lost.unconfirmed_cost) == ((), 27_000)
    assert await schema.current_revision(engine) == schema.head_revision()
