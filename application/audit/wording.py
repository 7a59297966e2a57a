"""Each kind of difference an audit finds, said once: what it is and what to do about it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from imagestudio.application.audit.report import Difference, DifferenceKind, ProviderAudit
from imagestudio.application.ports.provider_book import BilledTask
from imagestudio.domain.money import Micros, format_usd
from imagestudio.domain.usage_record import UsageRecord

K = DifferenceKind


def billed_not_recorded(task: BilledTask) -> Difference:
    return Difference(
        kind=K.BILLED_NOT_RECORDED,
        detail=(
            f"the provider billed task {task.task_id} ({task.route}, {format_usd(task.amount)}, "
            f"{_when(task.billed_at)}) and no ledger line names it or matches it by model, "
            "price and time: it was neither charged nor recorded as our cost"
        ),
        action=(
            "look for our operation sent then (`imagestudio reconcile` lists every unsettled "
            "one; `imagestudio operations list --user … --since …`): if it is ours, its ledger "
            "line is missing and the cost the provider billed is the operator's; if it is not, "
            "dispute the task with the provider and find who else holds the account's key"
        ),
        task_ids=(task.task_id,),
        billed=task.amount,
    )


def billed_unsettled(task: BilledTask, operation_id: str, status: str) -> Difference:
    return Difference(
        kind=K.BILLED_UNSETTLED,
        detail=(
            f"the provider billed task {task.task_id} ({format_usd(task.amount)}, "
            f"{_when(task.billed_at)}) for operation {operation_id}, which is still {status}"
        ),
        action=(
            "let reconciliation settle it (`imagestudio reconcile`, or the server's own "
            "rounds once its lease runs out); the next audit matches it"
        ),
        operation_id=operation_id,
        task_ids=(task.task_id,),
        billed=task.amount,
    )


def recorded_not_billed(line: UsageRecord, confirmed: Micros) -> Difference:
    charged = line.user_charge > 0
    refund = format_usd(line.user_charge).lstrip("$")
    action = (
        f"the user {line.user_id} was charged {format_usd(line.user_charge)} for it: check "
        f"that its outputs came from the provider (`imagestudio operations show "
        f"{line.operation_id} --user {line.user_id}`); if not, refund with "
        f"`imagestudio ledger adjust --user {line.user_id} --amount -{refund} --reason …`"
        if charged
        else "nothing is owed to anyone: our recorded cost overstates the provider's bill; "
        "check why the operation recorded a confirmed provider cost"
    )
    return Difference(
        kind=K.RECORDED_NOT_BILLED,
        detail=(
            f"operation {line.operation_id} ({line.model_id}, {line.outcome}, finished "
            f"{_when(line.finished_at)}) records a provider cost of {format_usd(confirmed)}"
            + (f" and a charge of {format_usd(line.user_charge)}" if charged else "")
            + ", but the provider's book shows no task for it"
            + (
                f" (its task ids: {', '.join(line.provider_task_ids)})"
                if line.provider_task_ids
                else ""
            )
        ),
        action=action,
        operation_id=line.operation_id,
        task_ids=line.provider_task_ids,
        recorded=line.provider_cost,
    )


def amount_mismatch(line: UsageRecord, tasks: Sequence[BilledTask], billed: Micros) -> Difference:
    unconfirmed = (
        f" ({format_usd(line.unconfirmed_cost)} of it possible only)"
        if line.unconfirmed_cost
        else ""
    )
    return Difference(
        kind=K.AMOUNT_MISMATCH,
        detail=(
            f"operation {line.operation_id} ({line.model_id}) records a provider cost of "
            f"{format_usd(line.provider_cost)}{unconfirmed}; the provider billed "
            f"{format_usd(billed)} for task(s) {', '.join(t.task_id for t in tasks)}"
        ),
        action=(
            "compare the model's price in the catalog (models.toml) with the provider's price "
            "list: if the provider's changed, update the catalog (a price lives there only); "
            "if the provider billed past its price, dispute the task with it"
        ),
        operation_id=line.operation_id,
        task_ids=tuple(task.task_id for task in tasks),
        recorded=line.provider_cost,
        billed=billed,
    )


def balance_mismatch(
    spent: Micros, recorded: Micros, unconfirmed: Micros, opening: Micros, closing: Micros
) -> Difference:
    return Difference(
        kind=K.BALANCE_MISMATCH,
        detail=(
            f"the balance went from {format_usd(opening)} to {format_usd(closing)} ("
            + (f"spent {format_usd(spent)}" if spent >= 0 else f"up {format_usd(-spent)}")
            + f"); our ledger records a provider cost of {format_usd(recorded)}"
            + (f", {format_usd(unconfirmed)} of it possible only" if unconfirmed else "")
        ),
        action=(
            "top-ups and refunds move the balance too (WaveSpeed refunds failed tasks within "
            "3 hours): rule them out, then compare the provider's usage page with "
            "`imagestudio usage export` over the same span; this provider shows a balance "
            "only, so no single task can be named"
        ),
        recorded=recorded,
        billed=spent,
    )


def unused_opening(audit: ProviderAudit, opening: Micros) -> ProviderAudit:
    """`audit` of a provider whose book lists its tasks, saying the opening balance the operator
    gave for it went unused (silence would let them believe the balance was compared)."""
    return replace(
        audit,
        method_note=f"{audit.method_note}; the opening balance given ({format_usd(opening)}) "
        "was not used: this book names every task, so no balance is compared",
    )


def _when(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
