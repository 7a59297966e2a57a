"""`GET /metrics` for a Prometheus scraper, and the middleware that counts every request."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from imagestudio.entrypoints.http.metrics import ApiMetrics
from imagestudio.entrypoints.http.studio_route import StudioRoute

router = APIRouter(tags=["monitoring"], route_class=StudioRoute)
UNMATCHED = "unmatched"
"""The route label of requests no route serves: raw paths would let any caller grow the
label set without bound."""


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def metrics(request: Request) -> Response:
    """Prometheus text (format 0.0.4). Needs no API key, like /healthz: it is for the operator's
    scraper, and holds only counts by kind, provider, outcome, limit kind and route template —
    no user ids, prompts, keys or paths."""
    found: ApiMetrics = request.app.state.metrics
    return Response(found.exposition(), media_type=CONTENT_TYPE_PLAIN_0_0_4)


class RequestCounting:
    """Counts each HTTP request by method, route template and status once it is answered
    (500 when the app raised before answering)."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self._app = app
        self._metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        status = 500

        async def watched(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._app(scope, receive, watched)
        finally:
            self._metrics.request_answered(scope["method"], route_template(scope), status)


def route_template(scope: Scope) -> str:
    """The path template of the route that served the request (`/v1/operations/{operation_id}`);
    matched here when a middleware answered before routing (a body over the limit)."""
    route = scope.get("route")
    if route is None:
        for candidate in getattr(scope.get("app"), "routes", ()):
            match, _ = candidate.matches(scope)
            if match is Match.FULL:
                route = candidate
                break
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED
