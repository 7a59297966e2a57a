"""`imagestudio mcp`: the MCP server over stdin/stdout for a local agent, every call acting as
the one user it was started for. Links start with IMAGESTUDIO_PUBLIC_URL (signed with
IMAGESTUDIO_SIGNING_KEY, so the HTTP server there redeems them); relative without it."""

from __future__ import annotations

import asyncio
import contextlib

from returns.result import Failure

from imagestudio.domain.errors import UnknownUser
from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.http.jobs import OperationJobs
from imagestudio.entrypoints.http.signed_urls import AssetLinks
from imagestudio.entrypoints.mcp.acting import Acting, Links
from imagestudio.entrypoints.mcp.server import build_server
from imagestudio.entrypoints.settings import Settings


class UnknownMcpUser(LookupError):
    """The user to serve as does not exist."""

    def __init__(self, error: UnknownUser) -> None:
        super().__init__(error.message)
        self.error = error


async def serve_stdio(settings: Settings, user: str | None) -> None:
    """Serve until the client closes stdin; then let the operations still running finish
    within the shutdown grace (cancelled after it, as the HTTP server does)."""
    studio = await ImageStudio.connect(settings)
    try:
        # Only --user left out means the default user: an empty one (an unset variable in the
        # client's config) served as the default user, with that user's plan and library.
        chosen = settings.default_user if user is None else user
        known = await studio.usage.execute(chosen)
        if isinstance(known, Failure):
            raise UnknownMcpUser(known.failure())
        container = studio.container
        jobs = OperationJobs(container.run_operation(), container.operations())
        acting = Acting(
            studio,
            jobs,
            chosen,
            Links.below(AssetLinks.from_settings(settings), settings.public_url),
            settings.http_wait_seconds,
        )
        server = build_server(lambda _ctx: acting)
        chores = asyncio.create_task(studio.keep_sweeping(), name="sweep and reconcile")
        try:
            await server.run_stdio_async()
        finally:
            await jobs.drain(settings.http_shutdown_grace_seconds)
            chores.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await chores
    finally:
        await studio.aclose()
