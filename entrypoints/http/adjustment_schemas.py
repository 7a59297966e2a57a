"""The admin API's charge adjustments: a refund or correction in, its ledger line out."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from imagestudio.application.use_cases.adjust_charge import AdjustedCharge, Adjustment
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.money import format_usd
from imagestudio.entrypoints.cli.limits import dollars


class AdjustmentIn(BaseModel):
    """A refund (negative) or correction (positive) of a user's charge this period."""

    model_config = ConfigDict(extra="forbid")
    user_id: str
    amount: StrictStr = Field(
        description='Dollars as a decimal string added to the charge; "-1.50" refunds $1.50.',
        examples=["-1.50"],
    )
    reason: str = Field(description="Why: the ledger keeps it for audit.", max_length=2000)

    def to_adjustment(self) -> Adjustment | InvalidInput:
        micros = dollars("amount", self.amount)
        if isinstance(micros, InvalidInput):
            return micros
        if "\x00" in self.reason:
            return InvalidInput("reason", "contains a NUL character")
        return Adjustment(user_id=self.user_id, amount=micros, reason=self.reason)


class AdjustmentOut(BaseModel):
    line_id: str
    user_id: str
    amount_micros: int
    amount_usd: str
    reason: str
    billing_period: str
    spend_used_micros: int
    """The user's spend this period, after the adjustment."""
    spend_used_usd: str
    at: datetime

    @classmethod
    def of(cls, done: AdjustedCharge) -> AdjustmentOut:
        line = done.line
        return cls(
            line_id=line.operation_id,
            user_id=line.user_id,
            amount_micros=line.user_charge,
            amount_usd=format_usd(line.user_charge),
            reason=line.reason,
            billing_period=line.billing_period,
            spend_used_micros=done.spend.used,
            spend_used_usd=format_usd(done.spend.used),
            at=line.finished_at,
        )
