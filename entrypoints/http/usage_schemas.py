"""The JSON shapes of the caller's usage against the plan, ledger and daily spend."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from imagestudio.application.use_cases.daily_spend import DailySpend
from imagestudio.application.use_cases.list_ledger import LedgerPage
from imagestudio.application.use_cases.usage import UsageReport
from imagestudio.domain.money import format_usd
from imagestudio.entrypoints.http.ledger_line_schema import LedgerLineOut


class LedgerPageOut(BaseModel):
    items: list[LedgerLineOut] = Field(description="Your lines, newest first by `finished_at`.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: last.")
    period_start: datetime | None = Field(description="The period listed (null: every period).")
    period_end: datetime | None

    @classmethod
    def of(cls, page: LedgerPage) -> LedgerPageOut:
        return cls(
            items=[LedgerLineOut.of(line) for line in page.items],
            next_cursor=page.next_cursor,
            period_start=None if page.period is None else page.period.start,
            period_end=None if page.period is None else page.period.end,
        )


class DayOut(BaseModel):
    day: date = Field(description="A UTC day; a line counts on the day it started.")
    charge_micros: int = Field(description="Your charge that day (refunds count negative).")
    charge_usd: str
    lines: int = Field(description="How many ledger lines the day had.")


class DailySpendOut(BaseModel):
    user_id: str
    plan: str
    period_start: datetime
    period_end: datetime = Field(description="Exclusive.")
    total_micros: int
    total_usd: str
    spend_cap_micros: int | None = Field(description="The plan's cap per period; null: none.")
    spend_cap_usd: str | None
    days: list[DayOut] = Field(description="Every day of the period, oldest first.")

    @classmethod
    def of(cls, spend: DailySpend) -> DailySpendOut:
        cap = spend.spend_cap
        return cls(
            user_id=spend.user_id,
            plan=spend.plan,
            period_start=spend.period.start,
            period_end=spend.period.end,
            total_micros=spend.total,
            total_usd=format_usd(spend.total),
            spend_cap_micros=cap,
            spend_cap_usd=None if cap is None else format_usd(cap),
            days=[
                DayOut(
                    day=day.day,
                    charge_micros=day.charge,
                    charge_usd=format_usd(day.charge),
                    lines=day.lines,
                )
                for day in spend.days
            ],
        )


class UsageRowOut(BaseModel):
    name: str
    used: int | str
    held: int | str
    limit: int | str | None
    remaining: int | str | None
    resets_at: datetime | None
    unit: str = "count"
    """micro-usd (shown as USD text), bytes or count."""


class UsageOut(BaseModel):
    user_id: str
    plan: str
    period_start: datetime
    period_end: datetime
    rows: list[UsageRowOut]
    retention_days: int | None = None
    """How long the plan keeps assets; null keeps them until deleted."""

    @classmethod
    def of(cls, found: UsageReport) -> UsageOut:
        def shown(value: int | None, money: bool) -> int | str | None:
            return format_usd(value) if money and value is not None else value

        return cls(
            user_id=found.user_id,
            plan=found.plan,
            period_start=found.period.start,
            period_end=found.period.end,
            rows=[
                UsageRowOut(
                    name=row.name,
                    used=shown(row.used, row.is_money) or 0,
                    held=shown(row.held, row.is_money) or 0,
                    limit=shown(row.limit.maximum, row.is_money),
                    remaining=shown(row.remaining, row.is_money),
                    resets_at=row.resets_at,
                    unit=row.unit,
                )
                for row in found.rows
            ],
            retention_days=found.retention_days,
        )
