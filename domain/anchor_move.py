"""A plan's billing anchor moved: where the counters of the period a user was in go, so what
they used this period stays counted (the ledger's lines keep the period they were written in)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from imagestudio.domain.billing_period import BillingAnchor, BillingPeriod, period_containing
from imagestudio.domain.quota import Demand, DimensionKey, Scope, dimension_key


@dataclass(frozen=True, slots=True)
class AnchorMove:
    """A user's billing anchor changed at some moment: the period they were in (`left`, a key)
    and the period the new anchor puts that moment in (`entered`)."""

    left: str
    entered: BillingPeriod

    def carried(self, key: DimensionKey) -> DimensionKey:
        """Where `key`'s counts go: the entered period for a user counter of the left one."""
        if key.scope is not Scope.USER or key.period != self.left:
            return key
        return dimension_key(key.scope, key.owner, key.name, self.entered.key)

    def carried_demand(self, demand: Demand) -> Demand:
        """A held demand on the left period, moved to settle into the entered one."""
        key = self.carried(demand.key)
        if key is demand.key:
            return demand
        return Demand(key=key, limit=demand.limit, amount=demand.amount, resets_at=self.entered.end)


def anchor_move(at: datetime, before: BillingAnchor, after: BillingAnchor) -> AnchorMove | None:
    """What moving a plan from anchor `before` to `after` at `at` moves, or None when `at` is in
    a period of the same start under both (the same anchor, or month-end days clamped alike)."""
    left = period_containing(at, before)
    entered = period_containing(at, after)
    return None if left.key == entered.key else AnchorMove(left.key, entered)
