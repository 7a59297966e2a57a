"""A user's ledger read by page and per day, over the billing period their plan's anchor says."""

from __future__ import annotations

from datetime import UTC, date, datetime

from returns.result import Failure

from imagestudio.adapters.memory.ledger import InMemoryLedger
from imagestudio.adapters.memory.quota_store import InMemoryQuotaStore
from imagestudio.adapters.system.clock import FixedClock
from imagestudio.application.use_cases.daily_spend import ReadDailySpend
from imagestudio.application.use_cases.list_ledger import ListLedger
from imagestudio.domain.billing_period import BillingAnchor
from imagestudio.domain.errors import InvalidInput, UnknownUser
from imagestudio.domain.limit import Limit
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.plan import Plan
from imagestudio.domain.usage_record import Outcome, UsageRecord

NOW = datetime(2026, 12, 20, 12, tzinfo=UTC)


def a_line(line_id: str, started: datetime, period: str, charge: int) -> UsageRecord:
    return UsageRecord(
        user_id="ada",
        operation_id=line_id,
        model_id="flux",
        provider="fal",
        kind=OperationKind.TEXT_TO_IMAGE,
        outputs=1,
        user_charge=charge,
        provider_cost=charge,
        outcome=Outcome.SUCCEEDED,
        output_bytes=1,
        latency_ms=1,
        billing_period=period,
        started_at=started,
        finished_at=started,
    )


async def world() -> tuple[InMemoryLedger, ListLedger, ReadDailySpend]:
    plan = Plan(name="mid", anchor=BillingAnchor(15), spend_cap=Limit.of(5_000_000))
    quota = InMemoryQuotaStore([plan], users={"ada": "mid"})
    ledger = InMemoryLedger()
    clock = FixedClock(NOW)
    return ledger, ListLedger(ledger, quota, clock), ReadDailySpend(ledger, quota, clock)


async def test_daily_spend_covers_every_day_of_the_anchored_period_the_day_falls_in() -> None:
    ledger, _, daily = await world()
    await ledger.append(a_line("a", datetime(2026, 12, 16, 9, tzinfo=UTC), "2026-12-15", 2_000))
    await ledger.append(a_line("b", datetime(2026, 12, 14, 9, tzinfo=UTC), "2026-11-15", 9_000))

    now = (await daily.execute("ada")).unwrap()
    before = (await daily.execute("ada", date(2026, 11, 20))).unwrap()

    assert (now.period.start.date(), now.period.end.date()) == (
        date(2026, 12, 15),
        date(2027, 1, 15),
    )
    assert len(now.days) == 31 and now.days[0].day == date(2026, 12, 15)
    assert [(d.day, d.charge) for d in now.days if d.lines] == [(date(2026, 12, 16), 2_000)]
    assert (now.total, now.spend_cap, now.plan) == (2_000, 5_000_000, "mid")
    assert before.total == 9_000 and before.days[-1].day == date(2026, 12, 14)


async def test_an_unknown_user_has_no_daily_spend() -> None:
    _, _, daily = await world()

    assert await daily.execute("nobody") == Failure(UnknownUser("nobody"))


async def test_an_unknown_user_has_no_ledger_whatever_period_is_asked() -> None:
    _, lines, _ = await world()

    for period in ({}, {"period": date(2026, 12, 1)}, {"current_period": True}):
        assert await lines.execute("nobody", **period) == Failure(UnknownUser("nobody")), period  # type: ignore[arg-type]
    assert (await lines.execute("ada")).unwrap().items == ()


async def test_a_ledger_page_size_outside_1_to_200_is_refused() -> None:
    _, lines, _ = await world()

    for limit in (0, 201):
        refused = await lines.execute("ada", limit=limit)
        assert isinstance(refused, Failure) and isinstance(refused.failure(), InvalidInput)


async def test_the_current_period_keeps_the_listing_to_this_periods_lines() -> None:
    ledger, lines, _ = await world()
    await ledger.append(a_line("old", datetime(2026, 12, 1, tzinfo=UTC), "2026-11-15", 1))
    await ledger.append(a_line("new", datetime(2026, 12, 16, tzinfo=UTC), "2026-12-15", 1))

    page = (await lines.execute("ada", current_period=True)).unwrap()
    every = (await lines.execute("ada")).unwrap()

    assert [line.operation_id for line in page.items] == ["new"]
    assert [line.operation_id for line in every.items] == ["new", "old"]
    assert page.period is not None and every.period is None
