"""The problems of a limit that refused: the user's plan (calls, spend, storage, rate), the
service's provider budget, a refund larger than the spend. Each says whose limit it is, and
whether retrying can help."""

from __future__ import annotations

from imagestudio.domain.errors import (
    OperatorBudgetExhausted,
    QuotaExceeded,
    RateLimited,
    RefundTooLarge,
    StorageQuotaExceeded,
)
from imagestudio.domain.money import format_usd
from imagestudio.entrypoints.http.problem_shape import NO_RETRY, Problem


def limit_problem(error: object, message: str) -> Problem | None:
    """The problem of a limit's refusal; None for any other error."""
    if isinstance(error, QuotaExceeded):
        money = error.is_money
        return Problem(
            status=402,
            slug="quota-exceeded",
            title="Your plan's limit for this period is reached",
            detail=message,
            extra={
                "limit_name": error.limit_name,
                "used": format_usd(error.used) if money else error.used,
                "held": format_usd(error.held) if money else error.held,
                "limit": format_usd(error.limit) if money else error.limit,
                "requested": format_usd(error.requested) if money else error.requested,
                "resets_at": error.resets_at.isoformat(),
            },
            headers=NO_RETRY,
        )
    if isinstance(error, StorageQuotaExceeded):
        return Problem(
            status=402,
            slug="storage-quota-exceeded",
            title="Your plan's storage is full",
            detail=message,
            extra={"limit_name": "storage", "used": error.used, "limit": error.limit},
            # Retrying alone never helps: only deleting assets makes room.
            headers=NO_RETRY,
        )
    if isinstance(error, RateLimited):
        return Problem(
            status=429,
            slug="rate-limited",
            title="Too many requests for your plan",
            detail=message,
            extra={"limit_name": error.limit_name, "limit": error.limit},
            headers={"retry-after": str(max(1, error.retry_after_seconds))},
        )
    if isinstance(error, OperatorBudgetExhausted):
        return Problem(
            status=503,
            slug="service-budget-exhausted",
            title="The service's provider budget is exhausted (not your quota)",
            detail=message,
            extra={"provider": error.provider, "resets_at": error.resets_at.isoformat()},
            headers=NO_RETRY,
        )
    if isinstance(error, RefundTooLarge):
        return Problem(
            status=422,
            slug="refund-too-large",
            title="Refund too large",
            detail=message,
            extra={"field": "amount", "reason": message},
        )
    return None
