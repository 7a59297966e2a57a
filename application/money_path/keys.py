"""What becomes of an idempotency key when its operation settles."""

from __future__ import annotations

from returns.result import Success

from imagestudio.application.money_path.settle import FinishKey, ForgetKey, KeepKey, KeyChange
from imagestudio.application.operation_ports import StoredOutcome
from imagestudio.domain.errors import OperationError, ProviderFailed
from imagestudio.domain.operation import OperationStatus

S = OperationStatus


def key_change(outcome: StoredOutcome, status: OperationStatus, may_fall_back: bool) -> KeyChange:
    """A definite outcome is replayed; unknown keeps the key until reconciled; a cancellation
    before sending frees it; a failure another provider may still cure waits for that one."""
    if status is S.UNKNOWN:
        return KeepKey()
    if status is S.CANCELLED:
        return ForgetKey()
    if falls_back(outcome, may_fall_back, status):
        return KeepKey()
    return FinishKey(outcome)


def falls_back(outcome: StoredOutcome, may_fall_back: bool, status: OperationStatus) -> bool:
    """Whether the request moves on to another provider after this outcome (if one is left)."""
    return may_fall_back and status is S.FAILED and worth_another_provider(outcome)


def worth_another_provider(outcome: StoredOutcome) -> bool:
    """Only the provider's own trouble (rate limit, outage) is worth another provider."""
    if isinstance(outcome, Success):
        return False
    error: OperationError = outcome.failure()
    return isinstance(error, ProviderFailed) and error.kind.may_try_elsewhere
