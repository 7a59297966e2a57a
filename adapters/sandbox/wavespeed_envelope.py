"""WaveSpeed's reply envelope: `{code, message, data}` on success, `{code, message}` otherwise."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import JSONResponse

_FAULT_MESSAGES = {
    429: "Too many requests: rate limit exceeded",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service temporarily unavailable",
}


def success(data: Mapping[str, object]) -> JSONResponse:
    """HTTP 200 with the data inside the envelope; `code` mirrors the status."""
    return JSONResponse({"code": 200, "message": "success", "data": dict(data)})


def failure(status: int, message: str) -> JSONResponse:
    """A non-2xx reply: the envelope without `data`."""
    return JSONResponse({"code": status, "message": message}, status_code=status)


def fault_failure(status: int) -> JSONResponse:
    """The reply a scripted 5xx or 429 fault puts in place of the real one."""
    return failure(status, _FAULT_MESSAGES.get(status, f"Error {status}"))


def unauthorized() -> JSONResponse:
    return failure(401, "Unauthorized: missing or invalid API key")
