"""The audit report's one JSON shape, for `GET /v1/admin/audit/provider` and
`imagestudio audit provider --json` alike: money as micro-dollars and as a dollar string."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from imagestudio.application.audit.report import (
    AuditReport,
    Difference,
    ProviderAudit,
    Unbilled,
)
from imagestudio.domain.money import Micros, format_usd


def _usd(micros: Micros | None) -> str | None:
    return None if micros is None else format_usd(micros)


class DifferenceOut(BaseModel):
    kind: str = Field(
        description="billed_not_recorded, billed_unsettled, recorded_not_billed, "
        "amount_mismatch or balance_mismatch"
    )
    detail: str
    action: str = Field(description="What to do about it.")
    operation_id: str | None
    task_ids: list[str]
    recorded_micros: int | None = Field(description="Our provider cost; null: none recorded.")
    recorded_usd: str | None
    billed_micros: int | None = Field(description="What the provider billed; null: nothing.")
    billed_usd: str | None

    @classmethod
    def of(cls, difference: Difference) -> DifferenceOut:
        return cls(
            kind=difference.kind.value,
            detail=difference.detail,
            action=difference.action,
            operation_id=difference.operation_id,
            task_ids=list(difference.task_ids),
            recorded_micros=difference.recorded,
            recorded_usd=_usd(difference.recorded),
            billed_micros=difference.billed,
            billed_usd=_usd(difference.billed),
        )


class UnbilledOut(BaseModel):
    """A possible cost (a call never confirmed) the provider did not bill: no difference."""

    operation_id: str
    amount_micros: int
    amount_usd: str

    @classmethod
    def of(cls, unbilled: Unbilled) -> UnbilledOut:
        return cls(
            operation_id=unbilled.operation_id,
            amount_micros=unbilled.amount,
            amount_usd=format_usd(unbilled.amount),
        )


class ProviderAuditOut(BaseModel):
    provider: str
    method: str = Field(
        description="tasks (matched task by task), balance (only totals could be compared) "
        "or unreadable (the provider could not be asked)"
    )
    method_note: str = Field(description="How the comparison was made, and what it could not see.")
    lines: int
    recorded_cost_micros: int
    recorded_cost_usd: str
    unconfirmed_cost_micros: int
    billed_tasks: int | None
    billed_cost_micros: int | None
    billed_cost_usd: str | None
    matched_by_id: int
    matched_by_window: int
    differences: list[DifferenceOut]
    unbilled: list[UnbilledOut]

    @classmethod
    def of(cls, audit: ProviderAudit) -> ProviderAuditOut:
        return cls(
            provider=audit.provider,
            method=audit.method.value,
            method_note=audit.method_note,
            lines=audit.lines,
            recorded_cost_micros=audit.recorded_cost,
            recorded_cost_usd=format_usd(audit.recorded_cost),
            unconfirmed_cost_micros=audit.unconfirmed_cost,
            billed_tasks=audit.billed_tasks,
            billed_cost_micros=audit.billed_cost,
            billed_cost_usd=_usd(audit.billed_cost),
            matched_by_id=audit.matched_by_id,
            matched_by_window=audit.matched_by_window,
            differences=[DifferenceOut.of(d) for d in audit.differences],
            unbilled=[UnbilledOut.of(u) for u in audit.unbilled],
        )


class AuditReportOut(BaseModel):
    since: datetime
    until: datetime
    differences: int = Field(description="How many differences, over every provider.")
    providers: list[ProviderAuditOut]

    @classmethod
    def of(cls, report: AuditReport) -> AuditReportOut:
        return cls(
            since=report.since,
            until=report.until,
            differences=len(report.differences),
            providers=[ProviderAuditOut.of(audit) for audit in report.providers],
        )
