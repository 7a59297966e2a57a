"""Refusals by a limit: the user's plan, the operator's budget, the request rate, the storage;
each names whose limit, its numbers and when it clears."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from imagestudio.domain.money import format_usd


@dataclass(frozen=True, slots=True, kw_only=True)
class QuotaExceeded:
    """The user's own plan for this period refuses the request."""

    user_id: str
    limit_name: str
    """"calls:<category>" or "spend"."""
    used: int
    held: int
    limit: int
    requested: int
    resets_at: datetime

    @property
    def is_money(self) -> bool:
        return self.limit_name == "spend"

    @property
    def message(self) -> str:
        show = format_usd if self.is_money else str
        return (
            f"your plan's {self.limit_name} limit for this period would be exceeded: "
            f"used {show(self.used)}, held {show(self.held)}, requested {show(self.requested)}, "
            f"limit {show(self.limit)}; resets at {self.resets_at.isoformat()}"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class OperatorBudgetExhausted:
    """The operator's own monthly budget at a provider refuses it: not the user's quota."""

    provider: str
    used: int
    held: int
    limit: int
    requested: int
    resets_at: datetime

    @property
    def message(self) -> str:
        return (
            f"the service's monthly budget for {self.provider} is exhausted (this is not your "
            f"quota): used {format_usd(self.used)} of {format_usd(self.limit)}; "
            f"resets at {self.resets_at.isoformat()}"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class RateLimited:
    """The user's request rate or concurrent-operation limit."""

    user_id: str
    limit_name: str
    limit: int
    retry_after_seconds: int

    @property
    def message(self) -> str:
        return (
            f"too many {self.limit_name} for your plan (limit {self.limit}); "
            f"retry in {self.retry_after_seconds} s"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class StorageQuotaExceeded:
    """The user's stored assets already fill what their plan allows: no new outputs."""

    user_id: str
    used: int
    limit: int

    @property
    def message(self) -> str:
        return (
            f"your plan's storage limit is reached: {_bytes(self.used)} stored of "
            f"{_bytes(self.limit)}; delete assets (`imagestudio assets delete`) to make room"
        )


def _bytes(count: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= size:
            return f"{count / size:.1f} {unit} ({count} bytes)"
    return f"{count} bytes"


QuotaRefusal = QuotaExceeded | OperatorBudgetExhausted | RateLimited
