"""Subscription plans: what a user may spend per billing period."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from imagestudio.domain.billing_period import CALENDAR_MONTH, BillingAnchor
from imagestudio.domain.limit import UNLIMITED, Limit
from imagestudio.domain.operation_kind import QuotaCategory


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """Limits per billing period. A category missing from `calls` is unlimited."""

    name: str
    calls: Mapping[QuotaCategory, Limit] = field(default_factory=dict)
    spend_cap: Limit = UNLIMITED
    """Micro-dollars the user may be charged per period."""
    requests_per_minute: Limit = UNLIMITED
    concurrent_operations: Limit = UNLIMITED
    anchor: BillingAnchor = CALENDAR_MONTH
    monthly_price: int = 0
    """What the plan costs its subscriber, in micro-dollars (informational)."""
    storage_bytes: Limit = UNLIMITED
    """How many bytes of assets a user may keep stored (not per period: what is stored now)."""
    retention_days: int | None = None
    """Assets older than this many days are deleted by the storage sweep; None keeps them."""

    def __post_init__(self) -> None:
        if self.retention_days is not None and self.retention_days < 1:
            raise ValueError(f"retention must be at least one day, not {self.retention_days}")

    def calls_limit(self, category: QuotaCategory) -> Limit:
        return self.calls.get(category, UNLIMITED)


@dataclass(frozen=True, slots=True, kw_only=True)
class OperatorBudget:
    """The operator's own monthly spend cap at one provider, shared by all users."""

    provider: str
    monthly: Limit


@dataclass(frozen=True, slots=True)
class SpentBefore:
    """What a provider billed in one calendar month (its period key) before the operator's
    budget there existed: counted against the budget once, by the change that creates it."""

    period: str
    amount: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Subscription:
    """Which plan a user is on."""

    user_id: str
    plan: str
    created_at: datetime | None = None
    """When the user was first added; None where a store does not keep it."""
