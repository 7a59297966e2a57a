"""The ledger line of an operation: one way to write it, whoever settles (a live run,
reconciliation, the sweep, a local operation)."""

from __future__ import annotations

from datetime import datetime

from imagestudio.domain.money import Micros
from imagestudio.domain.operation import ImageOperation
from imagestudio.domain.usage_record import Outcome, UsageRecord


def line_for(
    operation: ImageOperation,
    outcome: Outcome,
    *,
    period: str,
    started: datetime,
    finished: datetime,
    outputs: int = 0,
    charge: Micros = 0,
    cost: Micros = 0,
    output_bytes: int = 0,
    reason: str = "",
    unconfirmed_cost: Micros = 0,
) -> UsageRecord:
    """The line settling `operation` in the billing `period` it was reserved in; it names the
    operation's provider task ids, so the provider's own book can be matched with it."""
    return UsageRecord(
        user_id=operation.user_id,
        operation_id=operation.id,
        model_id=operation.model_id,
        provider=operation.provider,
        kind=operation.kind,
        outputs=outputs,
        user_charge=charge,
        provider_cost=cost,
        outcome=outcome,
        output_bytes=output_bytes,
        latency_ms=max(0, int((finished - started).total_seconds() * 1000)),
        billing_period=period,
        started_at=started,
        finished_at=finished,
        idempotency_key=operation.idempotency_key,
        reason=reason,
        provider_task_ids=operation.provider_task_ids,
        unconfirmed_cost=unconfirmed_cost,
    )
