"""The HTTP app: routes, problems for every error, body limits, and a graceful lifecycle.

On start the studio connects (schema checked) and the sweeper/reconciler runs in the
background; on shutdown the server stops taking operations, lets those in flight finish within
the grace period, and cancels the rest — released if not sent, left to reconciliation if sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.http import (
    admin_routes,
    asset_routes,
    audit_routes,
    info_routes,
    local_routes,
    metrics_routes,
    openai_routes,
    operation_list_routes,
    operation_routes,
    problem_pages,
)
from imagestudio.entrypoints.http.auth import ProblemError
from imagestudio.entrypoints.http.body_limit import BodyLimit
from imagestudio.entrypoints.http.jobs import OperationJobs
from imagestudio.entrypoints.http.metrics import ApiMetrics
from imagestudio.entrypoints.http.metrics_routes import RequestCounting
from imagestudio.entrypoints.http.problems import Problem
from imagestudio.entrypoints.http.state import AppState
from imagestudio.entrypoints.http.url_guard import NoNulInUrl
from imagestudio.entrypoints.settings import Settings

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"

StudioFactory = Callable[[Settings], Awaitable[ImageStudio]]


async def _connect(settings: Settings) -> ImageStudio:
    return await ImageStudio.connect(settings)


def create_app(settings: Settings | None = None, studio: StudioFactory = _connect) -> FastAPI:
    """The ASGI app for `settings` (from the environment when not given); `studio` builds the
    ImageStudio inside the server's event loop (an embedding app may pass its own)."""
    chosen = settings or Settings()
    metrics = ApiMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        built = await studio(chosen)
        container = built.container
        jobs = OperationJobs(
            container.run_operation(),
            container.operations(),
            metrics.operation_finished,
            metrics.operation_refused,
        )
        app.state.imagestudio = AppState(studio=built, settings=chosen, jobs=jobs)
        chores = asyncio.create_task(built.keep_sweeping(), name="sweep and reconcile")
        try:
            yield
        finally:
            await jobs.drain(chosen.http_shutdown_grace_seconds)
            chores.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await chores
            await built.aclose()

    app = FastAPI(
        title="imagestudio",
        version="0.1.0",
        description="AI image operations with quotas reserved before money is spent.",
        lifespan=lifespan,
    )
    app.include_router(operation_list_routes.router)
    app.include_router(operation_routes.router)
    app.include_router(info_routes.router)
    app.include_router(asset_routes.router)
    app.include_router(local_routes.router)
    app.include_router(admin_routes.router)
    app.include_router(audit_routes.router)
    app.include_router(metrics_routes.router)
    app.include_router(openai_routes.router)
    app.include_router(problem_pages.router)
    openai_routes.install(app, chosen)
    app.state.metrics = metrics
    _answer_problems(app)
    app.add_middleware(BodyLimit, max_bytes=chosen.http_max_request_bytes)
    app.add_middleware(NoNulInUrl)
    app.add_middleware(RequestCounting, metrics=metrics)
    return app


def problem_response(problem: Problem, request: Request) -> JSONResponse:
    return JSONResponse(
        problem.body(instance=request.url.path),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=problem.headers,
    )


def _answer_problems(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def domain(request: Request, error: ProblemError) -> JSONResponse:
        return problem_response(error.problem, request)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(part) for part in first.get("loc", ()))
        problem = Problem(
            status=400,
            slug="bad-request",
            title="Bad request",
            detail=f"{where}: {first.get('msg', 'invalid')}",
        )
        return problem_response(problem, request)

    @app.exception_handler(HTTPException)
    async def http(request: Request, error: HTTPException) -> JSONResponse:
        problem = Problem(
            status=error.status_code,
            slug="not-found" if error.status_code == 404 else "http-error",
            title=str(error.detail),
            detail=str(error.detail),
        )
        return problem_response(problem, request)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:  # noqa: ARG001
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        problem = Problem(
            status=500, slug="internal", title="Internal error", detail="an unexpected error"
        )
        return problem_response(problem, request)
