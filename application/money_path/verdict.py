"""What an operation comes to once its provider calls have answered: a pure decision.

Who pays what (the user's charge, the operator's provider cost), the ledger outcome, the final
status and what happens to the reservation, from what came back — nothing here does I/O, so a
live run and reconciliation settle alike, and the rules are tested on their own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from enum import Enum

from imagestudio.application.outcomes import CallOutcomes
from imagestudio.application.prepared_operation import PreparedOperation
from imagestudio.domain.errors import OperationError, OutputLost
from imagestudio.domain.money import Micros
from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.quota import Settlement
from imagestudio.domain.usage_record import Outcome

log = logging.getLogger(__name__)
S = OperationStatus


class Money(Enum):
    """What becomes of the reservation."""

    COMMIT = "commit"
    """Held amounts move into used at the settlement's (actual) size."""
    RELEASE = "release"
    """Nothing is used: the hold is dropped."""
    HOLD = "hold"
    """Kept held: the outcome is unknown until reconciled."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    status: OperationStatus
    money: Money
    outcome: Outcome | None
    """The ledger line's outcome; None while the outcome is unknown (no line yet)."""
    outputs: int = 0
    charge: Micros = 0
    """What the user pays."""
    provider_cost: Micros = 0
    """What the provider (may have) billed us."""
    unconfirmed_cost: Micros = 0
    """Of `provider_cost`, the price of calls the provider never confirmed (given up on)."""
    held: Micros = 0
    """What was reserved: the most the quota counters may take."""
    error: OperationError | None = None
    reason: str = ""

    @property
    def settlement(self) -> Settlement:
        return Settlement(
            outputs=self.outputs,
            amount=self.charge,
            provider_cost=within(self.provider_cost, self.held),
        )


def charge_for(outcomes: CallOutcomes, prepared: PreparedOperation) -> tuple[Micros, Micros]:
    """(what the user is charged, what the provider billed) for the delivered outputs: the
    actual price, never charged past what was reserved at the highest possible price."""
    units = outcomes.billable_units(prepared.reserve_units, prepared.width, prepared.height)
    actual = prepared.model.pricing.price(units)
    return min(actual, prepared.price), actual


def settled_outcomes(outcomes: CallOutcomes, provider: str) -> CallOutcomes:
    """Some outputs arrived and the calls left unknown named no task: no lookup can ever tell
    more, so deliver (and charge) what arrived now and count the rest as unresolved, as
    reconciliation would after its deadline."""
    if outcomes.unknown and outcomes.artifacts and not outcomes.traceable_unknown:
        return outcomes.unknown_given_up(provider)
    return outcomes


def decide(
    outcomes: CallOutcomes, prepared: PreparedOperation, lost: OutputLost | None = None
) -> Verdict:
    """The verdict on `outcomes` (already `settled_outcomes`); `lost` when the delivered outputs
    could not be stored."""
    if outcomes.unknown:
        return Verdict(
            status=S.UNKNOWN,
            money=Money.HOLD,
            outcome=None,
            held=prepared.price,
            reason=outcomes.unknown[0].detail,
        )
    # The provider billed filtered outputs, and may have billed calls given up on: ours to pay.
    unconfirmed = _price_of(prepared, outcomes.unresolved_outputs)
    ours = _price_of(prepared, outcomes.filtered_outputs) + unconfirmed
    if not outcomes.artifacts:
        error = outcomes.first_error()
        outcome = Outcome.FILTERED if outcomes.filtered_outputs else Outcome.FAILED
        status = S.FAILED
        if error is outcomes.unresolved_error:
            outcome, status = Outcome.UNKNOWN_UNRESOLVED, S.ABANDONED
        verdict = _provider_only(status, outcome, ours, prepared.price, error, error.message)
        return replace(verdict, unconfirmed_cost=unconfirmed)
    charge, actual = charge_for(outcomes, prepared)
    if lost is not None:
        cost = actual + ours
        verdict = _provider_only(
            S.FAILED, Outcome.OUTPUT_LOST, cost, prepared.price, lost, lost.detail
        )
        return replace(verdict, unconfirmed_cost=unconfirmed)
    return Verdict(
        status=S.SUCCEEDED,
        money=Money.COMMIT,
        outcome=Outcome.SUCCEEDED,
        outputs=len(outcomes.artifacts),
        charge=charge,
        provider_cost=actual + ours,
        unconfirmed_cost=unconfirmed,
        held=prepared.price,
        reason="; ".join(outcomes.failed_reasons),
    )


def cancelled(sent: bool, price: Micros) -> Verdict:
    """The caller gave up: before sending nothing is used; after, the provider may bill."""
    if sent:
        return Verdict(
            status=S.UNKNOWN,
            money=Money.HOLD,
            outcome=None,
            held=price,
            reason="cancelled after the request was sent",
        )
    return Verdict(
        status=S.CANCELLED,
        money=Money.RELEASE,
        outcome=Outcome.CANCELLED,
        held=price,
        reason="cancelled before sending",
    )


def abandoned(reason: str) -> Verdict:
    """Its process died before sending: nothing used, a zero-cost line."""
    return Verdict(
        status=S.ABANDONED, money=Money.RELEASE, outcome=Outcome.ABANDONED, reason=reason
    )


def _provider_only(
    status: OperationStatus,
    outcome: Outcome,
    cost: Micros,
    held: Micros,
    error: OperationError,
    reason: str,
) -> Verdict:
    """The user pays nothing; what the provider billed still counts against the operator's
    budget (so filtered prompts cannot run up a bill that no limit sees)."""
    return Verdict(
        status=status,
        money=Money.COMMIT if cost else Money.RELEASE,
        outcome=outcome,
        provider_cost=cost,
        held=held,
        error=error,
        reason=reason,
    )


def _price_of(prepared: PreparedOperation, outputs: int) -> Micros:
    if not outputs:
        return 0
    units = replace(
        prepared.reserve_units,
        outputs=outputs,
        pixels=prepared.width * prepared.height * outputs,
    )
    return prepared.model.pricing.price(units)


def within(cost: Micros, reserved: Micros) -> Micros:
    """What the budget counter takes of a provider's cost: at most what was held.

    A provider that bills past the reservation (an output larger than asked) is recorded in
    full in the ledger; the counter takes what was held, keeping used + held <= limit.
    """
    if cost > reserved:
        log.warning("provider billed %d micro-dollars against a reservation of %d", cost, reserved)
    return min(cost, reserved)
