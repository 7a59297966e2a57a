"""What an audit against the providers' books found: per provider, the method it could use,
the totals on both sides, and each difference with what to do about it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from imagestudio.domain.money import Micros


class AuditMethod(StrEnum):
    TASKS = "tasks"
    """The provider's book lists every billed task: matched task by task."""
    BALANCE = "balance"
    """The provider shows a balance only: totals compared, never single tasks."""
    UNREADABLE = "unreadable"
    """The provider could not be asked: nothing compared."""


class DifferenceKind(StrEnum):
    BILLED_NOT_RECORDED = "billed_not_recorded"
    """The provider billed a task we neither charged nor recorded as our own cost."""
    BILLED_UNSETTLED = "billed_unsettled"
    """The provider billed a task of an operation we have not settled yet."""
    RECORDED_NOT_BILLED = "recorded_not_billed"
    """A line records a charge or a confirmed provider cost, with no billed task behind it."""
    AMOUNT_MISMATCH = "amount_mismatch"
    """A line and the tasks matched with it disagree on the amount."""
    BALANCE_MISMATCH = "balance_mismatch"
    """The balance moved by another amount than we recorded over the span."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Difference:
    kind: DifferenceKind
    detail: str
    action: str
    """What to do about it, in the operator's commands."""
    operation_id: str | None = None
    task_ids: tuple[str, ...] = ()
    recorded: Micros | None = None
    """Our provider cost for it (None: we recorded nothing)."""
    billed: Micros | None = None
    """What the provider billed for it (None: nothing, or unknown for a balance)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Unbilled:
    """A cost kept as possible (a call never confirmed) that the provider did not bill: no
    difference — the call never reached it — but our recorded cost overstates the bill."""

    operation_id: str
    amount: Micros


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderAudit:
    provider: str
    method: AuditMethod
    method_note: str
    """How the comparison was made, and what it could not see."""
    lines: int
    """Our ledger lines of this provider finished in the span."""
    recorded_cost: Micros
    """Their provider cost (possible costs of unconfirmed calls included)."""
    unconfirmed_cost: Micros
    billed_tasks: int | None = None
    billed_cost: Micros | None = None
    """What the provider says it billed over the span (None when it could not say)."""
    matched_by_id: int = 0
    """Billed tasks matched with a line by the provider's task id."""
    matched_by_window: int = 0
    """Billed tasks matched with a line naming no task, by model, price and time."""
    differences: tuple[Difference, ...] = ()
    unbilled: tuple[Unbilled, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditReport:
    since: datetime
    until: datetime
    providers: tuple[ProviderAudit, ...]

    @property
    def differences(self) -> tuple[Difference, ...]:
        return tuple(d for audit in self.providers for d in audit.differences)
