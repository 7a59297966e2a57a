"""Errors on the pages: an HTML page with the problem's title and detail (the API's problem
vocabulary), and a refusal's limit and when it clears; a visit with no session goes to the
sign-in page (htmx requests are told with `HX-Redirect`)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from imagestudio.entrypoints.http.pages.refusals import refusal_facts
from imagestudio.entrypoints.http.pages.templating import render
from imagestudio.entrypoints.http.problems import Problem


class PageProblem(Exception):
    """Raised in a page route: answered with the error page (or fragment, for htmx)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.detail)
        self.problem = problem


class SignInNeeded(Exception):
    """No live session: the visit goes to the sign-in page, then back to `next_path`."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def render_problem(request: Request, problem: Problem, back: str | None = None) -> Response:
    """The error page (a fragment for htmx, which swaps it in place of what was asked for);
    `back`: the page to offer going back to (the form a refused POST came from)."""
    template = "_problem.html" if request.headers.get("hx-request") else "problem.html"
    # htmx swaps only 2xx answers by default: a fragment's refusal is answered 200 and says
    # its status in the page; the full page keeps the problem's own status.
    status = 200 if request.headers.get("hx-request") else problem.status
    return render(
        request,
        template,
        status=status,
        problem=problem,
        facts=refusal_facts(problem),
        back=back,
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(PageProblem)
    async def problem(request: Request, error: PageProblem) -> Response:
        return render_problem(request, error.problem)

    @app.exception_handler(SignInNeeded)
    async def sign_in(request: Request, error: SignInNeeded) -> Response:
        root = str(request.scope.get("root_path", "")).rstrip("/")
        target = f"{root}/sign-in?next={quote(error.next_path, safe='/')}"
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"hx-redirect": target})
        return RedirectResponse(target, status_code=303)
