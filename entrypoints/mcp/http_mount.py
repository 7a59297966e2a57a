"""The MCP server over streamable HTTP at `/mcp` of the HTTP app: each request carries the
user's API key as a bearer token, checked as every route checks it (the admin key is no user's
key: it reaches nothing here), and the tools act as that user with the app's studio and jobs.

Stateless and answered as JSON: any process behind a load balancer serves any request, and no
session outlives the request that authenticated it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from mcp.server.mcpserver import Context
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from imagestudio.entrypoints.http.answers import problem_response
from imagestudio.entrypoints.http.auth import ProblemError, current_user
from imagestudio.entrypoints.http.problems import Problem
from imagestudio.entrypoints.http.shutting_down import shutting_down
from imagestudio.entrypoints.http.signed_asset_routes import asset_links
from imagestudio.entrypoints.http.state import app_state
from imagestudio.entrypoints.mcp.acting import Acting, Links, unauthenticated
from imagestudio.entrypoints.mcp.server import build_server
from imagestudio.entrypoints.settings import Settings

PATH = "/mcp"
USER = "imagestudio.mcp.user"
"""The scope key the authenticated user's id travels under, from the endpoint to the tools."""
NO_EVENT_STREAM = Problem(
    status=405,
    slug="http-error",
    title="Method Not Allowed",
    detail="this MCP server is stateless and answers each POST with JSON: it offers no event "
    "stream to GET",
    headers={"allow": "POST"},
)


def http_acting(ctx: Context[Any, Any]) -> Acting:
    """The studio, jobs and links of the app serving the request, as the user its key named;
    links below the address the request came to (a prefix the app is mounted under included)."""
    request = ctx.request_context.request
    if not isinstance(request, Request) or not isinstance(request.scope.get(USER), str):
        raise unauthenticated()
    state = app_state(request)
    links = Links(
        asset_links(request),
        lambda token: str(request.url_for("get_signed_asset", token=token)),
    )
    return Acting(
        state.studio, state.jobs, request.scope[USER], links, state.settings.http_wait_seconds
    )


class McpEndpoint:
    """The ASGI endpoint: authenticate, then hand the request to the SDK's session manager,
    which runs while the app does (`running`, in its lifespan)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._manager: StreamableHTTPSessionManager | None = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        # A session manager runs once: each start of the app gets a new one.
        server = build_server(http_acting)
        server.streamable_http_app(
            streamable_http_path=PATH,
            stateless_http=True,
            json_response=True,
            max_request_body_size=self._settings.http_max_request_bytes,
            # Bearer keys, never cookies: a page that rebinds a name to this server has no
            # key to send, so the Host header need not be held to a list.
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )
        manager = server.session_manager
        async with manager.run():
            self._manager = manager
            try:
                yield
            finally:
                self._manager = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        manager = self._manager
        if manager is None:
            problem = shutting_down("not serving", retry_after=False)
            await problem_response(problem, request)(scope, receive, send)
            return
        try:
            scope[USER] = await current_user(request)
        except ProblemError as refusal:
            await problem_response(refusal.problem, request)(scope, receive, send)
            return
        if request.method == "GET":
            # The SDK would open a stream for server-initiated messages and, stateless, never
            # send on it: the connection would hang, headers unsent. The transport allows 405.
            await problem_response(NO_EVENT_STREAM, request)(scope, receive, send)
            return
        await _cancelled_on_disconnect(manager, scope, receive, send)


async def _cancelled_on_disconnect(
    manager: StreamableHTTPSessionManager, scope: Scope, receive: Receive, send: Send
) -> None:
    """Handle the request, cancelling it when the client goes away. A stateless server has no
    other way to hear a cancelled call: the client closes the POST (as the 2026 transport says
    a cancellation is), or posts `notifications/cancelled` to a server that has already
    forgotten the call. A paid call cancelled so cancels its operation (see `running`)."""
    body_read = anyio.Event()

    async def reading() -> Message:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            body_read.set()
        return message

    async with anyio.create_task_group() as watching:

        async def until_gone() -> None:
            # Only once the SDK has the whole body is `receive` free for this to wait on.
            await body_read.wait()
            while (await receive())["type"] != "http.disconnect":
                pass
            watching.cancel_scope.cancel()

        watching.start_soon(until_gone)
        await manager.handle_request(scope, reading, send)
        watching.cancel_scope.cancel()
