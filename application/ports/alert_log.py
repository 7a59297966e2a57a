"""The alert log port: each alert kept once, for `usage` to show."""

from __future__ import annotations

from typing import Protocol

from imagestudio.domain.quota_alert import QuotaAlert


class AlertLog(Protocol):
    """Keeps each alert once per user, period, dimension and threshold."""

    async def record(self, alert: QuotaAlert) -> bool:
        """Keep `alert` unless that user, period, dimension and threshold has one already;
        True when it is new (and so must be told)."""
        ...

    async def for_user(self, user_id: str, period: str | None = None) -> tuple[QuotaAlert, ...]:
        """The user's alerts, oldest first, optionally only for one billing period key."""
        ...
