"""The bodies of `GET /v1/operations`: each operation with what it holds of the caller's plan and
what it waits for, and a page of them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from imagestudio.application.operation_views import Held, OperationView
from imagestudio.application.operation_waits import Wait
from imagestudio.domain.money import format_usd


class HeldOut(BaseModel):
    """What the operation's reservation still holds of the plan (in `GET /v1/usage`'s held)."""

    category: str
    outputs: int = Field(description="Of the plan's calls for `category`.")
    spend_micros: int = Field(description="Of the spend cap: the most it can cost.")
    spend_usd: str
    concurrency: int = Field(description="Of the plan's concurrent operations.")

    @classmethod
    def of(cls, held: Held) -> HeldOut:
        return cls(
            category=held.category.value,
            outputs=held.outputs,
            spend_micros=held.spend,
            spend_usd=format_usd(held.spend),
            concurrency=held.concurrency,
        )


class WaitOut(BaseModel):
    """What an unfinished operation waits for."""

    reason: str = Field(
        description="`running` (its process renews a lease), `sweep` (its process stopped; the "
        "sweeper settles it), `provider-task` (outcome unknown; reconciliation looks the task "
        "up), `unconfirmed` (outcome unknown, no task to look up; released after the delay)."
    )
    detail: str
    next_at: datetime = Field(
        description="When it is next acted on: at the first round after this moment (past: "
        "due at the next round)."
    )
    until: datetime | None = Field(
        description="When the waiting ends at the latest (given up on and released)."
    )
    task_ids: list[str] = Field(description="The provider's tasks it waits on.")

    @classmethod
    def of(cls, wait: Wait) -> WaitOut:
        return cls(
            reason=wait.reason.value,
            detail=wait.detail,
            next_at=wait.next_at,
            until=wait.until,
            task_ids=list(wait.task_ids),
        )


class OperationItemOut(BaseModel):
    """One operation as a listing shows it (its assets by id: `GET /v1/operations/{id}`)."""

    id: str
    status: str
    kind: str
    model: str
    provider: str
    charged_micros: int
    charged_usd: str
    error: str | None = None
    asset_ids: list[str]
    created_at: datetime
    updated_at: datetime
    held: HeldOut | None = Field(description="None once nothing is held.")
    waiting: WaitOut | None = Field(description="None once the operation is final.")

    @classmethod
    def of(cls, view: OperationView) -> OperationItemOut:
        operation = view.operation
        return cls(
            id=operation.id,
            status=operation.status.value,
            kind=operation.kind.value,
            model=operation.model_id,
            provider=operation.provider,
            charged_micros=operation.charged,
            charged_usd=format_usd(operation.charged),
            error=operation.error,
            asset_ids=list(operation.asset_ids),
            created_at=operation.created_at,
            updated_at=operation.updated_at,
            **standing(view),
        )


def standing(view: OperationView) -> dict[str, HeldOut | WaitOut | None]:
    """The `held` and `waiting` fields of an operation's body."""
    return {
        "held": None if view.held is None else HeldOut.of(view.held),
        "waiting": None if view.wait is None else WaitOut.of(view.wait),
    }


class OperationPageOut(BaseModel):
    items: list[OperationItemOut]
    next_cursor: str | None = None
    """Pass it back as `cursor`, with the same filters, for the next page."""
