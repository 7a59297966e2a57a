"""RFC 9457 problems: one stable `type` per domain error, and status codes chosen so that
standard clients retry only what is worth retrying."""

from __future__ import annotations

from dataclasses import replace

from imagestudio.domain.errors import (
    AmbiguousApiKey,
    AssetNotFound,
    Cancelled,
    IdempotencyConflict,
    IdempotencyInProgress,
    InputProblem,
    InvalidInput,
    NoThumbnail,
    OperationNotFound,
    ProviderNotConfigured,
    UnknownApiKey,
    UnknownModel,
    UnknownPlan,
    UnknownUser,
    UnsupportedKind,
    UserBusy,
    UserExists,
    WebhookRefused,
)
from imagestudio.entrypoints.http.limit_problems import limit_problem
from imagestudio.entrypoints.http.outcome_problems import outcome_problem
from imagestudio.entrypoints.http.problem_shape import NO_RETRY, PROBLEM_TYPES, Problem

__all__ = ["NO_RETRY", "PROBLEM_TYPES", "Problem", "problem_for"]

_INPUT_STATUS = {
    InputProblem.INVALID: 422,
    InputProblem.TOO_LARGE: 413,
    InputProblem.UNSUPPORTED_FORMAT: 415,
}


_BODY_FIELDS = {"outputs": "n"}
"""Use-case fields every body that asks for them (this API's, OpenAI's, the MCP tools', the
studio's form) calls by another name: a refusal names the field the client sent."""


def problem_for(error: object) -> Problem:
    """The problem a domain error is answered with."""
    if isinstance(error, InvalidInput) and error.field in _BODY_FIELDS:
        error = replace(error, field=_BODY_FIELDS[error.field])
    message = str(getattr(error, "message", error))
    if isinstance(error, InvalidInput):
        return Problem(
            status=_INPUT_STATUS[error.problem],
            slug=f"invalid-input/{error.problem.value.replace('_', '-')}",
            title="Invalid input",
            detail=message,
            extra={"field": error.field, "reason": error.reason}
            | ({"accepted": list(error.accepted)} if error.accepted else {}),
        )
    found = limit_problem(error, message) or outcome_problem(error, message)
    if found is not None:
        return found
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
    return Problem(status=500, slug="internal", title="Internal error", detail="unexpected error")
