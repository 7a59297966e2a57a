"""The billing period a user means: the one containing now, or a day they name, on their plan's
anchor. One rule for every reading of a user's ledger by period."""

from __future__ import annotations

from datetime import UTC, date, datetime

from returns.result import Failure, Result, Success

from imagestudio.application.ports.quota_store import QuotaStore
from imagestudio.domain.billing_period import BillingPeriod, period_containing
from imagestudio.domain.errors import InvalidInput, UnknownUser
from imagestudio.domain.plan import Plan


async def user_period(
    quota: QuotaStore, user_id: str, day: date | None, now: datetime
) -> Result[tuple[Plan, BillingPeriod], UnknownUser | InvalidInput]:
    """The user's plan and the period containing `day` (its midnight UTC), or now when None."""
    found = await quota.plan_of(user_id)
    if isinstance(found, Failure):
        return Failure(found.failure())
    plan = found.unwrap()
    moment = now if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)
    try:
        return Success((plan, period_containing(moment, plan.anchor)))
    except (ValueError, OverflowError):  # a period at the calendar's very edge
        return Failure(InvalidInput("period", f"{day} has no billing period in the calendar"))
