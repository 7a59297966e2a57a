"""One ledger line per finished operation: what the user is charged, what the provider cost us.

A correction (a refund, a charge forgotten) is a line of its own, an adjustment: lines are never
edited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from imagestudio.domain.money import Micros
from imagestudio.domain.operation_kind import OperationKind, QuotaCategory


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    FILTERED = "filtered"
    OUTPUT_LOST = "output_lost"
    ABANDONED = "abandoned"
    UNKNOWN_UNRESOLVED = "unknown_unresolved"
    ADJUSTMENT = "adjustment"
    """An operator's correction of the user's charge: no operation, no provider, no kind."""


@dataclass(frozen=True, slots=True, kw_only=True)
class UsageRecord:
    user_id: str
    operation_id: str
    model_id: str
    provider: str
    kind: OperationKind | None
    """None only for an adjustment."""
    outputs: int
    user_charge: Micros
    provider_cost: Micros
    outcome: Outcome
    output_bytes: int
    latency_ms: int
    billing_period: str
    started_at: datetime
    finished_at: datetime
    idempotency_key: str | None = None
    reason: str = ""
    provider_task_ids: tuple[str, ...] = ()
    """The provider's ids of this line's calls, as it named them: what its own book of billed
    tasks is matched by. A call that never got one (a submit never confirmed, a synchronous
    reply) adds none."""
    unconfirmed_cost: Micros = 0
    """Of `provider_cost`, what calls the provider never confirmed may have cost (kept as a
    possible cost: `unknown_unresolved`); the provider's book may show them or not."""

    @property
    def category(self) -> QuotaCategory | None:
        return None if self.kind is None else self.kind.category
