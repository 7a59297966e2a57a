"""Adjust charge: a refund or correction of what a user was charged, as a ledger line of its own."""

from __future__ import annotations

from dataclasses import dataclass

from returns.result import Failure, Result, Success

from imagestudio.application.input_rules import text_problem
from imagestudio.application.money_path.settle import Settle
from imagestudio.application.ports.clock import Clock, IdGenerator
from imagestudio.application.ports.quota_store import QuotaStore
from imagestudio.domain.billing_period import period_containing
from imagestudio.domain.errors import InvalidInput, RefundTooLarge, UnknownUser
from imagestudio.domain.money import MAX_ADJUSTMENT, MAX_SPEND, Micros, format_usd
from imagestudio.domain.quota import SPEND, Counter, DimensionKey, Scope
from imagestudio.domain.usage_record import Outcome, UsageRecord


@dataclass(frozen=True, slots=True, kw_only=True)
class Adjustment:
    user_id: str
    amount: Micros
    """Added to what the user was charged this period: negative for a refund."""
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AdjustedCharge:
    line: UsageRecord
    spend: Counter
    """The user's spend this period, after the adjustment."""


class AdjustCharge:
    """Appends an adjustment line (outcome `adjustment`, its own `adj_…` id, no provider cost) in
    the user's current billing period and moves their spend by the same amount in the same step.

    A refund may not take the period's spend below zero. A positive correction is applied even
    past the spend cap: it is the operator's decision, and it blocks new requests, not this one;
    it raises the spend alerts it reaches, as a commit does. One adjustment moves at most
    `MAX_ADJUSTMENT` and never takes the spend past `MAX_SPEND`, so no counter overflows its
    column. The line and the counter move in one transaction (`Settle.adjust`).
    """

    def __init__(self, quota: QuotaStore, settle: Settle, ids: IdGenerator, clock: Clock) -> None:
        self._quota = quota
        self._settle = settle
        self._ids = ids
        self._clock = clock

    async def execute(
        self, adjustment: Adjustment
    ) -> Result[AdjustedCharge, InvalidInput | UnknownUser | RefundTooLarge]:
        """The line written and the spend it left."""
        amount: object = adjustment.amount
        if not isinstance(amount, int) or isinstance(amount, bool):
            # A float taken in would be kept in the spend counter, and money is never a float.
            return Failure(
                InvalidInput(
                    "amount", f"give whole micro-dollars (an int), not {type(amount).__name__}"
                )
            )
        if adjustment.amount == 0:
            return Failure(InvalidInput("amount", "an adjustment of $0 changes nothing"))
        if abs(adjustment.amount) > MAX_ADJUSTMENT:
            return Failure(
                InvalidInput(
                    "amount", f"is more than one adjustment may move ({format_usd(MAX_ADJUSTMENT)})"
                )
            )
        if (problem := _reason_problem(adjustment.reason)) is not None:
            return Failure(problem)
        plan = await self._quota.plan_of(adjustment.user_id)
        if isinstance(plan, Failure):
            return Failure(plan.failure())
        now = self._clock.now()
        period = period_containing(now, plan.unwrap().anchor).key
        spend = (await self._quota.counters(adjustment.user_id, now)).get(
            DimensionKey(Scope.USER, adjustment.user_id, SPEND, period), Counter()
        )
        if spend.used + spend.held + adjustment.amount > MAX_SPEND:
            return Failure(
                InvalidInput(
                    "amount",
                    f"would take {adjustment.user_id}'s spend past {format_usd(MAX_SPEND)}, "
                    "the most this service counts",
                )
            )
        line = UsageRecord(
            user_id=adjustment.user_id,
            operation_id=self._ids.new_id("adj"),
            model_id="",
            provider="",
            kind=None,
            outputs=0,
            user_charge=adjustment.amount,
            provider_cost=0,
            outcome=Outcome.ADJUSTMENT,
            output_bytes=0,
            latency_ms=0,
            billing_period=period,
            started_at=now,
            finished_at=now,
            reason=adjustment.reason.strip(),
        )
        applied = await self._settle.adjust(line)
        if isinstance(applied, Failure):
            return Failure(applied.failure())
        return Success(AdjustedCharge(line=line, spend=applied.unwrap()))


REASON_LENGTH = 2000
"""The longest reason an adjustment line keeps (what the admin API takes too)."""


def _reason_problem(reason: object) -> InvalidInput | None:
    if not isinstance(reason, str) or not reason.strip():
        return InvalidInput("reason", "say why: the ledger keeps it for audit")
    if len(reason) > REASON_LENGTH:
        return InvalidInput("reason", f"is longer than {REASON_LENGTH} characters")
    if (problem := text_problem(reason)) is not None:
        # Checked before the transaction: PostgreSQL refuses a NUL in the ledger line.
        return InvalidInput("reason", problem)
    return None
