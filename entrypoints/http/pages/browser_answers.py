"""Refusals made before any page's route could answer (an address nothing serves, a method the
route does not take, a body past the server's limit, an unexpected error) are the error page
when a person's browser asked for a page, never the API's problem JSON: a browser showing the
pages asks for HTML and sends no API key. The API (`/v1` and the other machine routes) answers
its problem JSON whatever the client accepts."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from starlette.types import Scope

from imagestudio.entrypoints.http.pages.page_errors import render_problem
from imagestudio.entrypoints.http.pages.return_paths import return_path
from imagestudio.entrypoints.http.problems import Problem

MACHINE_PATHS = ("/v1/", "/mcp", "/openapi.json", "/healthz", "/metrics", "/docs-assets/")
"""Routes for programs: never answered with a page."""


def wants_page(request: Request) -> bool:
    headers = request.headers
    if "authorization" in headers:
        return False
    if not headers.get("hx-request") and "text/html" not in headers.get("accept", ""):
        return False
    root = str(request.scope.get("root_path", "")).rstrip("/")
    path = request.url.path.removeprefix(root) or "/"
    return not (path + "/").startswith(MACHINE_PATHS) and not path.startswith(MACHINE_PATHS)


def page_answer(scope: Scope, problem: Problem) -> Response | None:
    """The error page for `problem` if the request is a browser's visit to the pages; else None
    (the caller answers JSON). A form's POST offers the way back to the page it came from."""
    request = Request(scope)
    if not wants_page(request):
        return None
    back = return_path(request) if request.method not in ("GET", "HEAD") else None
    return render_problem(request, problem, back=back)
