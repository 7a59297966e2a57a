"""The reservation rule: granted only if, for every dimension, used + held + amount <= limit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from imagestudio.domain.billing_period import CALENDAR_MONTH, period_containing
from imagestudio.domain.errors import (
    OperatorBudgetExhausted,
    QuotaExceeded,
    QuotaRefusal,
    RateLimited,
)
from imagestudio.domain.limit import Limit
from imagestudio.domain.money import Micros
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.plan import OperatorBudget, Plan

SPEND = "spend"
CONCURRENCY = "concurrency"
BUDGET = "budget"
LIVE = "live"
"""The period key of dimensions that are not per period (concurrent operations)."""


class Scope(StrEnum):
    USER = "user"
    OPERATOR = "operator"


@dataclass(frozen=True, slots=True, order=True)
class DimensionKey:
    """One counter: whose, which, and for which period."""

    scope: Scope
    owner: str
    name: str
    period: str
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Keys are looked up in dicts a few dozen times per operation; a dataclass's hash is
        # computed in Python each time (and the enum's too), so it is computed once here.
        object.__setattr__(self, "_hash", hash((self.scope, self.owner, self.name, self.period)))

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self) -> tuple[type[DimensionKey], tuple[Scope, str, str, str]]:
        # Rebuilt, never copied: a string's hash differs from one process to the next.
        return (DimensionKey, (self.scope, self.owner, self.name, self.period))

    @property
    def settles_into_use(self) -> bool:
        """Concurrency is only ever held; every other dimension moves held into used."""
        return self.name != CONCURRENCY


_KNOWN_KEYS: dict[tuple[Scope, str, str, str], DimensionKey] = {}
_KNOWN_KEYS_KEPT = 4096


def dimension_key(scope: Scope, owner: str, name: str, period: str) -> DimensionKey:
    """`DimensionKey(scope, owner, name, period)`, the same object each time while it is kept:
    a dict finds a key it holds by identity, before comparing the four fields in Python (a
    reservation's keys are looked up about fifteen times per operation)."""
    fields = (scope, owner, name, period)
    key = _KNOWN_KEYS.get(fields)
    if key is None:
        if len(_KNOWN_KEYS) >= _KNOWN_KEYS_KEPT:
            _KNOWN_KEYS.clear()  # a plain bound: the keys of one period's active users
        key = _KNOWN_KEYS[fields] = DimensionKey(scope, owner, name, period)
    return key


def calls_dimension(category: QuotaCategory) -> str:
    return f"calls:{category}"


@dataclass(frozen=True, slots=True)
class Counter:
    used: int = 0
    held: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Demand:
    """What one reservation asks of one dimension."""

    key: DimensionKey
    limit: Limit
    amount: int
    resets_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReservationRequest:
    user_id: str
    category: QuotaCategory
    outputs: int
    amount: Micros
    provider: str
    at: datetime
    needs_storage: bool = False
    """The operation will store outputs: refuse if the plan's storage limit has no room left."""

    def __post_init__(self) -> None:
        # A negative hold would lower `held` and let later requests past the limit.
        if self.outputs < 1 or self.amount < 0:
            raise ValueError(f"a reservation needs outputs >= 1 and amount >= 0: {self}")


def demands_for(
    request: ReservationRequest, plan: Plan, budget: OperatorBudget | None
) -> tuple[Demand, ...]:
    """Every dimension one reservation touches, with what it asks of each."""
    user_period = period_containing(request.at, plan.anchor)
    user = request.user_id
    demands = [
        Demand(
            key=dimension_key(Scope.USER, user, calls_dimension(request.category), user_period.key),
            limit=plan.calls_limit(request.category),
            amount=request.outputs,
            resets_at=user_period.end,
        ),
        Demand(
            key=dimension_key(Scope.USER, user, SPEND, user_period.key),
            limit=plan.spend_cap,
            amount=request.amount,
            resets_at=user_period.end,
        ),
        Demand(
            key=dimension_key(Scope.USER, user, CONCURRENCY, LIVE),
            limit=plan.concurrent_operations,
            amount=1,
            resets_at=None,
        ),
    ]
    if budget is not None:
        month = period_containing(request.at, CALENDAR_MONTH)
        demands.append(
            Demand(
                key=dimension_key(Scope.OPERATOR, request.provider, BUDGET, month.key),
                limit=budget.monthly,
                amount=request.amount,
                resets_at=month.end,
            )
        )
    return tuple(demands)


def refusal(
    demands: Iterable[Demand], counters: Mapping[DimensionKey, Counter]
) -> QuotaRefusal | None:
    """The first dimension that cannot take its demand, as a typed refusal; None if all can."""
    for demand in demands:
        counter = counters.get(demand.key, Counter())
        if demand.limit.admits(counter.used + counter.held + demand.amount):
            continue
        return _refusal_for(demand, counter)
    return None


def _refusal_for(demand: Demand, counter: Counter) -> QuotaRefusal:
    key = demand.key
    limit = demand.limit.maximum or 0
    if key.name == CONCURRENCY:
        return RateLimited(
            user_id=key.owner,
            limit_name="concurrent operations",
            limit=limit,
            retry_after_seconds=1,
        )
    assert demand.resets_at is not None
    if key.scope is Scope.OPERATOR:
        return OperatorBudgetExhausted(
            provider=key.owner,
            used=counter.used,
            held=counter.held,
            limit=limit,
            requested=demand.amount,
            resets_at=demand.resets_at,
        )
    return QuotaExceeded(
        user_id=key.owner,
        limit_name=key.name,
        used=counter.used,
        held=counter.held,
        limit=limit,
        requested=demand.amount,
        resets_at=demand.resets_at,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Settlement:
    """What a commit moves into `used`: the outputs and charge the user pays for, and what the
    provider billed us (which the operator's budget counts, even when the user pays nothing).
    """

    outputs: int
    amount: Micros
    provider_cost: Micros | None = None
    """Defaults to `amount`: the provider billed what the user is charged."""

    def __post_init__(self) -> None:
        if min(self.outputs, self.amount, self.billed) < 0:
            raise ValueError(f"a settlement cannot be negative: {self}")

    @property
    def billed(self) -> Micros:
        return self.amount if self.provider_cost is None else self.provider_cost


def settled_amount(demand: Demand, settlement: Settlement) -> int:
    """How much of a demand becomes `used` when its reservation commits."""
    key = demand.key
    if not key.settles_into_use:
        return 0
    if key.name.startswith("calls:"):
        actual = settlement.outputs
    elif key.scope is Scope.OPERATOR:
        actual = settlement.billed
    else:
        actual = settlement.amount
    if actual > demand.amount:
        raise ValueError(
            f"cannot commit {actual} against a reservation of {demand.amount} on {key.name}"
        )
    return actual
