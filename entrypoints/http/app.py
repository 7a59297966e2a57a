"""The HTTP app: routes, problems for every error, body limits, and a graceful lifecycle.

On start the studio connects (schema checked) and the sweeper/reconciler runs in the
background; on shutdown the server stops taking operations, lets those in flight finish within
the grace period, and cancels the rest — released if not sent, left to reconciliation if sent.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.routing import Route

from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.http import (
    admin_routes,
    answers,
    asset_routes,
    audit_routes,
    docs_routes,
    info_routes,
    local_routes,
    metrics_routes,
    openai_routes,
    operation_event_routes,
    operation_list_routes,
    operation_routes,
    problem_pages,
    signed_asset_routes,
    thumbnail_routes,
    usage_routes,
    webhook_routes,
)
from imagestudio.entrypoints.http.body_limit import BodyLimit
from imagestudio.entrypoints.http.jobs import OperationJobs
from imagestudio.entrypoints.http.metrics import ApiMetrics
from imagestudio.entrypoints.http.metrics_routes import RequestCounting
from imagestudio.entrypoints.http.pages import site
from imagestudio.entrypoints.http.pages.browser_answers import page_answer
from imagestudio.entrypoints.http.redaction import redact_logs
from imagestudio.entrypoints.http.state import AppState
from imagestudio.entrypoints.http.url_guard import NoNulInUrl
from imagestudio.entrypoints.mcp.http_mount import PATH as MCP_PATH
from imagestudio.entrypoints.mcp.http_mount import McpEndpoint
from imagestudio.entrypoints.settings import Settings

StudioFactory = Callable[[Settings], Awaitable[ImageStudio]]


async def _connect(settings: Settings) -> ImageStudio:
    return await ImageStudio.connect(settings)


def create_app(settings: Settings | None = None, studio: StudioFactory = _connect) -> FastAPI:
    """The ASGI app for `settings` (from the environment when not given); `studio` builds the
    ImageStudio inside the server's event loop (an embedding app may pass its own)."""
    chosen = settings or Settings()
    metrics = ApiMetrics()
    mcp = McpEndpoint(chosen)

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
        # One key for the links this app answers with and those its webhooks carry.
        app.state.asset_links = container.asset_links()
        chores = asyncio.create_task(built.keep_sweeping(), name="sweep and reconcile")
        try:
            async with mcp.running():
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
        # Served by docs_routes with their assets from this app: FastAPI's own use a CDN.
        docs_url=None,
        redoc_url=None,
        # `run_operation`, not FastAPI's `run_operation_v1_operations_post`: the names a client
        # generated from the OpenAPI document gives its methods.
        generate_unique_id_function=lambda route: route.name,
    )
    app.include_router(operation_list_routes.router)
    app.include_router(operation_routes.router)
    app.include_router(operation_event_routes.router)
    app.include_router(info_routes.router)
    app.include_router(asset_routes.router)
    app.include_router(thumbnail_routes.router)
    app.include_router(usage_routes.router)
    app.include_router(local_routes.router)
    app.include_router(admin_routes.router)
    app.include_router(audit_routes.router)
    app.include_router(metrics_routes.router)
    app.include_router(openai_routes.router)
    app.include_router(signed_asset_routes.router)
    app.include_router(webhook_routes.router)
    app.include_router(problem_pages.router)
    docs_routes.install(app)
    site.install(app)  # the studio pages at `/`
    signed_asset_routes.install(app, chosen)
    # A plain ASGI route, not a FastAPI one: the SDK reads the request itself.
    app.router.routes.append(Route(MCP_PATH, mcp, methods=["GET", "POST", "DELETE"]))
    app.state.metrics = metrics
    answers.install(app)
    redact_logs(_secrets(chosen))
    app.add_middleware(
        BodyLimit,
        max_bytes=chosen.http_max_request_bytes,
        read_seconds=chosen.http_read_seconds,
        page_answer=page_answer,
    )
    app.add_middleware(NoNulInUrl)
    app.add_middleware(RequestCounting, metrics=metrics)
    return app


def _secrets(settings: Settings) -> list[str]:
    keys = (
        settings.admin_key,
        settings.signing_key,
        settings.wavespeed_api_key,
        settings.stability_api_key,
    )
    return [key.get_secret_value() for key in keys if key is not None]
