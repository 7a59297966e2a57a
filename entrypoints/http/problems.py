"""RFC 9457 problems: one stable `type` per domain error, and status codes chosen so that
standard clients retry only what is worth retrying."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from imagestudio.domain.errors import (
    AmbiguousApiKey,
    AssetNotFound,
    Cancelled,
    IdempotencyConflict,
    IdempotencyInProgress,
    InputProblem,
    InvalidInput,
    NoThumbnail,
    NotRecorded,
    OperationNotFound,
    OperatorBudgetExhausted,
    OutcomeUnknown,
    OutputFiltered,
    OutputLost,
    ProviderErrorKind,
    ProviderFailed,
    ProviderNotConfigured,
    QuotaExceeded,
    RateLimited,
    RefundTooLarge,
    StorageQuotaExceeded,
    UnknownApiKey,
    UnknownModel,
    UnknownPlan,
    UnknownUser,
    UnsupportedKind,
    UserBusy,
    UserExists,
    WebhookRefused,
)
from imagestudio.domain.money import format_usd

PROBLEM_TYPES = "/problems/"
"""Problem types are relative URIs under this path (RFC 9457 §3.1.1)."""
NO_RETRY = {"x-should-retry": "false"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    status: int
    slug: str
    title: str
    detail: str
    extra: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def type(self) -> str:
        return PROBLEM_TYPES + self.slug

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance is not None:
            body["instance"] = instance
        body.update(self.extra)
        return body


_INPUT_STATUS = {
    InputProblem.INVALID: 422,
    InputProblem.TOO_LARGE: 413,
    InputProblem.UNSUPPORTED_FORMAT: 415,
}

_PROVIDER = {
    # kind: (status, slug, retry headers)
    ProviderErrorKind.INVALID_INPUT: (422, "provider-rejected-input", {}),
    ProviderErrorKind.MODERATION: (422, "content-moderated", {}),
    ProviderErrorKind.NOT_SUPPORTED: (422, "not-supported", {}),
    ProviderErrorKind.AUTH: (502, "provider-auth-failed", NO_RETRY),
    ProviderErrorKind.OUT_OF_CREDIT: (503, "provider-out-of-credit", NO_RETRY),
    ProviderErrorKind.RATE_LIMITED: (503, "provider-rate-limited", {"retry-after": "10"}),
    ProviderErrorKind.UNAVAILABLE: (503, "provider-unavailable", {"retry-after": "5"}),
}


def problem_for(error: object) -> Problem:
    """The problem a domain error is answered with."""
    message = str(getattr(error, "message", error))
    if isinstance(error, InvalidInput):
        return Problem(
            status=_INPUT_STATUS[error.problem],
            slug=f"invalid-input/{error.problem.value.replace('_', '-')}",
            title="Invalid input",
            detail=message,
            extra={"field": error.field, "reason": error.reason},
        )
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
    if isinstance(error, ProviderFailed):
        status, slug, headers = _PROVIDER[error.kind]
        return Problem(
            status=status,
            slug=slug,
            title=f"The provider could not do it ({error.kind.value})",
            detail=message,
            extra={"provider": error.provider, "kind": error.kind.value},
            headers=dict(headers),
        )
    if isinstance(error, OutputFiltered):
        return Problem(
            status=422,
            slug="output-filtered",
            title="The provider withheld the output",
            detail=message,
            extra={"provider": error.provider},
        )
    if isinstance(error, OutputLost):
        return Problem(
            status=503,
            slug="output-lost",
            title="The result could not be stored",
            detail=message,
            headers={"retry-after": "5"},
        )
    if isinstance(error, NotRecorded):
        return Problem(
            status=503,
            slug="not-recorded",
            title="The operation could not be recorded",
            detail=message,
            headers={"retry-after": "1"},
        )
    if isinstance(error, OutcomeUnknown):
        return Problem(
            status=504,
            slug="outcome-unknown",
            title="The outcome at the provider is unknown",
            detail=message,
            extra={"operation_id": error.operation_id, "provider": error.provider},
            headers=NO_RETRY,
        )
    if isinstance(error, IdempotencyConflict | IdempotencyInProgress):
        conflict = isinstance(error, IdempotencyConflict)
        return Problem(
            status=409,
            slug="idempotency-conflict" if conflict else "idempotency-in-progress",
            title="Idempotency key reused" if conflict else "Request still in progress",
            detail=message,
            headers=NO_RETRY,
        )
    if isinstance(error, Cancelled):
        return Problem(status=409, slug="cancelled", title="Cancelled", detail=message)
    if isinstance(
        error, UnknownModel | AssetNotFound | OperationNotFound | UnknownPlan | UnknownApiKey
    ):
        slug = {
            UnknownModel: "unknown-model",
            AssetNotFound: "asset-not-found",
            OperationNotFound: "operation-not-found",
            UnknownPlan: "unknown-plan",
            UnknownApiKey: "unknown-api-key",
        }[type(error)]
        return Problem(status=404, slug=slug, title="Not found", detail=message)
    if isinstance(error, NoThumbnail):
        return Problem(
            status=404,
            slug="no-thumbnail",
            title="No thumbnail",
            detail=message,
            extra={"media_type": error.media_type},
            headers=NO_RETRY,
        )
    if isinstance(error, UnsupportedKind | ProviderNotConfigured):
        slug = "unsupported-kind" if isinstance(error, UnsupportedKind) else "model-unavailable"
        return Problem(
            status=422,
            slug=slug,
            title="Model cannot serve this",
            detail=message,
            extra={"field": "model", "reason": message},
        )
    if isinstance(error, UnknownUser):
        return Problem(status=404, slug="unknown-user", title="Unknown user", detail=message)
    if isinstance(error, UserExists | AmbiguousApiKey):
        slug = "user-exists" if isinstance(error, UserExists) else "ambiguous-api-key"
        return Problem(status=409, slug=slug, title="Conflict", detail=message)
    if isinstance(error, UserBusy):
        return Problem(
            status=409,
            slug="user-busy",
            title="The user has operations not settled yet",
            detail=message,
            extra={"operation_ids": list(error.operation_ids)},
            headers={"retry-after": "60"},
        )
    if isinstance(error, WebhookRefused):
        return Problem(
            status=422,
            slug="webhook-refused",
            title="Webhook destination refused",
            detail=message,
            extra={"field": "webhook", "reason": error.reason},
            # The same destination is refused again until the request names another.
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
    return Problem(status=500, slug="internal", title="Internal error", detail="unexpected error")
