"""OpenAI's error body, `{"error": {"message", "type", "code", "param"}}`, for the routes that
imitate OpenAI's images API: the same problems, statuses and retry headers as everywhere else,
in the shape the `openai` client reads."""

from __future__ import annotations

from typing import Any

from starlette.types import Scope

from imagestudio.entrypoints.http.problems import Problem

OPENAI_PATHS = frozenset({"/v1/images/generations", "/v1/images/edits", "/v1/images/variations"})
OPENAI_PREFIX = "/v1/images/"
"""Where OpenAI's images API lives: a path under it that no route serves (another method,
another endpoint) is answered in OpenAI's shape too."""
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
    # On these routes only `moderation=low` sets it (openai_options.py).
    "parameters.enable_safety_checker": "moderation",
}


def speaks_openai(scope: Scope) -> bool:
    """Whether the request went to one of OpenAI's routes (by its template, so wherever the app
    is mounted), or to a path under OpenAI's images API that none serves."""
    template = getattr(scope.get("route"), "path", None)
    if template is not None:
        return template in OPENAI_PATHS
    path: str = scope.get("path", "")
    mounted: str = scope.get("root_path", "")
    if mounted and path.startswith(mounted):
        path = path[len(mounted) :]
    return path.startswith(OPENAI_PREFIX)


def error_body(problem: Problem) -> dict[str, Any]:
    field = problem.extra.get("field")
    details = {k: v for k, v in problem.extra.items() if k not in ("field", "reason")}
    kind = "server_error" if problem.status >= 500 else "invalid_request_error"
    param = None if field is None else _PARAMS.get(field, field)
    message = problem.detail
    ours = f"invalid {field}:"
    if param != field and message.startswith(ours):
        # The message names the field as the request sent it (`mask`), not as ours (`images[1]`).
        message = f"invalid {param}:{message[len(ours) :]}"
    return {
        "error": {
            **details,
            "message": message,
            "type": _TYPES.get(problem.status, kind),
            "code": problem.slug,
            "param": param,
        }
    }
