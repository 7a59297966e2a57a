"""The requests-per-minute rule: a sliding one-minute window of granted requests."""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from imagestudio.domain.errors import RateLimited
from imagestudio.domain.limit import Limit

WINDOW = timedelta(minutes=1)


def in_window(granted: Sequence[datetime], at: datetime) -> Sequence[datetime]:
    """The granted requests (in time order) that still count at `at`: every one less than a
    minute old, found by bisection so a busy user's window costs no scan.

    Requests stamped after `at` (arriving out of order, as from processes with skewed clocks)
    count too, so out-of-order arrivals cannot slip past the limit.
    """
    return granted[bisect.bisect_right(granted, at - WINDOW) :]


def with_grant(granted: Sequence[datetime], at: datetime) -> list[datetime]:
    """The window at `at` with one more request granted at `at`, still in time order."""
    recent = list(in_window(granted, at))
    bisect.insort(recent, at)
    return recent


def rate_refusal(
    user_id: str, recent: int, oldest: datetime | None, at: datetime, limit: Limit
) -> RateLimited | None:
    """Refuse when one more request would exceed the limit, given the `recent` requests in the
    window at `at` and the `oldest` of them; say when that oldest one ages out."""
    if limit.admits(recent + 1):
        return None
    clears = oldest + WINDOW if oldest is not None else at + WINDOW
    return RateLimited(
        user_id=user_id,
        limit_name="requests per minute",
        limit=limit.maximum or 0,
        retry_after_seconds=max(1, math.ceil((clears - at).total_seconds())),
    )
