"""Whether a request fits: the one decision reserving makes, and what a quote shows of it.

Reserving (both stores) and quoting call `reservation_refusal` (or its two halves), so a quote
says "refused by X" exactly when reserving right then would refuse with X, with the same typed
refusal. The fit's per-dimension figures come from the same demands (`demands_for`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from imagestudio.domain.errors import (
    OperatorBudgetExhausted,
    QuotaExceeded,
    QuotaRefusal,
    RateLimited,
    StorageQuotaExceeded,
)
from imagestudio.domain.limit import Limit
from imagestudio.domain.plan import OperatorBudget, Plan
from imagestudio.domain.quota import (
    BUDGET,
    SPEND,
    Counter,
    Demand,
    DimensionKey,
    ReservationRequest,
    Scope,
    demands_for,
    refusal,
)
from imagestudio.domain.request_rate import WINDOW, rate_refusal
from imagestudio.domain.storage_room import storage_refusal

Refusal = QuotaRefusal | StorageQuotaExceeded
Unit = Literal["count", "micro-usd", "bytes"]
RATE = "requests per minute"
STORAGE = "storage"


@dataclass(frozen=True, slots=True, kw_only=True)
class Standing:
    """What deciding one reservation reads: the user's plan, the provider's budget, and what is
    used and held now."""

    plan: Plan
    budget: OperatorBudget | None
    counters: Mapping[DimensionKey, Counter]
    """By the keys `demands_for` names (the operator's budget as one counter, all its parts)."""
    recent: int = 0
    """The user's requests granted in the last minute (read only for a finite rate limit)."""
    oldest: datetime | None = None
    """The oldest of those."""
    stored_bytes: int = 0
    """The user's stored bytes (read only for a finite storage limit)."""


def user_refusal(
    request: ReservationRequest, standing: Standing, demands: Sequence[Demand]
) -> Refusal | None:
    """The user's plan: storage room first (when the request stores outputs), then the request
    rate, then each of the user's own demands; the first refusal, or None."""
    plan = standing.plan
    if request.needs_storage:
        full = storage_refusal(request.user_id, plan, standing.stored_bytes)
        if full is not None:
            return full
    rate = rate_refusal(
        request.user_id, standing.recent, standing.oldest, request.at, plan.requests_per_minute
    )
    if rate is not None:
        return rate
    own = [demand for demand in demands if demand.key.scope is Scope.USER]
    return refusal(own, standing.counters)


def budget_refusal(
    demands: Sequence[Demand], counters: Mapping[DimensionKey, Counter]
) -> QuotaRefusal | None:
    """The operator's budget at the provider, taken after every limit of the user's plan."""
    return refusal([demand for demand in demands if demand.key.scope is Scope.OPERATOR], counters)


def reservation_refusal(
    request: ReservationRequest, standing: Standing, demands: Sequence[Demand] | None = None
) -> Refusal | None:
    """Why reserving `request` on `standing` is refused (the first limit that refuses), or None;
    `demands`: the request's, when the caller has them already."""
    if demands is None:
        demands = demands_for(request, standing.plan, standing.budget)
    return user_refusal(request, standing, demands) or budget_refusal(demands, standing.counters)


def refused_by(refused: Refusal) -> Scope:
    """Whose limit: the operator's provider budget, or the user's own plan."""
    return Scope.OPERATOR if isinstance(refused, OperatorBudgetExhausted) else Scope.USER


def clears_at(refused: Refusal, at: datetime) -> datetime | None:
    """When waiting alone lets the request through; None when only deleting assets does."""
    if isinstance(refused, QuotaExceeded | OperatorBudgetExhausted):
        return refused.resets_at
    if isinstance(refused, RateLimited):
        return at + timedelta(seconds=refused.retry_after_seconds)
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class DimensionFit:
    """One limited dimension the request would touch, as it stands and as it would be after."""

    name: str
    """"calls:<category>", "spend", "concurrency", "requests per minute", "storage", "budget"."""
    scope: Scope
    owner: str
    """The user, or for the operator's budget the provider."""
    unit: Unit
    would_use: int | None
    """What the request would take; None for storage (output sizes are known only after)."""
    used: int
    held: int
    limit: Limit
    resets_at: datetime | None
    """When the dimension's count starts over; None for concurrency and storage."""
    refusal: Refusal | None
    """What this dimension alone would refuse with (the request's refusal is the first)."""

    @property
    def remaining_after(self) -> int | None:
        """What would be left after the request (negative: by how much it would go over); None
        when unlimited."""
        if self.limit.maximum is None:
            return None
        return self.limit.maximum - self.used - self.held - (self.would_use or 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanFit:
    """How a request fits the user's plan and the operator's budget, right now."""

    plan: str
    at: datetime
    dimensions: tuple[DimensionFit, ...]
    refusal: Refusal | None
    """The refusal reserving would give now, or None if it would be granted."""

    @property
    def refused_by(self) -> Scope | None:
        return None if self.refusal is None else refused_by(self.refusal)

    @property
    def clears_at(self) -> datetime | None:
        return None if self.refusal is None else clears_at(self.refusal, self.at)


def plan_fit(request: ReservationRequest, standing: Standing) -> PlanFit:
    """Every dimension the request touches, and the refusal reserving it now would give."""
    plan, user = standing.plan, request.user_id
    dimensions: list[DimensionFit] = []
    if request.needs_storage:
        dimensions.append(
            DimensionFit(
                name=STORAGE,
                scope=Scope.USER,
                owner=user,
                unit="bytes",
                would_use=None,
                used=standing.stored_bytes,
                held=0,
                limit=plan.storage_bytes,
                resets_at=None,
                refusal=storage_refusal(user, plan, standing.stored_bytes),
            )
        )
    rate = plan.requests_per_minute
    dimensions.append(
        DimensionFit(
            name=RATE,
            scope=Scope.USER,
            owner=user,
            unit="count",
            would_use=1,
            used=standing.recent,
            held=0,
            limit=rate,
            resets_at=None if standing.oldest is None else standing.oldest + WINDOW,
            refusal=rate_refusal(user, standing.recent, standing.oldest, request.at, rate),
        )
    )
    for demand in demands_for(request, plan, standing.budget):
        counter = standing.counters.get(demand.key, Counter())
        unit: Unit = "micro-usd" if demand.key.name in (SPEND, BUDGET) else "count"
        dimensions.append(
            DimensionFit(
                name=demand.key.name,
                scope=demand.key.scope,
                owner=demand.key.owner,
                unit=unit,
                would_use=demand.amount,
                used=counter.used,
                held=counter.held,
                limit=demand.limit,
                resets_at=demand.resets_at,
                refusal=refusal([demand], standing.counters),
            )
        )
    return PlanFit(
        plan=plan.name,
        at=request.at,
        dimensions=tuple(dimensions),
        refusal=reservation_refusal(request, standing),
    )
