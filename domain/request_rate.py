"""The requests-per-minute rule: a sliding one-minute window of granted requests."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta

from imagestudio.domain.errors import RateLimited
from imagestudio.domain.limit import Limit

WINDOW = timedelta(minutes=1)


def in_window(granted: Iterable[datetime], at: datetime) -> list[datetime]:
    """The granted requests that still count at `at`: every one less than a minute old.

    Requests stamped after `at` (arriving out of order, as from processes with skewed clocks)
    count too, so out-of-order arrivals cannot slip past the limit.
    """
    return [moment for moment in granted if moment > at - WINDOW]


def rate_refusal(
    user_id: str, granted: Iterable[datetime], at: datetime, limit: Limit
) -> RateLimited | None:
    """Refuse when one more request would exceed the limit; say when the oldest one ages out."""
    recent = in_window(granted, at)
    if limit.admits(len(recent) + 1):
        return None
    clears = min(recent) + WINDOW if recent else at + WINDOW
    return RateLimited(
        user_id=user_id,
        limit_name="requests per minute",
        limit=limit.maximum or 0,
        retry_after_seconds=max(1, math.ceil((clears - at).total_seconds())),
    )
