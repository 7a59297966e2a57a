"""One ledger line per finished operation: what the user is charged, what the provider cost us."""

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


@dataclass(frozen=True, slots=True, kw_only=True)
class UsageRecord:
    user_id: str
    operation_id: str
    model_id: str
    provider: str
    kind: OperationKind
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

    @property
    def category(self) -> QuotaCategory:
        return self.kind.category
