"""Spend per day over a billing period: what the ledger's lines charged, day by day (UTC)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from imagestudio.domain.billing_period import BillingPeriod
from imagestudio.domain.money import Micros


@dataclass(frozen=True, slots=True, kw_only=True)
class DayCharge:
    """The user's charge over the lines that started on `day` (UTC); refunds count negative."""

    day: date
    charge: Micros
    lines: int


def period_days(period: BillingPeriod) -> tuple[date, ...]:
    """Every UTC day of the period, first to last."""
    first, end = period.start.date(), period.end.date()
    return tuple(first + timedelta(days=n) for n in range((end - first).days))


def every_day(period: BillingPeriod, charged: tuple[DayCharge, ...]) -> tuple[DayCharge, ...]:
    """One entry per day of `period`, a day without lines at 0. A line dated outside the period
    (none should be) counts on its nearest day, so the days still sum to the period's total."""
    days = period_days(period)
    totals = {day: [0, 0] for day in days}
    for each in charged:
        day = min(max(each.day, days[0]), days[-1])
        totals[day][0] += each.charge
        totals[day][1] += each.lines
    return tuple(DayCharge(day=day, charge=totals[day][0], lines=totals[day][1]) for day in days)
