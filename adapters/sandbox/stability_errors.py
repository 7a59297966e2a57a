"""Stability's error bodies: v2beta `{id, name, errors}`, v1 `{id, name, message}` (§2.4-2.5)."""

from __future__ import annotations

import uuid

from starlette.responses import JSONResponse

MODERATED = (
    "Your request was flagged by our content moderation system, as a result your request was "
    "denied and you were not charged."
)
INTERNAL = "An unexpected server error has occurred, please try again later."
TOO_LARGE = "body: payloads cannot be larger than 10MiB in size"
NOT_FOUND = "id: the generation either does not exist or has expired."
NOT_ENGLISH = "English is the only supported language for this service."
NO_CREDITS = (
    "You lack sufficient credits to make this request. Please purchase more credits at "
    "https://platform.stability.ai/account/credits and try again."
)
RATE_LIMITED = "rate_limit_exceeded"
"""Both the name and, unlike every other error, the id of a 429."""

_FAULT_NAMES = {
    500: "internal_error",
    502: "bad_gateway",
    503: "service_unavailable",
    429: RATE_LIMITED,
}
_FAULT_MESSAGES = {
    500: INTERNAL,
    502: "The server received an invalid response from an upstream server.",
    503: "The service is temporarily unavailable, please try again later.",
    429: "You have exceeded the rate limit, please slow down.",
}


class Refusal(Exception):
    """A request the service turns down; becomes a v2beta error reply."""

    def __init__(self, status: int, name: str, *errors: str) -> None:
        super().__init__(f"{status} {name}: {'; '.join(errors)}")
        self.status = status
        self.name = name
        self.errors = errors

    def response(self) -> JSONResponse:
        return v2beta_error(self.status, self.name, *self.errors)


def bad_request(*errors: str) -> Refusal:
    return Refusal(400, "bad_request", *errors)


def v2beta_error(status: int, name: str, *errors: str) -> JSONResponse:
    """`{"id": <32 hex>, "name": ..., "errors": [...]}`; a 429's id is its name."""
    error_id = RATE_LIMITED if name == RATE_LIMITED else uuid.uuid4().hex
    return JSONResponse({"id": error_id, "name": name, "errors": list(errors)}, status)


def v1_error(status: int, name: str, message: str) -> JSONResponse:
    error_id = RATE_LIMITED if name == RATE_LIMITED else uuid.uuid4().hex
    return JSONResponse({"id": error_id, "name": name, "message": message}, status)


def v2beta_fault(status: int) -> JSONResponse:
    """A scripted 5xx/429, as the v2beta routes would answer it."""
    return v2beta_error(status, _FAULT_NAMES[status], _FAULT_MESSAGES[status])


def v1_fault(status: int) -> JSONResponse:
    return v1_error(status, _FAULT_NAMES[status], _FAULT_MESSAGES[status])


def rate_limit_message(requests: int, window_seconds: float, lockout_seconds: float) -> str:
    return (
        f"You have exceeded the rate limit of {requests} requests within a "
        f"{window_seconds:g} second period, and have been timed out for "
        f"{lockout_seconds:g} seconds."
    )
