"""The problems of a run that did not end well: the provider refused or failed, the output was
withheld or could not be stored or recorded, or the outcome at the provider is unknown."""

from __future__ import annotations

from imagestudio.domain.errors import (
    NotRecorded,
    OutcomeUnknown,
    OutputFiltered,
    OutputLost,
    ProviderErrorKind,
    ProviderFailed,
)
from imagestudio.entrypoints.http.problem_shape import NO_RETRY, Problem

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


def outcome_problem(error: object, message: str) -> Problem | None:
    """The problem of a run's ending; None for any other error."""
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
    return None
