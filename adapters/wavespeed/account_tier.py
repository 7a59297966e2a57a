"""The WaveSpeed account's tier: how many tasks at once, and how many submits a minute."""

from __future__ import annotations

from imagestudio.adapters.providers.limiter import AccountLimiter, AccountLimits
from imagestudio.adapters.wavespeed.settings import WaveSpeedSettings

WINDOW_SECONDS = 60.0


def limiter_for(settings: WaveSpeedSettings) -> AccountLimiter:
    """The account's tier: concurrent tasks, and submits per minute."""
    return AccountLimiter(
        AccountLimits(
            concurrent_tasks=settings.concurrent_tasks,
            requests_per_window=settings.submits_per_minute,
            window_seconds=WINDOW_SECONDS,
        )
    )
