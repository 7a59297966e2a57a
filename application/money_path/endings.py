"""What a finished operation becomes, from its verdict: the operation in its final status, what
its caller (or its idempotency key) gets back, and its ledger line."""

from __future__ import annotations

from datetime import datetime

from returns.result import Failure, Success

from imagestudio.application.money_path.ledger_line import line_for
from imagestudio.application.money_path.verdict import Verdict
from imagestudio.application.operation_ports import StoredOutcome
from imagestudio.application.requests import OperationResult
from imagestudio.domain.asset import Asset
from imagestudio.domain.errors import Cancelled, OutcomeUnknown
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.reservation import Reservation
from imagestudio.domain.usage_record import UsageRecord

S = OperationStatus


def moved(
    operation: ImageOperation, to: OperationStatus, at: datetime, **changes: object
) -> ImageOperation:
    """`operation` in status `to` with `changes`; via `submitted` when the provider was reached
    without the adapter reporting `sending()` (a `reserved` operation cannot succeed or be
    unknown)."""
    direct = operation.advance(to, at, **changes)
    if isinstance(direct, Success):
        advanced: ImageOperation = direct.unwrap()
        return advanced
    submitted: ImageOperation = operation.advance(S.SUBMITTED, at).unwrap()
    moved: ImageOperation = submitted.advance(to, at, **changes).unwrap()
    return moved


def error_text(verdict: Verdict) -> str:
    return verdict.error.message if verdict.error is not None else verdict.reason


def unknown(operation: ImageOperation) -> OutcomeUnknown:
    return OutcomeUnknown(
        operation_id=operation.id,
        provider=operation.provider,
        provider_task_id=next(iter(operation.provider_task_ids), None),
    )


def result_of(
    operation: ImageOperation,
    verdict: Verdict,
    assets: tuple[Asset, ...],
    failed_reasons: tuple[str, ...],
) -> StoredOutcome:
    if verdict.status is S.SUCCEEDED:
        return Success(
            OperationResult(
                operation=operation,
                assets=assets,
                charged=verdict.charge,
                failed_outputs=failed_reasons,
            )
        )
    if verdict.status is S.UNKNOWN:
        return Failure(unknown(operation))
    if verdict.status is S.CANCELLED:
        return Failure(Cancelled(operation.id))
    assert verdict.error is not None
    return Failure(verdict.error)


def line_of(
    operation: ImageOperation,
    verdict: Verdict,
    assets: tuple[Asset, ...],
    reservation: Reservation,
    started: datetime,
    finished: datetime,
) -> UsageRecord | None:
    """The ledger line of the verdict (none when nothing is to be written)."""
    if verdict.outcome is None:
        return None
    return line_for(
        operation,
        verdict.outcome,
        period=reservation.period,
        started=started,
        finished=finished,
        outputs=verdict.outputs,
        charge=verdict.charge,
        cost=verdict.provider_cost,
        output_bytes=sum(asset.size_bytes for asset in assets),
        reason=verdict.reason,
        unconfirmed_cost=verdict.unconfirmed_cost,
    )
