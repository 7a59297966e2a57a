"""The refusal of new work while the server drains its jobs: 503 `shutting-down`, one problem
wherever work is asked for (the API, OpenAI's routes, MCP, the studio's pages)."""

from __future__ import annotations

from imagestudio.entrypoints.http.problems import Problem

RETRY_ELSEWHERE = "this server is shutting down; retry on another"


def shutting_down(detail: str = RETRY_ELSEWHERE, *, retry_after: bool = True) -> Problem:
    """The problem; `retry_after`: with a `retry-after` header, for answers a client retries."""
    return Problem(
        status=503,
        slug="shutting-down",
        title="Shutting down",
        detail=detail,
        headers={"retry-after": "1"} if retry_after else {},
    )
