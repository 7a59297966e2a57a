"""Alerts: a user's use of a finite limit reached 80% or 100% of it, once per period each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from imagestudio.domain.limit import Limit
from imagestudio.domain.money import format_usd
from imagestudio.domain.quota import SPEND

THRESHOLDS = (80, 100)
"""Percent of a limit."""


def thresholds_reached(used: int, limit: Limit) -> tuple[int, ...]:
    """The thresholds `used` has reached of `limit`; none of an unlimited or zero limit."""
    if limit.maximum is None or limit.maximum == 0 or used <= 0:
        return ()
    return tuple(threshold for threshold in THRESHOLDS if used * 100 >= threshold * limit.maximum)


@dataclass(frozen=True, slots=True, kw_only=True)
class QuotaAlert:
    user_id: str
    dimension: str
    """"calls:<category>" or "spend"."""
    period: str
    """The billing period's key."""
    threshold: int
    """Percent of the limit reached."""
    used: int
    limit: int
    at: datetime

    @property
    def is_money(self) -> bool:
        return self.dimension == SPEND

    @property
    def message(self) -> str:
        show = format_usd if self.is_money else str
        return (
            f"{self.user_id} reached {self.threshold}% of their {self.dimension} limit for the "
            f"period from {self.period}: {show(self.used)} of {show(self.limit)}"
        )
