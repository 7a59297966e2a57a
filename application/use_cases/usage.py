"""Usage: per period and category, what is used, held, allowed and left, and when it resets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from returns.result import Failure, Result, Success

from imagestudio.application.ports.alert_log import AlertLog
from imagestudio.application.ports.asset_library import AssetLibrary
from imagestudio.application.ports.clock import Clock
from imagestudio.application.ports.quota_store import QuotaStore
from imagestudio.domain.billing_period import BillingPeriod, period_containing
from imagestudio.domain.errors import UnknownUser
from imagestudio.domain.limit import Limit
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.quota import (
    CONCURRENCY,
    LIVE,
    SPEND,
    Counter,
    DimensionKey,
    Scope,
    calls_dimension,
)
from imagestudio.domain.quota_alert import QuotaAlert

STORAGE = "storage"
"""The usage row of stored asset bytes."""


@dataclass(frozen=True, slots=True, kw_only=True)
class UsageRow:
    name: str
    """A category ("image-generation"…), "spend" (micro-dollars) or "concurrency"."""
    used: int
    held: int
    limit: Limit
    resets_at: datetime | None

    @property
    def remaining(self) -> int | None:
        return self.limit.remaining(self.used, self.held)

    @property
    def is_money(self) -> bool:
        return self.name == SPEND

    @property
    def unit(self) -> str:
        """micro-usd, bytes or count."""
        return "micro-usd" if self.is_money else "bytes" if self.name == STORAGE else "count"


@dataclass(frozen=True, slots=True, kw_only=True)
class UsageReport:
    user_id: str
    plan: str
    period: BillingPeriod
    rows: tuple[UsageRow, ...]
    alerts: tuple[QuotaAlert, ...] = ()
    """The thresholds (80%, 100% of a limit) reached this period, oldest first."""
    retention_days: int | None = None
    """How long the plan keeps assets; None keeps them until deleted."""


class ReadUsage:
    """Reads a user's usage for the billing period containing now (or `at`), with the alerts
    raised in it."""

    def __init__(
        self,
        quota: QuotaStore,
        clock: Clock,
        alerts: AlertLog | None = None,
        library: AssetLibrary | None = None,
    ) -> None:
        self._quota = quota
        self._clock = clock
        self._alerts = alerts
        self._library = library

    async def execute(
        self, user_id: str, at: datetime | None = None
    ) -> Result[UsageReport, UnknownUser]:
        """One row per quota category, then spend, concurrent operations and storage (bytes
        of assets kept now, not per period)."""
        found = await self._quota.plan_of(user_id)
        if isinstance(found, Failure):
            return Failure(found.failure())
        plan = found.unwrap()
        moment = at or self._clock.now()
        period = period_containing(moment, plan.anchor)
        counters = await self._quota.counters(user_id, moment)

        def counter(name: str, period_key: str) -> Counter:
            return counters.get(DimensionKey(Scope.USER, user_id, name, period_key), Counter())

        rows = [
            _row(
                category.value,
                counter(calls_dimension(category), period.key),
                plan.calls_limit(category),
                period.end,
            )
            for category in QuotaCategory
        ]
        rows.append(_row(SPEND, counter(SPEND, period.key), plan.spend_cap, period.end))
        rows.append(_row(CONCURRENCY, counter(CONCURRENCY, LIVE), plan.concurrent_operations, None))
        if self._library is not None:
            stored = Counter(used=await self._library.bytes_used(user_id))
            rows.append(_row(STORAGE, stored, plan.storage_bytes, None))
        alerts = () if self._alerts is None else await self._alerts.for_user(user_id, period.key)
        return Success(
            UsageReport(
                user_id=user_id,
                plan=plan.name,
                period=period,
                rows=tuple(rows),
                alerts=alerts,
                retention_days=plan.retention_days,
            )
        )


def _row(name: str, counter: Counter, limit: Limit, resets_at: datetime | None) -> UsageRow:
    return UsageRow(
        name=name, used=counter.used, held=counter.held, limit=limit, resets_at=resets_at
    )
