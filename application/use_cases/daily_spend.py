"""Daily spend: what a user was charged on each day of a billing period, from the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from returns.result import Failure, Result, Success

from imagestudio.application.ports.clock import Clock
from imagestudio.application.ports.ledger import Ledger
from imagestudio.application.ports.quota_store import QuotaStore
from imagestudio.application.user_periods import user_period
from imagestudio.domain.billing_period import BillingPeriod
from imagestudio.domain.daily_spend import DayCharge, every_day
from imagestudio.domain.errors import InvalidInput, UnknownUser
from imagestudio.domain.money import Micros


@dataclass(frozen=True, slots=True, kw_only=True)
class DailySpend:
    user_id: str
    plan: str
    period: BillingPeriod
    days: tuple[DayCharge, ...]
    """Every day of the period, oldest first; a day without lines at 0."""
    spend_cap: Micros | None
    """The plan's spend cap per period; None: unlimited."""

    @property
    def total(self) -> Micros:
        return sum(day.charge for day in self.days)


class ReadDailySpend:
    """Reads the caller's charge per UTC day (the day each line started) over the billing
    period containing now, or a day they name; summed by the ledger's store."""

    def __init__(self, ledger: Ledger, quota: QuotaStore, clock: Clock) -> None:
        self._ledger = ledger
        self._quota = quota
        self._clock = clock

    async def execute(
        self, user_id: str, period: date | None = None
    ) -> Result[DailySpend, UnknownUser | InvalidInput]:
        """The period's days with their charge (refunds count negative) and the plan's cap."""
        found = await user_period(self._quota, user_id, period, self._clock.now())
        if isinstance(found, Failure):
            return Failure(found.failure())
        plan, chosen = found.unwrap()
        charged = await self._ledger.daily_charges(user_id, chosen.key)
        return Success(
            DailySpend(
                user_id=user_id,
                plan=plan.name,
                period=chosen,
                days=every_day(chosen, charged),
                spend_cap=plan.spend_cap.maximum,
            )
        )
