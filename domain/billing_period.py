"""Billing periods derived from a timestamp and an anchor: nothing ever "resets"."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class BillingAnchor:
    """The day of the month a period starts on; day 1 is the calendar month."""

    day: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.day <= 31:
            raise ValueError(f"an anchor day is 1..31, not {self.day}")


CALENDAR_MONTH = BillingAnchor(1)


@dataclass(frozen=True, slots=True, order=True)
class BillingPeriod:
    """The half-open interval [start, end) in UTC; its key names it in storage."""

    start: datetime
    end: datetime

    @property
    def key(self) -> str:
        return self.start.strftime("%Y-%m-%d")

    def contains(self, moment: datetime) -> bool:
        if moment.tzinfo is None:
            raise ValueError("billing needs an aware timestamp")
        return self.start <= moment.astimezone(UTC) < self.end


def _start_in(year: int, month: int, anchor: BillingAnchor) -> datetime:
    last_day = calendar.monthrange(year, month)[1]
    return datetime(year, month, min(anchor.day, last_day), tzinfo=UTC)


def _shift(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def period_containing(moment: datetime, anchor: BillingAnchor = CALENDAR_MONTH) -> BillingPeriod:
    """The billing period that `moment` falls in, for a plan anchored on `anchor.day`.

    An anchor past a month's last day is clamped to it (the 31st starts February's period on
    the 28th or 29th).
    """
    if moment.tzinfo is None:
        raise ValueError("billing needs an aware timestamp")
    utc = moment.astimezone(UTC)
    start = _start_in(utc.year, utc.month, anchor)
    if utc < start:
        start = _start_in(*_shift(utc.year, utc.month, -1), anchor)
    end = _start_in(*_shift(start.year, start.month, 1), anchor)
    return BillingPeriod(start, end)
