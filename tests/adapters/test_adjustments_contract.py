"""Every adjustments adapter — in memory, SQLite, PostgreSQL — moves the ledger and the spend
counter together, or neither."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from returns.result import Failure, Success
from support.sql_schema import engine_with_schema

from imagestudio.adapters.memory.adjustments import InMemoryAdjustments
from imagestudio.adapters.memory.ledger import InMemoryLedger
from imagestudio.adapters.memory.quota_store import InMemoryQuotaStore
from imagestudio.adapters.sql.adjustments import SqlAdjustments
from imagestudio.adapters.sql.ledger import SqlLedger
from imagestudio.adapters.sql.quota_store import SqlQuotaStore
from imagestudio.adapters.system.clock import FixedClock
from imagestudio.application.ports.adjustments import Adjustments
from imagestudio.application.ports.ledger import Ledger
from imagestudio.application.ports.quota_store import QuotaStore
from imagestudio.domain.errors import RefundTooLarge
from imagestudio.domain.plan import Plan
from imagestudio.domain.quota import SPEND, Counter, DimensionKey, Scope
from imagestudio.domain.usage_record import Outcome, UsageRecord

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
PERIOD = "2026-11-01"
SPEND_KEY = DimensionKey(Scope.USER, "ada", SPEND, PERIOD)


def an_adjustment(line_id: str, amount: int) -> UsageRecord:
    return UsageRecord(
        user_id="ada",
        operation_id=line_id,
        model_id="",
        provider="",
        kind=None,
        outputs=0,
        user_charge=amount,
        provider_cost=0,
        outcome=Outcome.ADJUSTMENT,
        output_bytes=0,
        latency_ms=0,
        billing_period=PERIOD,
        started_at=NOW,
        finished_at=NOW,
        reason="goodwill",
    )


@dataclass(frozen=True, slots=True)
class Books:
    adjustments: Adjustments
    ledger: Ledger
    quota: QuotaStore

    async def spend(self) -> Counter:
        return (await self.quota.counters("ada", NOW)).get(SPEND_KEY, Counter())


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def books(request: pytest.FixtureRequest) -> AsyncIterator[Books]:
    if request.param == "memory":
        quota = InMemoryQuotaStore([Plan(name="any")], users={"ada": "any"})
        ledger = InMemoryLedger()
        yield Books(InMemoryAdjustments(quota, ledger), ledger, quota)
        return
    url = str(
        request.getfixturevalue(f"{'sqlite' if request.param == 'sqlite' else 'postgres'}_url")
    )
    async with engine_with_schema(url) as engine:
        sql = SqlQuotaStore(engine, FixedClock(NOW))
        await sql.define_plan(Plan(name="any"))
        await sql.assign("ada", "any")
        yield Books(SqlAdjustments(engine), SqlLedger(engine), sql)


async def test_an_adjustment_moves_spend_and_appends_its_line(books: Books) -> None:
    assert await books.adjustments.apply(an_adjustment("adj_1", 7_000)) == Success(
        Counter(used=7_000)
    )

    assert await books.spend() == Counter(used=7_000)
    assert await books.ledger.for_operation("adj_1") == an_adjustment("adj_1", 7_000)


async def test_a_refund_within_spend_lowers_it(books: Books) -> None:
    await books.adjustments.apply(an_adjustment("adj_1", 7_000))

    await books.adjustments.apply(an_adjustment("adj_2", -7_000))

    assert await books.spend() == Counter(used=0)
    assert len(await books.ledger.for_user("ada")) == 2


async def test_a_refund_below_zero_writes_nothing(books: Books) -> None:
    await books.adjustments.apply(an_adjustment("adj_1", 7_000))

    refused = await books.adjustments.apply(an_adjustment("adj_2", -7_001))

    assert refused == Failure(
        RefundTooLarge(user_id="ada", period=PERIOD, used=7_000, refund=7_001)
    )
    assert await books.spend() == Counter(used=7_000)
    assert await books.ledger.for_operation("adj_2") is None


async def test_a_second_line_with_one_id_is_refused_and_spend_stays(books: Books) -> None:
    await books.adjustments.apply(an_adjustment("adj_1", 7_000))

    with pytest.raises(ValueError, match="already has a ledger line"):
        await books.adjustments.apply(an_adjustment("adj_1", 1_000))

    assert await books.spend() == Counter(used=7_000)
