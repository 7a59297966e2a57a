"""Alerts when a user's use reaches 80% and 100% of a finite limit: checked after every commit
(`Settle` calls `check` once its transaction committed).

Detection reads the counters after the commit and compares them with the plan's limits; each
threshold reached is recorded once (the alert log refuses a second one for the same user,
period, dimension and threshold) and only a newly recorded one is notified. Reading "reached"
after the fact rather than "crossed by this commit" makes it race-free: of two commits that
together cross 80%, whichever reads last sees it, and the log keeps one alert.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from returns.result import Failure

from imagestudio.application.ports.alert_log import AlertLog
from imagestudio.application.ports.clock import Clock
from imagestudio.application.ports.notifier import Notifier
from imagestudio.application.ports.quota_store import QuotaStore
from imagestudio.domain.limit import Limit
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.plan import Plan
from imagestudio.domain.quota import (
    SPEND,
    Counter,
    DimensionKey,
    Scope,
    Settlement,
)
from imagestudio.domain.quota_alert import QuotaAlert, thresholds_reached
from imagestudio.domain.reservation import Reservation

log = logging.getLogger(__name__)

Reading = tuple[DimensionKey, Counter, Limit]
"""A counter of a finite limit, and that limit."""

CALLS = "calls:"


class ThresholdAlerts:
    """Records and notifies the thresholds a user's counters have reached this period."""

    def __init__(
        self, quota: QuotaStore, alerts: AlertLog, notifier: Notifier, clock: Clock
    ) -> None:
        self._quota = quota
        self._alerts = alerts
        self._notifier = notifier
        self._clock = clock

    async def check(self, user_id: str, at: datetime) -> tuple[QuotaAlert, ...]:
        """The alerts newly raised for the period containing `at`. Never raises: an alert that
        cannot be kept or told is logged, and the money path goes on."""
        try:
            return await self._check(user_id, at)
        except Exception:
            log.exception("could not check the quota alerts of %s", user_id)
            return ()

    @staticmethod
    def due(
        counters: Mapping[DimensionKey, Counter], limits: Mapping[DimensionKey, Limit]
    ) -> list[Reading]:
        """Of the counters a settlement left (its receipt) and the limits its reservation was
        held against, those at one of their thresholds at least: what `reached` records (those
        recorded already are skipped there). Pure: most settlements have nothing due."""
        return [
            (key, counter, limits[key])
            for key, counter in counters.items()
            if key in limits and thresholds_reached(counter.used, limits[key])
        ]

    async def reached(self, user_id: str, due: Sequence[Reading]) -> tuple[QuotaAlert, ...]:
        """As `check`, for what `due` found: nothing to read. Never raises."""
        try:
            return await self._record(user_id, due)
        except Exception:
            log.exception("could not check the quota alerts of %s", user_id)
            return ()

    async def _check(self, user_id: str, at: datetime) -> tuple[QuotaAlert, ...]:
        plan = await self._quota.plan_of(user_id)
        if isinstance(plan, Failure):
            return ()
        found = []
        for key, counter in (await self._quota.counters(user_id, at)).items():
            limit = _limit_of(plan.unwrap(), key)
            if limit is not None:
                found.append((key, counter, limit))
        return await self._record(user_id, found)

    async def _record(self, user_id: str, found: Iterable[Reading]) -> tuple[QuotaAlert, ...]:
        raised = []
        for key, counter, limit in found:
            for threshold in thresholds_reached(counter.used, limit):
                alert = QuotaAlert(
                    user_id=user_id,
                    dimension=key.name,
                    period=key.period,
                    threshold=threshold,
                    used=counter.used,
                    limit=limit.maximum or 0,
                    at=self._clock.now(),
                )
                if await self._alerts.record(alert):
                    raised.append(alert)
                    await self._tell(alert)
        return tuple(raised)

    async def _tell(self, alert: QuotaAlert) -> None:
        try:
            await self._notifier.notify(alert)
        except Exception:
            log.exception("could not notify: %s", alert.message)


def _limit_of(plan: Plan, key: DimensionKey) -> Limit | None:
    """The plan's limit on a per-period user dimension (calls or spend); None for others."""
    if key.scope is not Scope.USER:
        return None
    if key.name == SPEND:
        return plan.spend_cap
    if key.name.startswith(CALLS):
        return plan.calls_limit(QuotaCategory(key.name.removeprefix(CALLS)))
    return None


def alert_limits(reservation: Reservation) -> dict[DimensionKey, Limit]:
    """The finite limits of the user's per-period dimensions a reservation was held against."""
    return {
        demand.key: demand.limit
        for demand in reservation.demands
        if demand.key.scope is Scope.USER
        and demand.key.settles_into_use
        and not demand.limit.is_unlimited
    }


def moves_finite_use(reservation: Reservation, settlement: Settlement) -> bool:
    """Whether the commit moved the user's use of a finite limit (else nothing to read)."""
    if settlement.outputs == 0 and settlement.amount == 0:
        return False
    return any(
        demand.key.scope is Scope.USER
        and demand.key.settles_into_use
        and not demand.limit.is_unlimited
        for demand in reservation.demands
    )
