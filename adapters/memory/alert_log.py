"""The alert log in memory: one alert per user, period, dimension and threshold."""

from __future__ import annotations

from imagestudio.domain.quota_alert import QuotaAlert


class InMemoryAlertLog:
    """The `AlertLog` port on a dict; no await between the check and the insert."""

    def __init__(self) -> None:
        self._alerts: dict[tuple[str, str, str, int], QuotaAlert] = {}

    async def record(self, alert: QuotaAlert) -> bool:
        key = (alert.user_id, alert.period, alert.dimension, alert.threshold)
        if key in self._alerts:
            return False
        self._alerts[key] = alert
        return True

    async def for_user(self, user_id: str, period: str | None = None) -> tuple[QuotaAlert, ...]:
        return tuple(
            alert
            for alert in self._alerts.values()
            if alert.user_id == user_id and (period is None or alert.period == period)
        )

    def erase_user(self, user_id: str) -> int:
        """Delete every alert of the user; how many."""
        gone = [key for key in self._alerts if key[0] == user_id]
        for key in gone:
            del self._alerts[key]
        return len(gone)
