"""Every domain error has one problem type and the status rule of DESIGN.md."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from imagestudio.domain.errors import (
    AmbiguousApiKey,
    AssetNotFound,
    Cancelled,
    IdempotencyConflict,
    IdempotencyInProgress,
    InputProblem,
    InvalidInput,
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
    UnknownApiKey,
    UnknownModel,
    UnknownPlan,
    UnknownUser,
    UnsupportedKind,
    UserExists,
)
from imagestudio.entrypoints.http.problems import problem_for

WHEN = datetime(2026, 12, 1, tzinfo=UTC)
K = ProviderErrorKind


def failed(kind: ProviderErrorKind) -> ProviderFailed:
    return ProviderFailed(provider="wavespeed", kind=kind, detail="x")


CASES = [
    # error, status, slug, must say "do not retry"
    (
        InvalidInput("size", "too big", InputProblem.TOO_LARGE),
        413,
        "invalid-input/too-large",
        False,
    ),
    (
        InvalidInput("image", "gif", InputProblem.UNSUPPORTED_FORMAT),
        415,
        "invalid-input/unsupported-format",
        False,
    ),
    (InvalidInput("prompt", "empty"), 422, "invalid-input/invalid", False),
    (
        QuotaExceeded(
            user_id="u", limit_name="spend", used=1, held=0, limit=1, requested=1, resets_at=WHEN
        ),
        402,
        "quota-exceeded",
        True,
    ),
    (
        RateLimited(user_id="u", limit_name="requests per minute", limit=3, retry_after_seconds=20),
        429,
        "rate-limited",
        False,
    ),
    (
        OperatorBudgetExhausted(
            provider="wavespeed", used=1, held=0, limit=1, requested=1, resets_at=WHEN
        ),
        503,
        "service-budget-exhausted",
        True,
    ),
    (failed(K.OUT_OF_CREDIT), 503, "provider-out-of-credit", True),
    (failed(K.UNAVAILABLE), 503, "provider-unavailable", False),
    (failed(K.RATE_LIMITED), 503, "provider-rate-limited", False),
    (failed(K.AUTH), 502, "provider-auth-failed", True),
    (failed(K.MODERATION), 422, "content-moderated", False),
    (failed(K.INVALID_INPUT), 422, "provider-rejected-input", False),
    (failed(K.NOT_SUPPORTED), 422, "not-supported", False),
    (OutputFiltered(provider="stability", detail="nsfw"), 422, "output-filtered", False),
    (OutputLost(detail="disk"), 503, "output-lost", False),
    (
        OutcomeUnknown(operation_id="op", provider="p", provider_task_id=None),
        504,
        "outcome-unknown",
        True,
    ),
    (IdempotencyConflict("k"), 409, "idempotency-conflict", True),
    (IdempotencyInProgress("k"), 409, "idempotency-in-progress", True),
    (Cancelled("op"), 409, "cancelled", False),
    (UnknownModel("m"), 404, "unknown-model", False),
    (AssetNotFound("a"), 404, "asset-not-found", False),
    (UnknownPlan("p"), 404, "unknown-plan", False),
    (UnknownApiKey("isk_"), 404, "unknown-api-key", False),
    (UnknownUser("u"), 404, "unknown-user", False),
    (UnsupportedKind("m", "upscale"), 422, "unsupported-kind", False),
    (ProviderNotConfigured("wavespeed", "m"), 422, "model-unavailable", False),
    (UserExists("u"), 409, "user-exists", False),
    (AmbiguousApiKey("isk", ("a", "b")), 409, "ambiguous-api-key", False),
    (
        RefundTooLarge(user_id="u", period="2026-11-01", used=1, refund=2),
        422,
        "refund-too-large",
        False,
    ),
]


@pytest.mark.parametrize(("error", "status", "slug", "no_retry"), CASES)
def test_each_error_has_its_problem(error: object, status: int, slug: str, no_retry: bool) -> None:
    problem = problem_for(error)

    assert (problem.status, problem.type) == (status, f"/problems/{slug}")
    assert (problem.headers.get("x-should-retry") == "false") is no_retry
    assert problem.detail == error.message  # type: ignore[attr-defined]
    if status in (429, 503) and not no_retry:
        assert int(problem.headers["retry-after"]) >= 1


@pytest.mark.parametrize(("error", "status", "slug", "no_retry"), CASES)
def test_each_refusal_of_the_request_names_its_field_and_rule(
    error: object,
    status: int,  # noqa: ARG001
    slug: str,  # noqa: ARG001
    no_retry: bool,  # noqa: ARG001
) -> None:
    """A 422 says which field to change and why; only the provider's own verdicts (moderation,
    a model refusing what it was sent) have no field of the request to name."""
    problem = problem_for(error)

    if problem.status == 422 and not isinstance(error, ProviderFailed | OutputFiltered):
        assert problem.extra["field"] and problem.extra["reason"], problem
