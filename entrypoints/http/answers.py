"""How every refusal is answered: one problem per error, written as RFC 9457
`application/problem+json`, or in OpenAI's error body on the routes that imitate OpenAI's API;
a person's browser on the pages gets the error page (`pages/browser_answers.py`)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from imagestudio.entrypoints.http.auth import ProblemError
from imagestudio.entrypoints.http.invalid_requests import BodyRefused, invalid_request
from imagestudio.entrypoints.http.openai_errors import error_body, speaks_openai
from imagestudio.entrypoints.http.pages.browser_answers import page_answer
from imagestudio.entrypoints.http.problems import Problem
from imagestudio.entrypoints.http.redaction import redacted

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"


def problem_response(problem: Problem, request: Request) -> Response:
    page = page_answer(request.scope, problem)
    if page is not None:  # a person's browser on the pages: the error page, not JSON
        return page
    if speaks_openai(request.scope):
        return JSONResponse(
            error_body(problem), status_code=problem.status, headers=problem.headers
        )
    return JSONResponse(
        problem.body(instance=redacted(request.url.path)),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=problem.headers,
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def domain(request: Request, error: ProblemError) -> Response:
        return problem_response(error.problem, request)

    @app.exception_handler(BodyRefused)
    async def body(request: Request, error: BodyRefused) -> Response:
        return problem_response(error.problem, request)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        return problem_response(invalid_request(error.errors()), request)

    @app.exception_handler(HTTPException)
    async def http(request: Request, error: HTTPException) -> Response:
        problem = Problem(
            status=error.status_code,
            slug="not-found" if error.status_code == 404 else "http-error",
            title=str(error.detail),
            detail=str(error.detail),
            headers=dict(error.headers or {}),
        )
        return problem_response(problem, request)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:  # noqa: ARG001
        log.exception("unexpected error on %s %s", request.method, redacted(request.url.path))
        problem = Problem(
            status=500, slug="internal", title="Internal error", detail="an unexpected error"
        )
        return problem_response(problem, request)
