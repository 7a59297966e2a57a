"""OpenAI's error body, `{"error": {"message", "type", "code", "param"}}`, for the routes that
imitate OpenAI's images API: the same problems, statuses and retry headers as everywhere else,
in the shape the `openai` client reads."""

from __future__ import annotations

from typing import Any

from starlette.types import Scope

from imagestudio.entrypoints.http.problems import Problem

OPENAI_PATHS = frozenset({"/v1/images/generations", "/v1/images/edits"})
_TYPES = {
    401: "authentication_error",
    402: "insufficient_quota",
    403: "permission_error",
    429: "rate_limit_error",
}
_PARAMS = {
    "width": "size",
    "height": "size",
    "images[0]": "image",
    "images[1]": "mask",
}


def speaks_openai(scope: Scope) -> bool:
    """Whether the request went to one of OpenAI's routes (by its template, so wherever the app
    is mounted)."""
    return getattr(scope.get("route"), "path", None) in OPENAI_PATHS


def error_body(problem: Problem) -> dict[str, Any]:
    field = problem.extra.get("field")
    details = {k: v for k, v in problem.extra.items() if k not in ("field", "reason")}
    kind = "server_error" if problem.status >= 500 else "invalid_request_error"
    return {
        "error": {
            **details,
            "message": problem.detail,
            "type": _TYPES.get(problem.status, kind),
            "code": problem.slug,
            "param": None if field is None else _PARAMS.get(field, field),
        }
    }
