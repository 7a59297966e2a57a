"""One ledger line of an export, in JSON."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from imagestudio.domain.usage_record import UsageRecord
from imagestudio.entrypoints.ledger_columns import line_fields


class LedgerLineOut(BaseModel):
    """One ledger line of an export; the fields, in order, are the CSV's columns
    (`ledger_columns.EXPORT_FIELDS`, as in `imagestudio usage export`)."""

    finished_at: datetime
    started_at: datetime
    user_id: str
    line_id: str = Field(description="The operation's id (an adjustment's own id).")
    outcome: str
    kind: str | None
    model_id: str
    provider: str
    outputs: int
    user_charge_micros: int
    user_charge_usd: str
    provider_cost_micros: int
    provider_cost_usd: str
    billing_period: str = Field(description="The period's key: the day it starts.")
    output_bytes: int
    latency_ms: int
    idempotency_key: str | None
    reason: str
    provider_task_ids: list[str] = Field(
        description="The provider's ids of the line's calls (in CSV: a JSON array, or empty)."
    )
    unconfirmed_cost_micros: int = Field(
        description="Of the provider cost, what calls the provider never confirmed may have cost."
    )
    unconfirmed_cost_usd: str

    @classmethod
    def of(cls, line: UsageRecord) -> LedgerLineOut:
        return cls.model_validate(line_fields(line))
